// The network coming back (a browser's `online` event): a client waiting out its backoff reconnects
// at once, unless the server asked it to wait; a connected one pings at once (red8 attack run,
// 2026-12-04: a ticker showed a story killed while it was offline for up to 20 s more).
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { accept, start } from './harness.ts'
import { FakeSseResponse, FakeWebSocket, fakeFetch, flush } from './fakes.ts'

const host = globalThis as unknown as { addEventListener?: unknown; removeEventListener?: unknown }
let events: EventTarget
/** Listeners added and not removed (a closed client must hold none: the page may make many). */
let listening = 0

describe('online', () => {
  beforeEach(() => {
    FakeWebSocket.reset()
    events = new EventTarget()
    listening = 0
    host.addEventListener = (type: string, fn: () => void) => {
      listening++
      events.addEventListener(type, fn)
    }
    host.removeEventListener = (type: string, fn: () => void) => {
      listening--
      events.removeEventListener(type, fn)
    }
  })
  afterEach(() => {
    delete host.addEventListener
    delete host.removeEventListener
  })
  // the first backoff step (harness default) plus the network-back spread, with room
  const ONLINE_AND_BACKOFF_MS = 5_000
  const online = () => events.dispatchEvent(new Event('online'))

  test('a client waiting out its backoff after losing its connection reconnects as soon as the network is back', async (t) => {
    const { client, clock } = start(t, { backoff: { minMs: 20_000, maxMs: 20_000, factor: 2 } })
    accept('p1')
    FakeWebSocket.last.drop(1006)
    await flush()
    assert.equal(client.state, 'reconnecting')
    assert.equal(FakeWebSocket.instances.length, 1)
    clock.advance(1_000)
    online()
    // within half a second, at random (readers whose network came back together spread out)
    clock.advance(499)
    assert.equal(FakeWebSocket.instances.length, 2, 'a new connection within half a second, not 19 s later')
    accept('p2')
    assert.equal(FakeWebSocket.last.subscribes.at(-1)?.since, 'p1', 'resumed from its position')
    assert.equal(client.state, 'connected')
  })

  test('a wait the server asked for is kept', async (t) => {
    const { client } = start(t)
    accept('p1')
    FakeWebSocket.last.push({ type: 'reconnect', retryAfterMs: 30_000, reason: 'service restart' })
    FakeWebSocket.last.drop(1012, 'service restart')
    await flush()
    assert.equal(client.state, 'reconnecting')
    online()
    assert.equal(FakeWebSocket.instances.length, 1)
  })

  test('a connected client pings at once and finds a dead connection within pongTimeoutMs', async (t) => {
    const { client, clock } = start(t)
    const ws = accept('p1')
    clock.advance(2_000)
    const pings = () => ws.sent.filter((m) => m.type === 'ping').length
    assert.equal(pings(), 0)
    online()
    assert.equal(pings(), 1)
    clock.advance(10_000)
    assert.equal(client.state, 'reconnecting', 'dead 10 s after the network changed, not 35 s')
  })

  test('a closed client stops listening', async (t) => {
    const { client } = start(t)
    accept('p1')
    assert.equal(listening, 2, 'online, and visibilitychange (visibility-probe.test.ts)')
    await client.close()
    // seventh mutation batch, cl17: the listener was left in place (the state check hid it)
    assert.equal(listening, 0)
    online()
    assert.equal(FakeWebSocket.instances.length, 1)
  })

  // seventh mutation batch, cl16: only a connection lost to the network is cut short; a server
  // going down (no wait asked for) is waited out as the backoff says, or a restart meets a herd
  test('a server that closed the connection is waited out: the network back changes nothing', async (t) => {
    const { client, clock } = start(t, { backoff: { minMs: 20_000, maxMs: 20_000, factor: 2 } })
    accept('p1')
    FakeWebSocket.last.drop(1012, 'service restart')
    await flush()
    assert.equal(client.state, 'reconnecting')
    online()
    clock.advance(ONLINE_AND_BACKOFF_MS)
    assert.equal(FakeWebSocket.instances.length, 1)
  })
  test("an SSE stream's retry: hint is a wait the server asked for: the network back does not cut it short (rev35)", async (t) => {
    const f = fakeFetch()
    const res = new FakeSseResponse()
    f.responses.push(res)
    const { client, clock } = start(t, { transport: 'sse', fetch: f.fetch, backoff: { minMs: 100, maxMs: 60_000, factor: 2 } })
    await flush()
    assert.equal(client.state, 'connected')
    // the server asks its SSE readers to wait 20 s before they come back (EventSource's own rule)
    res.write('retry: 20000\n\n')
    res.frame('subscribed', { type: 'subscribed', channels: ['breaking'], position: 'p1', snapshot: [] }, 'p1')
    await flush()
    f.responses.push(new FakeSseResponse())
    res.end()
    await flush()
    assert.equal(client.state, 'reconnecting')
    online()
    clock.advance(1_000)
    await flush()
    assert.equal(f.requests.length, 1, 'online reconnected within a second, past the 20 s retry: hint')
    clock.advance(19_000)
    await flush()
    assert.equal(f.requests.length, 2, 'it comes back when the hint ends')
  })

  test('a connected SSE stream, which cannot ping, resumes from its position when the network is back (rev35)', async (t) => {
    const f = fakeFetch()
    const res = new FakeSseResponse()
    f.responses.push(res)
    const { client, clock } = start(t, { transport: 'sse', fetch: f.fetch })
    await flush()
    res.frame('subscribed', { type: 'subscribed', channels: ['breaking'], position: 'p1', snapshot: [] }, 'p1')
    await flush()
    assert.equal(client.state, 'connected')
    f.responses.push(new FakeSseResponse())
    online()
    clock.advance(ONLINE_AND_BACKOFF_MS)
    await flush()
    assert.equal(f.requests.length, 2, 'a new stream soon after the network came back, not 35 s later')
    assert.equal(new URL(f.requests[1]?.url ?? '').searchParams.get('since'), 'p1', 'resumed from its position')
  })
})
