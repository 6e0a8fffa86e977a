// The client's lifecycle, driven by a fake clock and a scripted WebSocket class: liveness (pings,
// dead links), update(), close() and the async iterator (connecting and delivering: client.test.ts).
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import type { FetchLike, StreamMessage } from '../src/index.ts'
import { articleEvent, eventFrame, FakeSseResponse, FakeWebSocket, fakeFetch, flush } from './fakes.ts'
import { accept, start } from './harness.ts'

beforeEach(() => FakeWebSocket.reset())

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
