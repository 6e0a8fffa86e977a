// The WebSocket transport's own contract (src/transport.ts `Transport.close`): once closed, no
// handler is called again, not even for the rest of a batch that was being read when a message
// closed it. The client guards every handler with its connection's generation too (client.ts
// `current`), so these drive the transport alone: its check is what holds for any other caller.
import assert from 'node:assert/strict'
import { beforeEach, test } from 'node:test'
import type { ServerFrame } from '../src/types.ts'
import type { CloseInfo, Transport, TransportHandlers } from '../src/transport.ts'
import { openWebSocket } from '../src/ws-transport.ts'
import { eventFrame, FakeWebSocket, flush } from './fakes.ts'

beforeEach(() => FakeWebSocket.reset())

/** A transport on a FakeWebSocket whose handlers log what they are called with; `onFrame` may act on a frame. */
function open(onFrame: (f: ServerFrame, t: Transport) => void = () => {}) {
  const log = { frames: [] as string[], activity: 0, closed: [] as CloseInfo[], errors: 0 }
  const handlers: TransportHandlers = {
    open() {},
    frame(f) {
      log.frames.push(f.type === 'event' ? f.event.eventId : f.type)
      onFrame(f, transport)
    },
    activity: () => void log.activity++,
    retryHint() {},
    protocolError: () => void log.errors++,
    closed: (info) => void log.closed.push(info),
  }
  const transport = openWebSocket('wss://news.example/v1/stream', FakeWebSocket, handlers, false)
  const ws = FakeWebSocket.last.open()
  return { transport, ws, log }
}

const batch = (...frames: unknown[]) => frames.map((f) => JSON.stringify(f)).join('\n')

test('a message that closes the transport mid-batch: the rest of the batch reaches no handler', () => {
  const { ws, log } = open((f, t) => {
    if (f.type === 'event' && f.event.eventId === 'a-v1') void t.close(1000, 'done')
  })
  ws.push(batch(eventFrame('a', 1, 'p1'), eventFrame('b', 1, 'p2'), { type: 'withdrawn', position: 'p3', articleId: 'a' }))
  assert.deepEqual(log.frames, ['a-v1'])
})

test('after close(): later messages and the close event reach nobody', async () => {
  const { transport, ws, log } = open()
  ws.push(eventFrame('a', 1, 'p1'))
  assert.equal(log.activity, 1)
  const gone = transport.close(1000, 'client closed')
  // the server's last words, still in flight when the client closed
  ws.onmessage?.({ data: JSON.stringify(eventFrame('b', 1, 'p2')) })
  await gone
  await flush()
  assert.deepEqual(log.frames, ['a-v1'])
  assert.equal(log.activity, 1, 'no activity either: a closed transport keeps no liveness alive')
  assert.deepEqual(log.closed, [], 'the close the client made is not reported back to it')
})
