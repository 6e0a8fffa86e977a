// Batches (src/batch.ts): the SDK asks for them on its WebSocket and reads a frame holding several
// messages, a line each, exactly as it reads those messages one frame each.
import assert from 'node:assert/strict'
import { beforeEach, test, type TestContext } from 'node:test'
import { batchUrl, browserWebSocket, messagesOf } from '../src/batch.ts'
import { connect } from '../src/index.ts'
import { eventFrame, FakeClock, FakeWebSocket } from './fakes.ts'
import { accept, start } from './harness.ts'

beforeEach(() => FakeWebSocket.reset())

/** A client on the fakes, subscribed at p0. */
function started(t: TestContext) {
  const { client, log } = start(t)
  return { client, log, ws: accept('p0') }
}

test('the stream URL asks for batches, keeping what it had', () => {
  assert.equal(batchUrl('wss://h/v1/stream'), 'wss://h/v1/stream?batch=1')
  assert.equal(batchUrl('wss://h/v1/stream?token=a.b.c'), 'wss://h/v1/stream?token=a.b.c&batch=1')
  assert.deepEqual(messagesOf('{"a":1}'), ['{"a":1}'])
  assert.deepEqual(messagesOf('{"a":"x\\ny"}\n{"b":2}'), ['{"a":"x\\ny"}', '{"b":2}'], 'an escaped line feed is inside a message')
})

test('compressed batches: asked for with deflate=1, only by a browser; a Node reader keeps plain batches', (t) => {
  assert.equal(batchUrl('wss://h/v1/stream?token=a.b.c', true), 'wss://h/v1/stream?token=a.b.c&batch=1&deflate=1')
  // the global WebSocket is the one the SDK takes by default, and Node 21+ has a `navigator`: it
  // is still not a browser's
  const g = globalThis as { WebSocket?: unknown; navigator?: unknown }
  const saved = { WebSocket: g.WebSocket, navigator: Object.getOwnPropertyDescriptor(globalThis, 'navigator') }
  g.WebSocket = FakeWebSocket
  if (saved.navigator === undefined) g.navigator = { userAgent: 'Node.js' }
  t.after(() => {
    g.WebSocket = saved.WebSocket
    if (saved.navigator === undefined) delete g.navigator
  })
  assert.equal(browserWebSocket(FakeWebSocket), false)
  const client = connect('wss://news.example', { channels: ['breaking'], transport: 'websocket', clock: new FakeClock() })
  t.after(() => client.close())
  const url = new URL(FakeWebSocket.last.url)
  assert.equal(url.searchParams.get('batch'), '1')
  assert.equal(url.searchParams.get('deflate'), null, 'Node inflates on a thread pool: it does not ask')
})

test('a batch delivers its messages in order, as single frames would', (t) => {
  const one = started(t)
  for (const m of [
    eventFrame('a', 1, 'p1'),
    eventFrame('b', 1, 'p2'),
    { type: 'withdrawn', position: 'p3', articleId: 'a', reason: 'legal' },
  ])
    one.ws.push(m)
  FakeWebSocket.reset()
  const batched = started(t)
  batched.ws.push(
    [eventFrame('a', 1, 'p1'), eventFrame('b', 1, 'p2'), { type: 'withdrawn', position: 'p3', articleId: 'a', reason: 'legal' }]
      .map((m) => JSON.stringify(m))
      .join('\n'),
  )
  assert.deepEqual(batched.log.eventIds, ['a-v1', 'b-v1'])
  assert.deepEqual(batched.log.eventIds, one.log.eventIds)
  assert.deepEqual(batched.log.withdrawn, one.log.withdrawn)
  assert.equal(batched.client.position, 'p3')
})

test('closing the client from a listener drops the rest of its batch', (t) => {
  const { client, log, ws } = started(t)
  client.on('event', () => void client.close())
  ws.push([eventFrame('a', 1, 'p1'), eventFrame('b', 1, 'p2')].map((m) => JSON.stringify(m)).join('\n'))
  assert.deepEqual(log.eventIds, ['a-v1'])
  assert.equal(client.position, 'p1')
})
