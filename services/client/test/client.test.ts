// The reconnect state machine, driven by a fake clock and a scripted WebSocket class: connecting,
// delivering (liveness, update and close: client-lifecycle.test.ts; reconnecting and the SSE fallback:
// client-reconnect.test.ts).
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import { connect } from '../src/index.ts'
import { articleEvent, eventFrame, FakeWebSocket } from './fakes.ts'
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
    // the subscription named in the URL too (url-subscription.test.ts); this server does not take it
    const q = new URL(ws.url).searchParams
    assert.equal(q.get('channels'), 'breaking,category:international')
    assert.equal(q.get('id'), 's1')
    assert.deepEqual(ws.protocols, ['newswire', 'newswire.url-subscription', 'newswire.bearer.jwt.token'])
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
    // a legal erasure says so, for a desk that keeps killed stories (red21d's report)
    ws.push({ type: 'withdrawn', position: 'p5', articleId: 'b', reason: 'court order', cause: 'withdrawn', erased: true })
    assert.deepEqual(log.withdrawn.at(-1), {
      type: 'withdrawn',
      position: 'p5',
      articleId: 'b',
      reason: 'court order',
      cause: 'withdrawn',
      erased: true,
    })
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
