// The reconnect state machine, driven by a fake clock and a scripted WebSocket class: reconnecting
// (backoff, resume positions, server hints) and the SSE fallback.
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import { backoffCeiling, defaultBackoff, type SseMessageEventLike } from '../src/index.ts'
import { articleEvent, eventFrame, FakeSseResponse, FakeWebSocket, fakeFetch, flush } from './fakes.ts'
import { accept, start } from './harness.ts'

beforeEach(() => FakeWebSocket.reset())

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

  test('the default memory of what was delivered outlasts a long replay: nothing is doubled after a reconnect', (t) => {
    const { clock, log } = start(t)
    let ws = accept()
    const frames = Array.from({ length: 500 }, (_, i) => eventFrame(`a${i}`, 1, `p${i + 1}`))
    for (const f of frames) ws.push(f)
    ws.drop(1006)
    clock.next()
    ws = FakeWebSocket.last.open()
    // a server resuming from further back than the client's position: all of it again
    ws.push({ type: 'subscribed', id: 's2', channels: ['breaking'], position: 'p0', snapshot: [] })
    for (const f of frames) ws.push(f)
    assert.equal(log.events.length, 500)
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
    })
    assert.equal(f.requests[0]?.headers.accept, 'text/event-stream')
    assert.equal(f.requests[0]?.headers.authorization, 'Bearer jwt')
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
    // the server's first line, written with the head (an SSE stream is open at its first byte)
    res.write('retry: 2000\n\n')
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

  // red20 attack run: a proxy passing the stream in blocks held a kill for as long as the reader
  // stayed, resume after resume (services/fanout/test/red20-sse-buffering-proxy.test.ts)
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

  // EventSource hands a named event only to a listener of that name: one left out is dropped in
  // silence (stop 42 sweep, kx3: a kill never reached the app)
  test('an injected EventSource hands on every named event the server sends, kills and gaps included', (t) => {
    const created: { listeners: Map<string, (ev: SseMessageEventLike) => unknown>; onopen: ((ev: unknown) => void) | null }[] = []
    class FakeEventSource {
      readyState = 0
      listeners = new Map<string, (ev: SseMessageEventLike) => unknown>()
      onopen: ((ev: unknown) => void) | null = null
      onmessage: ((ev: unknown) => void) | null = null
      onerror: ((ev: { data?: unknown }) => void) | null = null
      constructor(_url: string) {
        created.push(this)
      }
      addEventListener(type: string, fn: (ev: SseMessageEventLike) => unknown) {
        this.listeners.set(type, fn)
      }
      close() {}
    }
    const { client, log } = start(t, { transport: 'sse', EventSource: FakeEventSource })
    const gaps: unknown[] = []
    client.on('gap', (g) => gaps.push(g))
    const es = created[0]
    assert.ok(es)
    es.onopen?.({})
    // the server names each SSE event by its message's type, and leaves `type` out of the data
    const send = (name: string, data: Record<string, unknown>, id: string) => {
      const listener = es.listeners.get(name)
      assert.ok(listener, `a listener for '${name}'`)
      listener({ type: name, data: JSON.stringify(data), lastEventId: id })
    }
    send('subscribed', { channels: ['breaking'], snapshot: [] }, 'p0')
    const { type: _event, ...event } = eventFrame('a', 1, 'p1')
    send('event', event, 'p1')
    send('withdrawn', { articleId: 'a', version: 2, reason: 'legal', cause: 'withdrawn' }, 'p2')
    send('gap', { shed: { routine: 2 }, conflated: 0 }, 'p3')
    send('reset', { snapshot: [], more: null }, 'p4')
    assert.deepEqual(log.eventIds, ['a-v1'])
    assert.deepEqual(
      log.withdrawn.map((w) => [w.articleId, w.cause]),
      [['a', 'withdrawn']],
    )
    assert.equal(gaps.length, 1)
    assert.equal(log.resets.length, 1)
    assert.equal(client.position, 'p4')
    assert.deepEqual(log.errors, [])
  })
})
