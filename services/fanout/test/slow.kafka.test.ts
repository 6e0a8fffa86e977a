// Backpressure: a client that stops reading is conflated, then dropped with 4008, while a
// client that reads keeps getting every event on time.
import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { test } from 'node:test'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { article, connect, eventsOf, publish, scrapeMetric, startTestFanout } from './helpers.ts'

const big = (id: string, n: number) => article(id, { body: [String(n).padEnd(49_000, 'x'), 'y'.repeat(49_000), 'z'.repeat(49_000)] })

test('a client that stops reading is conflated then dropped with 4008; a reading client stays on time', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix, { INGEST_MAX_BODY_BYTES: String(4 * 1024 * 1024) })
  const fanout = await startTestFanout(t, prefix, {
    FANOUT_MAX_BUFFERED_BYTES: String(64 * 1024),
    FANOUT_MAX_PENDING: '20',
    FANOUT_SLOW_CLIENT_MS: '60000',
  })
  const slow = await connect(t, fanout.wsUrl)
  const fast = await connect(t, fanout.wsUrl)
  for (const c of [slow, fast]) c.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
  await slow.next((m) => m.type === 'subscribed')
  await fast.next((m) => m.type === 'subscribed')
  const slowSocket = (slow.ws as unknown as { _socket: Socket })._socket
  slowSocket.pause()

  let published = 0
  let dropped = false
  void slow.closed.then(() => {
    dropped = true
  })
  // distinct articles until the slow one is blocked, then updates of one article (conflated), then more distinct ones
  const t0 = Date.now()
  for (let i = 0; i < 400 && (await scrapeMetric(fanout.url, 'newswire_fanout_slow_client_disconnects_total')) === 0; i++) {
    const phase = Math.floor(i / 40) % 2
    await publish(ingest.url, phase === 0 ? big(`big-${i}`, i) : big('hot', i))
    published++
  }
  assert.ok(Date.now() - t0 < 40_000, 'dropped within the test budget')
  assert.equal(await scrapeMetric(fanout.url, 'newswire_fanout_slow_client_disconnects_total'), 1)
  assert.ok((await scrapeMetric(fanout.url, 'newswire_fanout_conflated_messages_total')) > 0, 'conflated before being dropped')

  // the reader got every event, promptly
  const last = await publish(ingest.url, article('last'))
  published++
  const tLast = Date.now()
  await fast.until((all) => eventsOf(all).some((m) => m.event.eventId === last.eventId), 5000)
  assert.ok(Date.now() - tLast < 2000, 'the reading client is on time')
  assert.equal(eventsOf(fast.messages).length, published)

  // once it reads again, the slow client finds the close frame after what was already sent
  slowSocket.resume()
  const closed = await slow.closed
  assert.equal(closed.code, 4008)
  assert.match(closed.reason, /slow consumer/)
  assert.ok(dropped)
  assert.ok(eventsOf(slow.messages).length < published)
})
