// The reconnect state machine, driven by a fake clock and a scripted WebSocket class: connecting,
// delivering, liveness, update and close (reconnecting and the SSE fallback: client-reconnect.test.ts).
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import { connect, type FetchLike, type StreamMessage } from '../src/index.ts'
import { articleEvent, eventFrame, FakeSseResponse, FakeWebSocket, fakeFetch, flush } from './fakes.ts'
import { accept, start } from './harness.ts'

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

  test('a throwing listener keeps no other listener from a kill; the same function on twice is two listeners', (t) => {
    const { client, log } = start(t)
    client.on('withdrawn', () => {
      throw new Error('boom')
    })
    const after: string[] = []
    client.on('withdrawn', (w) => after.push(w.articleId))
    const twice: string[] = []
    const note = (w: { articleId: string }) => void twice.push(w.articleId)
    const offFirst = client.on('withdrawn', note)
    client.on('withdrawn', note)
    const ws = accept()
    ws.push(eventFrame('a', 1, 'p1'))
    ws.push({ type: 'withdrawn', position: 'p2', articleId: 'a', reason: 'legal' })
    assert.deepEqual(after, ['a'], 'a listener after the throwing one still hears of the kill')
    assert.deepEqual(twice, ['a', 'a'])
    offFirst()
    ws.push(eventFrame('b', 1, 'p3'))
    ws.push({ type: 'withdrawn', position: 'p4', articleId: 'b', reason: 'legal' })
    assert.deepEqual(twice, ['a', 'a', 'b'], 'one handle takes off one registration, not both')
    assert.deepEqual(
      log.errors.map((e) => e.code),
      ['NEWSWIRE_ERR_CLIENT_LISTENER', 'NEWSWIRE_ERR_CLIENT_LISTENER'],
    )
  })

  test('the filter is the one given at connect(): the caller changing its object later, its lists in place included, changes no resume', (t) => {
    const filter = { languages: ['bn'] }
    const { clock } = start(t, { filter })
    const first = accept()
    first.push(eventFrame('a', 1, 'p1'))
    // a resume with another view and no fresh snapshot would leave the app's list half one view, half the other
    filter.languages.push('en')
    filter.languages = ['fr']
    first.drop()
    clock.next()
    const second = FakeWebSocket.last.open()
    assert.deepEqual(second.subscribes[0], {
      type: 'subscribe',
      id: 's2',
      channels: ['breaking'],
      filter: { languages: ['bn'] },
      since: 'p1',
    })
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
    assert.throws(() => connect('wss://h', { ...base, token: '' }), TypeError)
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

describe('client: update, close, async iterator', () => {
  test('update() over WebSocket: unsubscribe, then a fresh subscribe whose snapshot is a reset; stale acks ignored', (t) => {
    const { client, log } = start(t)
    const ws = accept('p0').push(eventFrame('a', 1, 'p1'))
    client.update(['breaking', 'category:sports'], { languages: ['bn'] })
    // no `since`: resumed, the new view would bring nothing it adds, and a story held from the
    // old view would never hear of its kill (red5 attack run)
    assert.deepEqual(ws.sent.slice(-2), [
      { type: 'unsubscribe', id: 's1' },
      { type: 'subscribe', id: 's2', channels: ['breaking', 'category:sports'], filter: { languages: ['bn'] } },
    ])
    ws.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'old', snapshot: [] })
    assert.equal(client.position, 'p1')
    ws.push({
      type: 'subscribed',
      id: 's2',
      channels: ['breaking', 'category:sports'],
      position: 'p2',
      snapshot: [articleEvent('s', 1), articleEvent('a', 1)],
      more: 'c1',
    })
    assert.deepEqual(log.eventIds, ['a-v1'], 'the new view arrives as a reset, not as events')
    assert.deepEqual(
      log.resets.map((r) => [r.position, r.snapshot.map((e) => e.eventId), r.more]),
      [['p2', ['s-v1', 'a-v1'], 'c1']],
      'the whole snapshot, a-v1 too: it replaces what the reader holds',
    )
    assert.equal(log.subscribed.at(-1)?.snapshotSize, 2)
    assert.equal(client.position, 'p2')
    // later subscriptions of this view resume as usual
    ws.push(eventFrame('b', 1, 'p3'))
    assert.deepEqual(log.eventIds, ['a-v1', 'b-v1'])
    client.update(['all'])
    assert.deepEqual(ws.sent.at(-1)?.filter, { languages: ['bn'] }, 'filter omitted: kept')
    assert.throws(() => client.update([]), TypeError)
  })

  test("update()'s filter is copied too: its lists changed in place later change no resume", (t) => {
    const { client, clock } = start(t)
    accept('p0')
    const filter = { languages: ['bn'] }
    client.update(['breaking'], filter)
    FakeWebSocket.last.push(eventFrame('a', 1, 'p1'))
    filter.languages.push('en')
    FakeWebSocket.last.drop()
    clock.next()
    FakeWebSocket.last.open()
    assert.deepEqual(
      FakeWebSocket.last.subscribes.map((m) => m.filter),
      [{ languages: ['bn'] }],
    )
  })

  test('update() while disconnected applies at the next connect, fresh', (t) => {
    const { client, clock, log } = start(t)
    accept('p0').push(eventFrame('a', 1, 'p1'))
    FakeWebSocket.last.fail()
    client.update(['category:sports'], {})
    clock.next()
    FakeWebSocket.last.open()
    assert.deepEqual(FakeWebSocket.last.subscribes[0], { type: 'subscribe', id: 's2', channels: ['category:sports'], filter: {} })
    // a drop before the new view's snapshot: the next connect is still fresh
    FakeWebSocket.last.fail()
    clock.next()
    accept('p5', [articleEvent('s', 1)])
    assert.deepEqual(
      FakeWebSocket.last.subscribes.map((m) => m.since),
      [undefined],
    )
    assert.deepEqual(
      log.resets.map((r) => r.snapshot.map((e) => e.eventId)),
      [['s-v1']],
    )
    // and once it came, reconnects resume from it
    FakeWebSocket.last.fail()
    clock.next()
    FakeWebSocket.last.open()
    assert.deepEqual(
      FakeWebSocket.last.subscribes.map((m) => m.since),
      ['p5'],
    )
  })

  // SSE carries the view in its URL: a stream still opening was asked for the old one (rev31 review)
  test('update() over SSE while the reopened stream is still opening: reopened again for the last view, fresh', async (t) => {
    const f = fakeFetch()
    const [r1, r2, r3, r4] = [new FakeSseResponse(), new FakeSseResponse(), new FakeSseResponse(), new FakeSseResponse()]
    f.responses.push(r1, r2, r3, r4)
    const { client, clock, log } = start(t, { transport: 'sse', fetch: f.fetch, channels: ['breaking'] })
    await flush()
    r1.frame('subscribed', { type: 'subscribed', channels: ['breaking'], position: 'p1', snapshot: [] }, 'p1')
    await flush()
    client.update(['category:sports'])
    client.update(['lang:bn'])
    await flush()
    const view = (i: number) => {
      const q = new URL(f.requests[i]?.url as string).searchParams
      return [q.get('channels'), q.get('since')]
    }
    assert.deepEqual(
      [view(1), view(2)],
      [
        ['category:sports', null],
        ['lang:bn', null],
      ],
    )
    assert.deepEqual(client.channels, ['lang:bn'])
    r3.frame('subscribed', { type: 'subscribed', channels: ['lang:bn'], position: 'p3', snapshot: [articleEvent('b', 1)] }, 'p3')
    await flush()
    assert.deepEqual(
      log.resets.map((r) => [r.position, r.snapshot.map((e) => e.eventId)]),
      [['p3', ['b-v1']]],
    )
    // the stream drops: the reconnect resumes the last view from its own position
    r3.end()
    await flush()
    clock.next()
    await flush()
    assert.deepEqual(view(3), ['lang:bn', 'p3'])
    assert.equal(f.requests.length, 4)
  })

  test('update() over SSE before the first stream opened: that stream is replaced by one for the new view', async (t) => {
    const f = fakeFetch()
    const [r1, r2] = [new FakeSseResponse(), new FakeSseResponse()]
    f.responses.push(r1, r2)
    const { client, log } = start(t, { transport: 'sse', fetch: f.fetch, channels: ['all'], token: 'newsroom' })
    client.update(['category:sports'])
    await flush()
    assert.deepEqual(
      f.requests.map((r) => new URL(r.url).searchParams.get('channels')),
      ['all', 'category:sports'],
    )
    assert.deepEqual(
      log.states.map((s) => s.state),
      ['connected'],
      'no reconnecting: it is still the first connection',
    )
    r2.frame('subscribed', { type: 'subscribed', channels: ['category:sports'], position: 'p1', snapshot: [] }, 'p1')
    await flush()
    assert.equal(client.state, 'connected')
    assert.equal(client.position, 'p1')
  })

  // updates faster than the connect timeout, against a server that never answers (rev32 review)
  test('update() over SSE replacing a stream still opening keeps its connect deadline', async (t) => {
    const urls: string[] = []
    const hanging: FetchLike = (url, init) => {
      urls.push(url)
      return new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))))
    }
    const { client, clock, log } = start(t, { transport: 'sse', fetch: hanging, connectTimeoutMs: 10_000, channels: ['category:sports'] })
    await flush()
    clock.advance(4_000)
    client.update(['category:politics'])
    await flush()
    clock.advance(4_000)
    client.update(['category:sports'])
    await flush()
    assert.equal(urls.length, 3)
    assert.equal(client.state, 'connecting')
    clock.advance(1_999)
    assert.equal(client.state, 'connecting')
    clock.advance(1)
    assert.equal(client.state, 'reconnecting', '10 s after the first request, not after the last')
    assert.match(log.states.at(-1)?.reason ?? '', /not connected within 10000 ms/)
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

  // seventh mutation batch, dl12: a listener that closes the client stops the snapshot where it is
  test('close() from a listener in the middle of a snapshot: nothing more is delivered', async (t) => {
    const { client, log } = start(t)
    const ws = accept()
    client.on('event', () => void client.close())
    ws.push({
      type: 'subscribed',
      channels: ['breaking'],
      position: 'p1',
      snapshot: [articleEvent('a', 1), articleEvent('b', 1), articleEvent('c', 1)],
    })
    await flush()
    assert.deepEqual(log.eventIds, ['a-v1'])
  })

  // seventh mutation batch, cl10: a state listener closing the client as it connects; without the
  // check the client went on to subscribe and ping, found no answer and opened a new connection
  test("close() from a listener of 'connected': nothing sent, no timers left, no new connection", async (t) => {
    const { client, clock } = start(t)
    client.on('state', ({ state }) => {
      if (state === 'connected') void client.close()
    })
    const ws = FakeWebSocket.last.open()
    await flush()
    assert.equal(client.state, 'disconnected')
    assert.deepEqual(ws.sent, [])
    assert.deepEqual(clock.pending, [])
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
