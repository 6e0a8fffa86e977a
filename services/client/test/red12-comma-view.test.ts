// red12 attack run (2026-12-05): a stream view holding a comma (`filter: { languages: ['bn,en'] }`,
// `channels: ['category:a,category:b']`) meant one name over the WebSocket and two on the query
// routes. The SDK wrote it to the WebSocket as one item (a tag no story has: the stream carried
// nothing of it, or a channel the server refused), joined it into the query of older() and
// counts() (two items there), and judged that view within the stream's by splitting the stream's
// lists on commas too (narrower.ts). So older() paged in stories the stream never carried, and
// their kills never reached the reader. Fixed: connect() and update() refuse a channel or a filter
// item holding a comma (one name per item), so a view means one thing on every route; the server
// refuses such a filter over the WebSocket too (fan-out test red12-comma-view.test.ts).
import assert from 'node:assert/strict'
import { beforeEach, test } from 'node:test'
import { type ConnectOptions, connect } from '../src/index.ts'
import { FakeClock, FakeWebSocket, jsonFetch } from './fakes.ts'

beforeEach(() => FakeWebSocket.reset())

const base = (o: Partial<ConnectOptions>): ConnectOptions => ({
  channels: ['breaking'],
  WebSocket: FakeWebSocket,
  transport: 'websocket',
  fetch: jsonFetch().fetch,
  clock: new FakeClock(),
  random: () => 0.5,
  ...o,
})

const oneName = (field: RegExp) => (err: unknown) => {
  assert.ok(err instanceof TypeError, `a ${String(err)}`)
  assert.match(err.message, field)
  assert.match(err.message, /one name per item/)
  return true
}

test('connect() refuses a channel or a filter item holding a comma: the WebSocket and older() would read it differently', () => {
  assert.throws(() => connect('wss://news.example', base({ filter: { languages: ['bn,en'] } })), oneName(/filter\.languages/))
  assert.throws(() => connect('wss://news.example', base({ filter: { categories: ['world, home'] } })), oneName(/filter\.categories/))
  assert.throws(() => connect('wss://news.example', base({ channels: ['category:world,category:home'] })), oneName(/channels/))
  assert.equal(FakeWebSocket.instances.length, 0, 'no connection was opened')
  // one name per item is the same view
  const client = connect('wss://news.example', base({ channels: ['category:world', 'category:home'], filter: { languages: ['bn', 'en'] } }))
  void client.close()
})

test('update() refuses them too, and keeps the view it had', () => {
  const client = connect('wss://news.example', base({ filter: { languages: ['bn'] } }))
  const ws = FakeWebSocket.last.open()
  ws.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'p1', snapshot: [], more: null })
  const sent = ws.sent.length
  assert.throws(() => client.update(['breaking'], { languages: ['bn,en'] }), oneName(/filter\.languages/))
  assert.throws(() => client.update(['lang:bn,lang:en']), oneName(/channels/))
  assert.equal(ws.sent.length, sent, 'nothing was sent for a refused view')
  void client.close()
})
