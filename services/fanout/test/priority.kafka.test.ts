// Priority lanes on a real socket: a client that stops reading gets its breaking items first once
// it reads again, and a `gap` telling how many routine updates were shed instead of losing them silently.
import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { test } from 'node:test'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { article, connect, drain, eventsOf, publish, publishBatch, scrapeMetric, startTestFanout } from './helpers.ts'
import type { Msg } from './helpers.ts'

const big = (id: string) => article(id, { body: ['x'.repeat(49_000), 'y'.repeat(49_000), 'z'.repeat(49_000)] })

test('a paused reader gets every breaking item first and a gap counting the routine updates shed', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix, { INGEST_MAX_BODY_BYTES: String(4 * 1024 * 1024) })
  const fanout = await startTestFanout(t, prefix, {
    FANOUT_MAX_BUFFERED_BYTES: String(16 * 1024),
    FANOUT_MAX_PENDING: '200',
    FANOUT_SLOW_CLIENT_MS: '60000',
  })
  const slow = await connect(t, fanout.wsUrl)
  const fast = await connect(t, fanout.wsUrl)
  for (const c of [slow, fast]) c.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
  await slow.next((m) => m.type === 'subscribed')
  await fast.next((m) => m.type === 'subscribed')
  const socket = (slow.ws as unknown as { _socket: Socket })._socket
  socket.pause()

  // routine traffic (urgency 3) until the paused client is behind and routine updates are shed
  const routine: string[] = []
  for (let i = 0; i < 200 && (await scrapeMetric(fanout.url, 'newswire_fanout_shed_messages_total')) === 0; i++) {
    routine.push((await publish(ingest.url, big(`big-${i}`))).eventId)
    routine.push(
      ...(await publishBatch(
        ingest.url,
        Array.from({ length: 20 }, (_, j) => article(`r-${i}-${j}`)),
      )),
    )
    if (i > 0) await new Promise((r) => setTimeout(r, 100))
  }
  assert.ok((await scrapeMetric(fanout.url, 'newswire_fanout_shed_messages_total')) > 0, 'routine updates were shed')
  // more routine ones still queued, then three breaking items
  routine.push(
    ...(await publishBatch(
      ingest.url,
      Array.from({ length: 30 }, (_, j) => article(`late-${j}`)),
    )),
  )
  const lastRoutine = routine.at(-1) as string
  const breaking: string[] = []
  for (let k = 0; k < 3; k++) breaking.push((await publish(ingest.url, article(`flash-${k}`, { urgency: 1 }))).eventId)
  await fast.until((all) => eventsOf(all).some((m) => m.event.eventId === breaking[2]))
  assert.equal(eventsOf(fast.messages).length, routine.length + 3, 'the reading client got everything')
  await new Promise((r) => setTimeout(r, 1500))
  assert.equal(slow.ws.readyState, slow.ws.OPEN, 'not dropped: shed instead')

  socket.resume()
  await slow.until((all) => all.some((m) => m.type === 'gap') && breaking.every((id) => eventsOf(all).some((m) => m.event.eventId === id)))
  await drain(fanout, slow, ingest.url)
  const order = slow.messages
  const indexOf = (eventId: string) =>
    order.findIndex((m) => m.type === 'event' && (m as Msg & { event: { eventId: string } }).event.eventId === eventId)
  // every breaking item arrived, ahead of routine updates published before it that were still queued
  for (const id of breaking) assert.ok(indexOf(id) >= 0, 'breaking item delivered')
  const lastRoutineAt = indexOf(lastRoutine)
  assert.ok(lastRoutineAt >= 0, 'the newest routine updates are kept (the oldest are shed first)')
  for (const id of breaking) assert.ok(indexOf(id) < lastRoutineAt, 'breaking items jump the queue')
  // nothing lost silently: every routine event was delivered or counted in a gap
  const gaps = order.filter((m) => m.type === 'gap') as (Msg & { shed: { routine: number }; conflated: number; id: string })[]
  const shed = gaps.reduce((n, g) => n + g.shed.routine, 0)
  const conflated = gaps.reduce((n, g) => n + g.conflated, 0)
  const got = new Set(eventsOf(order).map((m) => m.event.eventId))
  const missing = routine.filter((id) => !got.has(id)).length
  t.diagnostic(`routine ${routine.length}, delivered ${routine.length - missing}, shed ${shed}, conflated ${conflated}`)
  assert.ok(shed > 0)
  assert.equal(conflated, 0, 'distinct articles: nothing to conflate')
  assert.equal(missing, shed, 'the gap counts exactly the routine updates not delivered')
  assert.equal(gaps[0]?.id, 's1')
  assert.equal(typeof (gaps[0] as Msg).position, 'string')
})
