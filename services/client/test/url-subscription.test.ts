// The subscription named in the stream's URL: the SDK puts its view and id there and offers
// `newswire.url-subscription`; a server answering with it took the subscription, and is sent no
// `subscribe` (one round trip less); any other answer (an older server) is sent the message, with
// the same id and view. A change of view while the socket is still opening reopens it, as SSE does.
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import { connect } from '../src/index.ts'
import { urlSubscriptionProtocol } from '../src/protocol.ts'
import { FakeWebSocket } from './fakes.ts'
import { start } from './harness.ts'

beforeEach(() => FakeWebSocket.reset())

const query = (ws: FakeWebSocket) => Object.fromEntries(new URL(ws.url).searchParams)

describe('client: the subscription in the URL', () => {
  test('a server that takes it is sent no subscribe; its subscribed and events are delivered', (t) => {
    const { client, log } = start(t, { channels: ['breaking'], filter: { languages: ['bn'] }, entries: 3 })
    const ws = FakeWebSocket.last
    assert.deepEqual(query(ws), { channels: 'breaking', languages: 'bn', entries: '3', id: 's1', batch: '1' })
    ws.open(urlSubscriptionProtocol)
    assert.deepEqual(ws.sent, [])
    ws.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'p1', snapshot: [] })
    assert.equal(client.position, 'p1')
    assert.equal(client.state, 'connected')
    assert.deepEqual(log.stateNames, ['connected'])
  })

  test('an older server (newswire, or nothing answered) is sent the URL subscription as a message, same id and view', (t) => {
    for (const answered of ['newswire', '']) {
      FakeWebSocket.reset()
      start(t, { channels: ['breaking'], filter: { maxUrgency: 2 }, since: '1.saved', catchUp: 'latest' })
      const ws = FakeWebSocket.last.open(answered)
      assert.deepEqual(query(ws), { channels: 'breaking', maxUrgency: '2', since: '1.saved', catchUp: 'latest', id: 's1', batch: '1' })
      assert.deepEqual(
        ws.subscribes,
        [{ type: 'subscribe', id: 's1', channels: ['breaking'], filter: { maxUrgency: 2 }, since: '1.saved', catchUp: 'latest' }],
        answered,
      )
    }
  })

  test('a subscribed for an id that is not the current one is ignored (an older server answering both)', (t) => {
    const { client } = start(t)
    const ws = FakeWebSocket.last.open(urlSubscriptionProtocol)
    ws.push({ type: 'subscribed', id: 's0', channels: ['breaking'], position: 'other', snapshot: [] })
    assert.equal(client.position, null)
    ws.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'p1', snapshot: [] })
    assert.equal(client.position, 'p1')
  })

  test('a view with a comma in a list item is not named in the URL (two names there, one in a message): it goes as a message', (t) => {
    for (const o of [{ channels: ['category:a,category:b'] }, { filter: { languages: ['bn,en'] } }]) {
      FakeWebSocket.reset()
      start(t, { token: 'opaque token/1', ...o })
      const ws = FakeWebSocket.last
      assert.deepEqual(query(ws), { token: 'opaque token/1', batch: '1' })
      ws.open('newswire')
      assert.equal(ws.subscribes.length, 1)
      assert.equal(ws.subscribes[0]?.id, 's1')
    }
  })

  test("the subscription in the URL is the SDK's alone: an app's URL naming one is not taken beside it (red23c)", (t) => {
    FakeWebSocket.reset()
    const client = connect('wss://news.example/v1/stream?languages=en&channels=category:x&id=s9&since=0.old&proxy=keep', {
      channels: ['breaking'],
      WebSocket: FakeWebSocket,
      transport: 'websocket',
    })
    t.after(() => client.close())
    assert.deepEqual(query(FakeWebSocket.last), { proxy: 'keep', channels: 'breaking', id: 's1', batch: '1' })
  })

  test('a reconnect names the resume position and a fresh id in its URL', (t) => {
    const { clock } = start(t)
    const first = FakeWebSocket.last.open(urlSubscriptionProtocol)
    first.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'p1', snapshot: [] })
    first.push({ type: 'event', channel: 'breaking', position: 'p2', event: eventOf('a') })
    first.drop()
    clock.next()
    const second = FakeWebSocket.last
    assert.notEqual(second, first)
    const q = query(second)
    assert.equal(q.since, 'p2')
    assert.notEqual(q.id, 's1')
    second.open(urlSubscriptionProtocol)
    assert.deepEqual(second.sent, [])
  })

  test('update() while the socket is still opening: reopened for the new view, the old socket closed', (t) => {
    const { client } = start(t, { channels: ['breaking'] })
    const opening = FakeWebSocket.last
    client.update(['category:sports'], { languages: ['en'] })
    assert.deepEqual(opening.closedWith, { code: 1000, reason: 'subscription updated' })
    const reopened = FakeWebSocket.last
    assert.notEqual(reopened, opening)
    assert.equal(query(reopened).channels, 'category:sports')
    assert.equal(query(reopened).languages, 'en')
    // a fresh view: no resume position
    assert.equal(query(reopened).since, undefined)
    reopened.open(urlSubscriptionProtocol)
    assert.deepEqual(reopened.sent, [])
    assert.equal(client.state, 'connected')
  })

  test("update() in a 'connected' listener: the view is replaced once, whatever the server answered", (t) => {
    for (const answered of [urlSubscriptionProtocol, 'newswire']) {
      FakeWebSocket.reset()
      const { client } = start(t, { channels: ['breaking'] })
      const off = client.on('state', ({ state }) => {
        if (state !== 'connected') return
        off()
        client.update(['category:sports'])
      })
      const ws = FakeWebSocket.last.open(answered)
      const sent = ws.sent.map((m) => [m.type, m.id])
      // an older server took nothing: the new view is its only subscription, no unsubscribe of one it never had
      const expected =
        answered === 'newswire'
          ? [['subscribe', 's2']]
          : [
              ['unsubscribe', 's1'],
              ['subscribe', 's2'],
            ]
      assert.deepEqual(sent, expected, answered)
    }
  })

  test('update() on an open socket whose URL subscription was taken: unsubscribe it, subscribe the new view', (t) => {
    const { client } = start(t, { channels: ['breaking'] })
    const ws = FakeWebSocket.last.open(urlSubscriptionProtocol)
    client.update(['category:sports'])
    assert.deepEqual(
      ws.sent.map((m) => [m.type, m.id]),
      [
        ['unsubscribe', 's1'],
        ['subscribe', 's2'],
      ],
    )
    assert.equal(FakeWebSocket.instances.length, 1)
  })
})

function eventOf(id: string) {
  return {
    eventId: `e-${id}`,
    type: 'created',
    occurredAt: '2026-12-07T00:00:00.000Z',
    article: { id, version: 1, headline: id, language: 'en', category: 'world', urgency: 3, pubStatus: 'usable', body: '' },
  }
}
