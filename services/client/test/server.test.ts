// The SDK against a real (fake) fan-out on port 0: ws for WebSocket, node:http for SSE, real timers.
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { WebSocket } from 'ws'
import { type ConnectOptions, connect } from '../src/index.ts'
import { articleEvent, record } from './fakes.ts'
import { FakeNewsServer, waitFor } from './fake-server.ts'

function start(t: TestContext, server: FakeNewsServer, options: Partial<ConnectOptions> = {}) {
  const client = connect(server.url, {
    channels: ['breaking'],
    WebSocket,
    backoff: { minMs: 10, maxMs: 50 },
    ...options,
  })
  t.after(() => client.close())
  return { client, log: record(client) }
}

describe('against a ws server', () => {
  test('a dropped connection resumes with since; every event is seen exactly once', async (t) => {
    const server = await FakeNewsServer.start(t)
    server.publish('breaking', articleEvent('a', 1))
    server.publish('sport', articleEvent('x', 1))
    server.publish('breaking', articleEvent('b', 1))
    const { client, log } = start(t, server, { transport: 'websocket' })

    await waitFor(() => log.subscribed.length === 1, 'subscribed')
    assert.deepEqual(log.eventIds, ['a-v1', 'b-v1'], 'the snapshot')
    assert.ok(log.events.every((e) => e.snapshot))

    server.publish('breaking', articleEvent('c', 1))
    server.publish('breaking', articleEvent('a', 2))
    server.publish('sport', articleEvent('x', 2))
    await waitFor(() => log.events.length === 4, 'live events')
    const seen = client.position
    assert.equal(seen, 'pos:5')

    // The network drops; news keeps coming; the server is sloppy and replays 2 events it already sent
    server.overlap = 2
    server.dropAll()
    server.publish('breaking', articleEvent('d', 1))
    server.publish('breaking', articleEvent('b', 2))
    await waitFor(() => log.events.length === 6, 'events published while disconnected')
    server.publish('breaking', articleEvent('e', 1))
    await waitFor(() => log.events.length === 7, 'live after the resume')

    assert.deepEqual(log.eventIds, ['a-v1', 'b-v1', 'c-v1', 'a-v2', 'd-v1', 'b-v2', 'e-v1'])
    assert.equal(new Set(log.eventIds).size, log.eventIds.length, 'nothing twice')
    assert.deepEqual(
      server.subscribes.map((s) => s.since),
      [null, seen],
      'the second subscribe resumes from the last position seen',
    )
    assert.ok(client.stats.duplicates >= 1, 'the replayed overlap was dropped')
    assert.deepEqual(log.stateNames, ['connected', 'reconnecting', 'connected'])
    assert.equal(client.position, 'pos:9')
  })

  test('1012 service restart: reconnect and resume', async (t) => {
    const server = await FakeNewsServer.start(t)
    const { client, log } = start(t, server, { transport: 'websocket' })
    await waitFor(() => log.subscribed.length === 1, 'subscribed')
    server.publish('breaking', articleEvent('a', 1))
    await waitFor(() => log.events.length === 1, 'first event')
    server.closeAll(1012, 'restarting')
    await waitFor(() => log.subscribed.length === 2, 're-subscribed')
    server.publish('breaking', articleEvent('b', 1))
    await waitFor(() => log.events.length === 2, 'event after restart')
    assert.equal(log.states[1]?.code, 1012)
    assert.equal(server.subscribes[1]?.since, 'pos:1')
    assert.equal(client.state, 'connected')
  })

  test('4401: failed with the reason, no reconnect', async (t) => {
    const server = await FakeNewsServer.start(t)
    server.rejectToken = 'old.jwt'
    const { client, log } = start(t, server, { transport: 'websocket', token: 'old.jwt' })
    await waitFor(() => client.state === 'failed', 'failed')
    assert.match(log.states.at(-1)?.reason ?? '', /unauthorized.*4401: token expired/)
    // offered as a subprotocol: the upgrade's request line does not carry it
    assert.deepEqual(server.requestLines, ['/v1/stream?channels=breaking&id=s1&batch=1'])
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(server.subscribes.length, 0)
    assert.deepEqual(log.stateNames, ['connected', 'failed'])
  })

  test('pings are answered by the server; close() leaves no connection behind', async (t) => {
    const server = await FakeNewsServer.start(t)
    const { client, log } = start(t, server, { transport: 'websocket', pingIntervalMs: 20, pongTimeoutMs: 60 })
    await waitFor(() => log.subscribed.length === 1, 'subscribed')
    // Ten pings answered take longer than two pong timeouts: a client that missed the pongs has dropped by now
    await waitFor(() => server.pongs >= 10, 'ten pings answered')
    assert.equal(client.state, 'connected')
    assert.deepEqual(log.stateNames, ['connected'])
    await client.close()
    await waitFor(() => server.connections === 0, 'server sees the close')
    assert.equal(client.state, 'disconnected')
  })

  test('auto: WebSocket blocked (upgrade reset) → falls back to SSE after 2 tries', async (t) => {
    const server = await FakeNewsServer.start(t)
    server.blockWebSocket = true
    server.publish('breaking', articleEvent('a', 1))
    const { client, log } = start(t, server, { transport: 'auto' })
    await waitFor(() => log.subscribed.length === 1, 'subscribed over SSE')
    assert.equal(client.transport, 'sse')
    assert.deepEqual(log.stateNames, ['reconnecting', 'reconnecting', 'connected'])
    assert.deepEqual(log.eventIds, ['a-v1'])
  })
})

describe('against an SSE server (node:http, the SDK reader on fetch)', () => {
  test('streams, resumes with since after a drop, every event exactly once', async (t) => {
    const server = await FakeNewsServer.start(t)
    server.publish('breaking', articleEvent('a', 1))
    const { client, log } = start(t, server, {
      transport: 'sse',
      token: 'jwt',
      filter: { languages: ['bn'], maxUrgency: 3 },
    })
    await waitFor(() => log.subscribed.length === 1, 'subscribed')
    assert.equal(client.transport, 'sse')
    server.publish('breaking', articleEvent('b', 1))
    server.publish('breaking', articleEvent('a', 2))
    await waitFor(() => log.events.length === 3, 'live events')
    const seen = client.position
    server.overlap = 1
    server.dropAll()
    server.publish('breaking', articleEvent('c', 1))
    await waitFor(() => log.events.length === 4, 'events after the drop')
    server.publish('breaking', articleEvent('d', 1))
    await waitFor(() => log.events.length === 5, 'live after the resume')
    assert.deepEqual(log.eventIds, ['a-v1', 'b-v1', 'a-v2', 'c-v1', 'd-v1'])
    assert.deepEqual(
      server.subscribes.map((s) => [s.transport, s.since, s.token]),
      [
        ['sse', null, 'jwt'],
        ['sse', seen, 'jwt'],
      ],
    )
    // in Authorization: no request line a proxy logs carries it
    assert.deepEqual(
      server.requestLines.filter((l) => l.includes('jwt')),
      [],
    )
    assert.equal(client.stats.duplicates, 1)
  })

  test('HTTP 401 fails without retrying', async (t) => {
    const server = await FakeNewsServer.start(t)
    server.rejectToken = 'bad'
    const { client, log } = start(t, server, { transport: 'sse', token: 'bad' })
    await waitFor(() => client.state === 'failed', 'failed')
    assert.match(log.states.at(-1)?.reason ?? '', /HTTP 401/)
    assert.equal(log.states.at(-1)?.status, 401)
  })

  test('close() ends the stream on the server', async (t) => {
    const server = await FakeNewsServer.start(t)
    const { client, log } = start(t, server, { transport: 'sse' })
    await waitFor(() => log.subscribed.length === 1, 'subscribed')
    await client.close()
    await waitFor(() => server.connections === 0, 'server sees the close')
  })
})
