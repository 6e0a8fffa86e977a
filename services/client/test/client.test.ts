// The reconnect state machine, driven by a fake clock and a scripted WebSocket class.
import assert from 'node:assert/strict'
import { beforeEach, describe, test, type TestContext } from 'node:test'
import { backoffCeiling, type ConnectOptions, connect, defaultBackoff, type SseMessageEventLike, type StreamMessage } from '../src/index.ts'
import { articleEvent, eventFrame, FakeClock, FakeSseResponse, FakeWebSocket, fakeFetch, flush, record } from './fakes.ts'

function start(t: TestContext, overrides: Partial<ConnectOptions> = {}) {
  const clock = new FakeClock()
  const client = connect('wss://news.example', {
    channels: ['breaking'],
    WebSocket: FakeWebSocket,
    transport: 'websocket',
    clock,
    random: () => 0.5,
    ...overrides,
  })
  t.after(() => client.close())
  const log = record(client)
  return { client, clock, log }
}

/** Opens the last socket and acknowledges its subscription at `position`. */
function accept(position = 'p0', snapshot: unknown[] = []) {
  const ws = FakeWebSocket.last.open()
  const sub = ws.subscribes.at(-1)
  ws.push({ type: 'subscribed', id: sub?.id, channels: sub?.channels, position, snapshot })
  return ws
}

beforeEach(() => FakeWebSocket.reset())

describe('client: connecting and delivering', () => {
  test('opens /v1/stream with the token, subscribes with channels and filter, reports states', (t) => {
    const { client, log } = start(t, {
      token: 'jwt.token',
      channels: ['breaking', 'category:international'],
      filter: { languages: ['bn'], maxUrgency: 3, categories: ['sports'], tickerFieldsOnly: true },
    })
    assert.equal(client.state, 'connecting')
    const ws = FakeWebSocket.last
    assert.equal(ws.url, 'wss://news.example/v1/stream?token=jwt.token&batch=1')
    ws.open()
    assert.deepEqual(ws.sent, [
      {
        type: 'subscribe',
        id: 's1',
        channels: ['breaking', 'category:international'],
        filter: { languages: ['bn'], maxUrgency: 3, categories: ['sports'], tickerFieldsOnly: true },
      },
    ])
    assert.equal(client.state, 'connected')
    assert.deepEqual(
      log.states.map((s) => [s.previous, s.state, s.transport]),
      [['connecting', 'connected', 'websocket']],
    )
  })

  test('a persisted position is sent as since on the first subscribe', (t) => {
    const { client } = start(t, { since: '1.saved' })
    assert.equal(client.position, '1.saved')
    FakeWebSocket.last.open()
    assert.equal(FakeWebSocket.last.subscribes[0]?.since, '1.saved')
  })

  test('snapshot items arrive as events (snapshot: true), then live events; position follows', (t) => {
    const { client, log } = start(t)
    const ws = accept('p2', [articleEvent('a', 1), articleEvent('b', 4)])
    assert.deepEqual(log.subscribed, [{ id: 's1', channels: ['breaking'], position: 'p2', snapshotSize: 2 }])
    assert.deepEqual(
      log.events.map((e) => [e.event.eventId, e.snapshot, e.channel, e.position]),
      [
        ['a-v1', true, null, 'p2'],
        ['b-v4', true, null, 'p2'],
      ],
    )
    ws.push(eventFrame('c', 1, 'p3', { embargoed: true }))
    assert.equal(client.position, 'p3')
    const last = log.events.at(-1)
    assert.deepEqual(
      [last?.event.eventId, last?.channel, last?.embargoed, last?.released, last?.snapshot],
      ['c-v1', 'breaking', true, false, false],
    )
    ws.push({ type: 'withdrawn', position: 'p4', articleId: 'a', reason: 'legal', cause: 'withdrawn' })
    assert.deepEqual(log.withdrawn, [{ type: 'withdrawn', position: 'p4', articleId: 'a', reason: 'legal', cause: 'withdrawn' }])
    assert.equal(client.position, 'p4')
  })

  test('duplicates are dropped: same eventId, or a version at or below the last seen one', (t) => {
    const { client, log } = start(t)
    const ws = accept('p0', [articleEvent('a', 2)])
    ws.push(eventFrame('a', 2, 'p1')) // same eventId as the snapshot item
    ws.push({ ...eventFrame('a', 1, 'p2'), event: { ...articleEvent('a', 1), eventId: 'late-old' } }) // older version
    ws.push(eventFrame('a', 3, 'p3'))
    ws.push({ ...eventFrame('a', 3, 'p4'), event: { ...articleEvent('a', 3), eventId: 'same-version-other-id' } })
    ws.push({ type: 'withdrawn', position: 'p5', articleId: 'a', reason: null })
    ws.push({ type: 'withdrawn', position: 'p6', articleId: 'a', reason: null })
    assert.deepEqual(log.eventIds, ['a-v2', 'a-v3'])
    assert.equal(log.withdrawn.length, 1)
    assert.equal(client.stats.duplicates, 4)
    assert.equal(client.position, 'p6', 'the position advances past duplicates too')
  })

  test('the embargo release of a version the newsroom saw embargoed is delivered', (t) => {
    const { log } = start(t)
    const ws = accept()
    ws.push(eventFrame('a', 1, 'p1', { embargoed: true }))
    ws.push(eventFrame('a', 1, 'p2', { released: true }))
    assert.deepEqual(
      log.events.map((e) => [e.embargoed, e.released]),
      [
        [true, false],
        [false, true],
      ],
    )
  })

  test("snapshot items keep the server's embargoed flag (spliced into the event object) and leave it out of the event", (t) => {
    const { log } = start(t)
    const held = { embargoed: true, ...articleEvent('held', 1) }
    const ws = accept('p1', [
      held,
      articleEvent('plain', 1),
      { type: 'event', channel: 'all', embargoed: true, event: articleEvent('framed', 1) },
    ])
    assert.deepEqual(
      log.events.map((e) => [e.event.article.id, e.embargoed, e.snapshot, e.channel]),
      [
        ['held', true, true, null],
        ['plain', false, true, null],
        ['framed', true, true, 'all'],
      ],
    )
    assert.equal('embargoed' in (log.events[0]?.event ?? {}), false, 'the flag is about the delivery, not part of the event')
    // ...so its release later is news, delivered once
    ws.push(eventFrame('held', 1, 'p2', { released: true }))
    ws.push(eventFrame('held', 1, 'p3', { released: true }))
    assert.deepEqual(
      log.events.slice(3).map((e) => [e.event.article.id, e.embargoed, e.released]),
      [['held', false, true]],
    )
  })

  test('reset: items carry the embargoed flag, and a later release of such an item is delivered', (t) => {
    const { log } = start(t)
    const ws = accept()
    ws.push({ type: 'reset', position: 'r1', snapshot: [{ embargoed: true, ...articleEvent('held', 2) }, articleEvent('b', 1)] })
    const reset = log.resets[0]
    assert.deepEqual(
      reset?.items.map((i) => [i.event.eventId, i.embargoed, i.snapshot, i.position]),
      [
        ['held-v2', true, true, 'r1'],
        ['b-v1', false, true, 'r1'],
      ],
    )
    assert.deepEqual(
      reset?.snapshot,
      reset?.items.map((i) => i.event),
    )
    assert.equal('embargoed' in (reset?.snapshot[0] ?? {}), false)
    ws.push(eventFrame('held', 2, 'r2', { released: true }))
    assert.deepEqual(
      log.events.map((e) => [e.event.eventId, e.released]),
      [['held-v2', true]],
    )
  })

  test('reset: emitted with its full snapshot, and the duplicate filter starts over', (t) => {
    const { client, log } = start(t)
    const ws = accept()
    ws.push(eventFrame('a', 5, 'p1'))
    ws.push({ type: 'reset', position: 'r1', snapshot: [articleEvent('a', 5), articleEvent('b', 1)] })
    assert.equal(log.resets.length, 1)
    assert.deepEqual(
      log.resets[0]?.snapshot.map((e) => e.eventId),
      ['a-v5', 'b-v1'],
    )
    assert.equal(client.position, 'r1')
    ws.push(eventFrame('b', 1, 'r2'))
    ws.push(eventFrame('b', 2, 'r3'))
    assert.deepEqual(log.eventIds, ['a-v5', 'b-v2'], 'events in the reset snapshot count as seen')
  })

  test('server error frames and malformed frames become error events; the stream goes on', (t) => {
    const { log, client } = start(t)
    const ws = accept()
    ws.push({ type: 'error', code: 'forbidden_channel', message: 'all is newsroom only', ref: 's1' })
    ws.push('{not json')
    ws.push({ type: 'event', position: 'p9' })
    ws.push({ type: 'something-new', position: 'p9' })
    ws.push(eventFrame('a', 1, 'p1'))
    assert.deepEqual(
      log.errors.map((e) => [e.code, e.details.serverCode]),
      [
        ['NEWSWIRE_ERR_CLIENT_SERVER', 'forbidden_channel'],
        ['NEWSWIRE_ERR_CLIENT_PROTOCOL', undefined],
        ['NEWSWIRE_ERR_CLIENT_PROTOCOL', undefined],
      ],
    )
    assert.equal(log.errors[0]?.details.ref, 's1')
    assert.deepEqual(log.eventIds, ['a-v1'])
    assert.equal(client.state, 'connected')
  })

  test('on() returns an unsubscribe function; a throwing listener is reported, not fatal', (t) => {
    const { client, log } = start(t)
    const seen: string[] = []
    const off = client.on('event', (e) => seen.push(e.event.eventId))
    client.on('event', () => {
      throw new Error('boom')
    })
    const ws = accept()
    ws.push(eventFrame('a', 1, 'p1'))
    off()
    ws.push(eventFrame('b', 1, 'p2'))
    assert.deepEqual(seen, ['a-v1'])
    assert.deepEqual(log.eventIds, ['a-v1', 'b-v1'])
    assert.deepEqual(
      log.errors.map((e) => e.code),
      ['NEWSWIRE_ERR_CLIENT_LISTENER', 'NEWSWIRE_ERR_CLIENT_LISTENER'],
    )
  })

  test('options that cannot work throw TypeError', () => {
    const base = { channels: ['breaking'], WebSocket: FakeWebSocket }
    assert.throws(() => connect('wss://h', { ...base, channels: [] }), TypeError)
    // Without any WebSocket class (Node 20; Node >= 22 has a global one, hidden here) 'websocket' cannot work
    const global = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket')
    delete (globalThis as { WebSocket?: unknown }).WebSocket
    try {
      assert.throws(() => connect('wss://h', { channels: ['x'], transport: 'websocket' }), /ws package/)
    } finally {
      if (global) Object.defineProperty(globalThis, 'WebSocket', global)
    }
    assert.throws(() => connect('wss://h', { ...base, backoff: { minMs: 5_000, maxMs: 1_000 } }), TypeError)
    assert.throws(() => connect('ftp://h', base), TypeError)
    assert.throws(() => connect('wss://h', { ...base, fallbackAfter: 0 }), TypeError)
  })
})

describe('client: reconnecting', () => {
  test('after a drop: reconnecting with a jittered delay, then resume with since; consumer sees each event once', (t) => {
    const { client, clock, log } = start(t)
    let ws = accept('p0', [articleEvent('a', 1)])
    ws.push(eventFrame('b', 1, 'p1'))
    ws.push(eventFrame('c', 1, 'p2'))
    ws.drop(1006)
    assert.equal(client.state, 'reconnecting')
    const reconnecting = log.states.at(-1)
    assert.equal(reconnecting?.attempt, 1)
    assert.equal(reconnecting?.code, 1006)
    assert.equal(reconnecting?.delayMs, 750, 'step 0, random 0.5: halfway between 500 and 1000')
    assert.equal(FakeWebSocket.instances.length, 1)
    clock.advance(749)
    assert.equal(FakeWebSocket.instances.length, 1)
    clock.advance(1)
    assert.equal(FakeWebSocket.instances.length, 2)
    ws = FakeWebSocket.last.open()
    assert.equal(client.state, 'connected')
    assert.deepEqual(ws.subscribes[0], { type: 'subscribe', id: 's2', channels: ['breaking'], since: 'p2' })
    // The server resumes; a snapshot and a replay overlapping what was seen must not show twice
    ws.push({
      type: 'subscribed',
      id: 's2',
      channels: ['breaking'],
      position: 'p2',
      snapshot: [articleEvent('a', 1), articleEvent('c', 1)],
    })
    ws.push(eventFrame('c', 1, 'p2'))
    ws.push(eventFrame('d', 1, 'p3'))
    assert.deepEqual(log.eventIds, ['a-v1', 'b-v1', 'c-v1', 'd-v1'])
    assert.deepEqual(log.stateNames, ['connected', 'reconnecting', 'connected'])
  })

  test('backoff grows with consecutive failures, within the full-jitter bounds, capped at maxMs', (t) => {
    for (const [name, random] of [
      ['low', () => 0],
      ['high', () => 0.999999],
      ['mid', () => 0.5],
    ] as const) {
      FakeWebSocket.reset()
      const { clock, log, client } = start(t, { random })
      for (let i = 0; i < 10; i++) {
        FakeWebSocket.last.fail()
        clock.next()
      }
      const delays = log.states.filter((s) => s.state === 'reconnecting').map((s) => s.delayMs ?? -1)
      assert.equal(delays.length, 10)
      delays.forEach((d, step) => {
        const ceiling = backoffCeiling(step, defaultBackoff)
        assert.ok(d >= 500 && d <= ceiling, `${name} step ${step}: ${d} outside [500, ${ceiling}]`)
        if (name === 'low') assert.equal(d, 500)
        if (name === 'high') assert.ok(ceiling - d <= 1, `${name} step ${step}: ${d} vs ${ceiling}`)
      })
      if (name === 'high') assert.deepEqual(delays.slice(0, 7), [1_000, 1_500, 2_500, 4_500, 8_500, 16_500, 20_000])
      assert.deepEqual(
        log.states.filter((s) => s.state === 'reconnecting').map((s) => s.attempt),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      )
      void client.close()
    }
  })

  test('a healthy connection resets the backoff', (t) => {
    const { clock, log } = start(t, { random: () => 0.999999 })
    for (let i = 0; i < 3; i++) {
      FakeWebSocket.last.fail()
      clock.next()
    }
    accept('p0').drop(1006)
    const delays = log.states.filter((s) => s.state === 'reconnecting').map((s) => s.delayMs)
    assert.deepEqual(delays, [1_000, 1_500, 2_500, 1_000])
  })

  test('an opened connection that closes before the server says anything does not reset the backoff', (t) => {
    const { clock, log } = start(t, { random: () => 0.999999 })
    for (let i = 0; i < 3; i++) {
      FakeWebSocket.last.open().drop(1011)
      clock.next()
    }
    assert.deepEqual(
      log.states.filter((s) => s.state === 'reconnecting').map((s) => s.delayMs),
      [1_000, 1_500, 2_500],
    )
  })

  test('1012 service restart: reconnect promptly and resume', (t) => {
    const { clock, log, client } = start(t, { random: () => 0.999999 })
    accept('p0')
      .push(eventFrame('a', 1, 'p1'))
      .drop(1012, 'restarting')
    assert.equal(log.states.at(-1)?.delayMs, 1_000)
    assert.match(log.states.at(-1)?.reason ?? '', /server restarting \(1012: restarting\)/)
    clock.next()
    FakeWebSocket.last.open()
    assert.equal(FakeWebSocket.last.subscribes[0]?.since, 'p1')
    assert.equal(client.state, 'connected')
  })

  test('1013 and 4008 (slow): at least backoff step 2; 4429: at least 5 s', (t) => {
    const { clock, log } = start(t, { random: () => 0.999999 })
    accept().drop(1013)
    clock.next()
    accept().drop(4008)
    clock.next()
    accept().drop(4429)
    const delays = log.states.filter((s) => s.state === 'reconnecting').map((s) => s.delayMs)
    assert.deepEqual(delays, [backoffCeiling(2, defaultBackoff), backoffCeiling(2, defaultBackoff), backoffCeiling(4, defaultBackoff)])
    const { log: log2 } = start(t, { random: () => 0 })
    accept().drop(4429, 'too many connections')
    assert.equal(log2.states.at(-1)?.delayMs, 5_000)
  })

  test('4401: fails at once, says why, never reconnects', (t) => {
    const { client, clock, log } = start(t, { token: 'expired' })
    FakeWebSocket.last.open().drop(4401, 'token expired')
    assert.equal(client.state, 'failed')
    const failed = log.states.at(-1)
    assert.equal(failed?.state, 'failed')
    assert.equal(failed?.code, 4401)
    assert.match(failed?.reason ?? '', /unauthorized: token rejected, not retrying with the same token \(4401: token expired\)/)
    assert.equal(failed?.error?.code, 'NEWSWIRE_ERR_CLIENT_UNAUTHORIZED')
    assert.deepEqual(
      log.errors.map((e) => e.code),
      ['NEWSWIRE_ERR_CLIENT_UNAUTHORIZED'],
    )
    clock.advance(3_600_000)
    assert.equal(FakeWebSocket.instances.length, 1)
    assert.deepEqual(clock.pending, [], 'no timer left behind')
  })

  test('a handshake refused with HTTP 401 (ws reports the status in its error) fails the same way', (t) => {
    const { client } = start(t)
    FakeWebSocket.last.fail('Unexpected server response: 401')
    assert.equal(client.state, 'failed')
  })

  test('1008 policy: fails, no retry', (t) => {
    const { client, clock } = start(t)
    FakeWebSocket.last.open().drop(1008, 'origin not allowed')
    assert.equal(client.state, 'failed')
    clock.advance(600_000)
    assert.equal(FakeWebSocket.instances.length, 1)
  })

  test('give-up: after giveUpAfterMs (default 10 min) without a healthy connection', (t) => {
    const { client, clock, log } = start(t)
    const startedAt = clock.now()
    const failed = () => client.state === 'failed'
    while (!failed()) {
      FakeWebSocket.last.fail()
      if (!failed()) clock.next()
    }
    const elapsed = clock.now() - startedAt
    assert.ok(elapsed >= 600_000 && elapsed < 600_000 + 20_000, `gave up after ${elapsed} ms`)
    const last = log.states.at(-1)
    assert.match(last?.reason ?? '', /gave up: no healthy connection for 6\d\d s \(giveUpAfterMs 600000\); last: connection lost/)
    assert.equal(last?.error?.code, 'NEWSWIRE_ERR_CLIENT_GAVE_UP')
    const attempts = FakeWebSocket.instances.length
    clock.advance(3_600_000)
    assert.equal(FakeWebSocket.instances.length, attempts)
  })

  test('give-up clock starts when a healthy connection is lost, not when the client started', (t) => {
    const { client, clock } = start(t, { giveUpAfterMs: 60_000, pingIntervalMs: 0 })
    accept()
    clock.advance(3_600_000)
    FakeWebSocket.last.drop(1006)
    assert.equal(client.state, 'reconnecting')
  })

  test('give-up: maxRetries', (t) => {
    const { client, clock, log } = start(t, { maxRetries: 3 })
    for (let i = 0; i < 3; i++) {
      FakeWebSocket.last.fail()
      clock.next()
    }
    FakeWebSocket.last.fail()
    assert.equal(client.state, 'failed')
    assert.equal(FakeWebSocket.instances.length, 4, 'the first try plus 3 retries')
    assert.match(log.states.at(-1)?.reason ?? '', /gave up after 3 retries/)
  })

  test('a connection that never opens times out and counts as a failure', (t) => {
    const { client, clock, log } = start(t, { connectTimeoutMs: 5_000 })
    clock.advance(5_000)
    assert.equal(client.state, 'reconnecting')
    assert.match(log.states.at(-1)?.reason ?? '', /not connected within 5000 ms/)
    assert.ok(FakeWebSocket.instances[0]?.closedWith, 'the stuck socket was closed')
  })

  test('a WebSocket constructor that throws counts as a failed open', async (t) => {
    let calls = 0
    class Throwing extends FakeWebSocket {
      constructor(url: string) {
        calls++
        if (calls === 1) throw new SyntaxError('blocked by CSP')
        super(url)
      }
    }
    const { client, clock, log } = start(t, { WebSocket: Throwing })
    await flush()
    assert.equal(client.state, 'reconnecting')
    assert.match(log.states.at(-1)?.reason ?? '', /blocked by CSP/)
    clock.next()
    accept()
    assert.equal(client.state, 'connected')
  })
})

describe('client: liveness', () => {
  test('pings every 25 s; a pong keeps the connection', (t) => {
    const { client, clock } = start(t)
    const ws = accept()
    clock.advance(25_000)
    assert.deepEqual(ws.sent.at(-1), { type: 'ping', id: 'p2' })
    clock.advance(5_000)
    ws.push({ type: 'pong', id: 'p2' })
    for (let i = 0; i < 10; i++) {
      clock.advance(20_000)
      ws.push({ type: 'pong', id: ws.sent.at(-1)?.id })
      clock.advance(5_000)
    }
    assert.equal(ws.sent.filter((m) => m.type === 'ping').length, 11)
    assert.equal(client.state, 'connected')
    assert.equal(FakeWebSocket.instances.length, 1)
  })

  test('any traffic counts as a pong', (t) => {
    const { client, clock } = start(t)
    const ws = accept()
    clock.advance(25_000)
    clock.advance(9_000)
    ws.push(eventFrame('a', 1, 'p1'))
    clock.advance(1_000)
    assert.equal(client.state, 'connected')
  })

  test('no pong within 10 s: drop the socket and reconnect, resuming from the position', (t) => {
    const { client, clock, log } = start(t)
    const ws = accept('p0').push(eventFrame('a', 1, 'p1'))
    clock.advance(25_000 + 9_999)
    assert.equal(client.state, 'connected')
    clock.advance(1)
    assert.equal(client.state, 'reconnecting')
    assert.match(log.states.at(-1)?.reason ?? '', /no pong or other traffic within 10000 ms/)
    assert.equal(ws.closedWith?.code, 4000)
    clock.next()
    FakeWebSocket.last.open()
    assert.equal(FakeWebSocket.last.subscribes[0]?.since, 'p1')
  })

  test('pingIntervalMs: 0 disables pings', (t) => {
    const { clock } = start(t, { pingIntervalMs: 0 })
    const ws = accept()
    clock.advance(3_600_000)
    assert.equal(ws.sent.filter((m) => m.type === 'ping').length, 0)
  })
})

describe('client: SSE fallback', () => {
  test('auto: two failed WebSocket opens in a row, then SSE with the subscription in the query', async (t) => {
    const f = fakeFetch()
    const { client, clock, log } = start(t, {
      transport: 'auto',
      fetch: f.fetch,
      token: 'jwt',
      since: '1.start',
      filter: { languages: ['bn'], tickerFieldsOnly: true },
    })
    FakeWebSocket.last.fail()
    assert.equal(log.states.at(-1)?.transport, 'websocket')
    clock.next()
    FakeWebSocket.last.fail()
    assert.equal(log.states.at(-1)?.transport, 'sse', 'the next attempt will use SSE')
    const res = new FakeSseResponse()
    f.responses.push(res)
    clock.next()
    assert.equal(FakeWebSocket.instances.length, 2)
    await flush()
    assert.equal(client.state, 'connected')
    assert.equal(client.transport, 'sse')
    const url = new URL(f.requests[0]?.url ?? '')
    assert.equal(url.origin + url.pathname, 'https://news.example/v1/sse')
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      channels: 'breaking',
      languages: 'bn',
      tickerFieldsOnly: '1',
      since: '1.start',
      token: 'jwt',
    })
    assert.equal(f.requests[0]?.headers.accept, 'text/event-stream')
    res.frame('subscribed', { type: 'subscribed', channels: ['breaking'], position: '1.start', snapshot: [] }, '1.start')
    res.frame('event', eventFrame('a', 1, '1.a'), '1.a')
    res.write('event: withdrawn\nid: 1.b\ndata: {"articleId":"a","reason":"legal"}\n\n') // type and position from the SSE fields
    await flush()
    assert.deepEqual(log.eventIds, ['a-v1'])
    // a server that does not say why: cause null
    assert.deepEqual(log.withdrawn, [{ type: 'withdrawn', position: '1.b', articleId: 'a', reason: 'legal', cause: null }])
    assert.equal(client.position, '1.b')
    // the stream ends: reconnect over SSE from the last position
    f.responses.push(new FakeSseResponse())
    res.end()
    await flush()
    assert.equal(client.state, 'reconnecting')
    clock.next()
    await flush()
    assert.equal(new URL(f.requests[1]?.url ?? '').searchParams.get('since'), '1.b')
    assert.equal(client.state, 'connected')
  })

  test("transport 'websocket' never falls back", (t) => {
    const f = fakeFetch()
    const { clock } = start(t, { transport: 'websocket', fetch: f.fetch })
    for (let i = 0; i < 6; i++) {
      FakeWebSocket.last.fail()
      clock.next()
    }
    assert.equal(f.requests.length, 0)
  })

  test('auto goes back to WebSocket when SSE fails to open twice too', async (t) => {
    const f = fakeFetch()
    const { clock, log } = start(t, { transport: 'auto', fetch: f.fetch })
    FakeWebSocket.last.fail()
    clock.next()
    FakeWebSocket.last.fail()
    clock.next()
    await flush()
    clock.next()
    await flush()
    assert.equal(f.requests.length, 2)
    assert.equal(log.states.at(-1)?.transport, 'websocket')
    clock.next()
    assert.equal(FakeWebSocket.instances.length, 3)
  })

  test('SSE: HTTP 401 fails without retry; 429 waits at least 5 s; retry: hint is honoured', async (t) => {
    const f = fakeFetch()
    f.responses.push(new FakeSseResponse(401))
    const { client } = start(t, { transport: 'sse', fetch: f.fetch })
    await flush()
    assert.equal(client.state, 'failed')
    assert.equal(client.stats.attempts, 1)

    const g = fakeFetch()
    g.responses.push(new FakeSseResponse(429))
    const second = start(t, { transport: 'sse', fetch: g.fetch, random: () => 0 })
    await flush()
    assert.equal(second.log.states.at(-1)?.delayMs, 5_000)
    assert.equal(second.log.states.at(-1)?.status, 429)

    const h = fakeFetch()
    const res = new FakeSseResponse()
    h.responses.push(res)
    const third = start(t, { transport: 'sse', fetch: h.fetch, random: () => 0 })
    await flush()
    res.write('retry: 3000\n\n').frame('subscribed', { type: 'subscribed', channels: [], position: 'x', snapshot: [] })
    await flush()
    res.end()
    await flush()
    assert.equal(third.log.states.at(-1)?.delayMs, 3_000)
  })

  test('SSE: a response that is not an event stream counts as a failed open', async (t) => {
    const f = fakeFetch()
    f.responses.push(new FakeSseResponse(200, 'text/html'))
    const { client, log } = start(t, { transport: 'sse', fetch: f.fetch })
    await flush()
    assert.equal(client.state, 'reconnecting')
    assert.match(log.states.at(-1)?.reason ?? '', /not an event stream/)
  })

  test('SSE: silence for pingIntervalMs + pongTimeoutMs (heartbeat comments count) means reconnect', async (t) => {
    const f = fakeFetch()
    const res = new FakeSseResponse()
    f.responses.push(res)
    const { client, clock, log } = start(t, { transport: 'sse', fetch: f.fetch })
    await flush()
    clock.advance(30_000)
    res.write(': heartbeat\n')
    await flush()
    clock.advance(30_000)
    assert.equal(client.state, 'connected')
    clock.advance(5_000)
    assert.equal(client.state, 'reconnecting')
    assert.match(log.states.at(-1)?.reason ?? '', /no traffic for 35000 ms/)
  })

  test('an injected EventSource is used for SSE', (t) => {
    const created: FakeEventSource[] = []
    class FakeEventSource {
      readyState = 0
      url: string
      listeners = new Map<string, (ev: SseMessageEventLike) => unknown>()
      onopen: ((ev: unknown) => void) | null = null
      onmessage: ((ev: unknown) => void) | null = null
      onerror: ((ev: { data?: unknown }) => void) | null = null
      closed = false
      constructor(url: string) {
        this.url = url
        created.push(this)
      }
      addEventListener(type: string, fn: (ev: SseMessageEventLike) => unknown) {
        this.listeners.set(type, fn)
      }
      close() {
        this.closed = true
      }
    }
    const { client, log } = start(t, { transport: 'sse', EventSource: FakeEventSource })
    const es = created[0]
    assert.ok(es)
    es.onopen?.({})
    assert.equal(client.state, 'connected')
    es.listeners.get('event')?.({ type: 'event', data: JSON.stringify(eventFrame('a', 1, 'p1')), lastEventId: 'p1' })
    es.onerror?.({ data: JSON.stringify({ code: 'forbidden_channel', message: 'no' }) })
    assert.deepEqual(log.eventIds, ['a-v1'])
    assert.equal(log.errors[0]?.details.serverCode, 'forbidden_channel')
    es.onerror?.({})
    assert.equal(es.closed, true, 'EventSource is stopped so it does not retry on its own')
    assert.equal(client.state, 'reconnecting')
  })
})

describe('client: update, close, async iterator', () => {
  test('update() over WebSocket: unsubscribe, then subscribe with since; stale acks ignored', (t) => {
    const { client, log } = start(t)
    const ws = accept('p0').push(eventFrame('a', 1, 'p1'))
    client.update(['breaking', 'category:sports'], { languages: ['bn'] })
    assert.deepEqual(ws.sent.slice(-2), [
      { type: 'unsubscribe', id: 's1' },
      { type: 'subscribe', id: 's2', channels: ['breaking', 'category:sports'], filter: { languages: ['bn'] }, since: 'p1' },
    ])
    ws.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'old', snapshot: [] })
    assert.equal(client.position, 'p1')
    ws.push({ type: 'subscribed', id: 's2', channels: ['breaking', 'category:sports'], position: 'p1', snapshot: [articleEvent('s', 1)] })
    assert.deepEqual(log.eventIds, ['a-v1', 's-v1'])
    client.update(['all'])
    assert.deepEqual(ws.sent.at(-1)?.filter, { languages: ['bn'] }, 'filter omitted: kept')
    assert.throws(() => client.update([]), TypeError)
  })

  test('update() while disconnected applies at the next connect', (t) => {
    const { client, clock } = start(t)
    FakeWebSocket.last.fail()
    client.update(['category:sports'], {})
    clock.next()
    FakeWebSocket.last.open()
    assert.deepEqual(FakeWebSocket.last.subscribes[0], { type: 'subscribe', id: 's1', channels: ['category:sports'], filter: {} })
  })

  test('close(): disconnected, idempotent, closes the socket with 1000, no timers left', async (t) => {
    const { client, clock, log } = start(t)
    const ws = accept()
    const first = client.close()
    assert.equal(client.close(), first)
    await first
    assert.equal(client.state, 'disconnected')
    assert.deepEqual(ws.closedWith, { code: 1000, reason: 'client closed' })
    assert.deepEqual(clock.pending, [])
    ws.push(eventFrame('a', 1, 'p1'))
    assert.deepEqual(log.eventIds, [], 'nothing is delivered after close')
    clock.advance(3_600_000)
    assert.equal(FakeWebSocket.instances.length, 1)
  })

  test('close() while waiting to reconnect cancels the retry', async (t) => {
    const { client, clock } = start(t)
    FakeWebSocket.last.fail()
    await client.close()
    clock.advance(60_000)
    assert.equal(FakeWebSocket.instances.length, 1)
  })

  test('async iterator yields event, withdrawn, gap and reset in order and ends on close', async (t) => {
    const { client } = start(t)
    const ws = accept()
    const got: StreamMessage[] = []
    const done = (async () => {
      for await (const m of client) got.push(m)
    })()
    ws.push(eventFrame('a', 1, 'p1'))
    ws.push({ type: 'withdrawn', position: 'p2', articleId: 'a', reason: null })
    ws.push({ type: 'gap', position: 'p2', shed: { routine: 3 }, conflated: 1 })
    ws.push({ type: 'reset', position: 'p3', snapshot: [] })
    await client.close()
    await done
    assert.deepEqual(
      got.map((m) => m.type),
      ['event', 'withdrawn', 'gap', 'reset'],
    )
    assert.deepEqual(got[2], { type: 'gap', position: 'p2', shed: { routine: 3 }, conflated: 1 })
  })

  test('async iterator throws the failure after draining what arrived', async (t) => {
    const { client } = start(t)
    const ws = accept()
    const iterator = client[Symbol.asyncIterator]()
    ws.push(eventFrame('a', 1, 'p1'))
    ws.drop(4401, 'bad token')
    assert.equal((await iterator.next()).done, false)
    await assert.rejects(iterator.next(), { code: 'NEWSWIRE_ERR_CLIENT_UNAUTHORIZED' })
    assert.equal((await iterator.next()).done, true)
  })

  test('breaking out of for-await removes the listeners', async (t) => {
    const { client } = start(t)
    const ws = accept()
    ws.push(eventFrame('a', 1, 'p1'))
    const it = client[Symbol.asyncIterator]()
    ws.push(eventFrame('b', 1, 'p2'))
    for await (const m of it) {
      assert.equal(m.type, 'event')
      break
    }
    ws.push(eventFrame('c', 1, 'p3'))
    assert.equal((await it.next()).done, true)
  })
})
