// Resume over hours: many clients resuming from positions older than memory share Kafka readers.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { peekPosition } from '../src/index.ts'
import { article, connect, eventsOf, publish, publishBatch, publishedTo, scrapeMetric, startTestFanout } from './helpers.ts'

test('50 clients resuming from a position older than memory share Kafka readers; each gets exactly the missed events', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix, { FANOUT_HISTORY_SIZE: '20', FANOUT_MAX_KAFKA_REPLAYS: '4' })
  const a = await connect(t, fanout.wsUrl)
  a.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
  await a.next((m) => m.type === 'subscribed')
  await publish(ingest.url, article('before-1'))
  const last = (await a.next((m) => m.type === 'event')).position as string
  a.ws.close()
  await a.closed

  const created = await publishBatch(
    ingest.url,
    Array.from({ length: 60 }, (_, i) => article(`h-${i}`)),
  )
  await publishBatch(
    ingest.url,
    Array.from({ length: 20 }, (_, i) => article(`noise-${i}`, { category: 'sports' })),
  )
  const updated = await publishBatch(
    ingest.url,
    Array.from({ length: 40 }, (_, i) => article(`h-${i}`, { headline: `Update of h-${i}` })),
  )
  const missed = [...created, ...updated]
  await fanout.settled(publishedTo(ingest.url))
  const readersBefore = await scrapeMetric(fanout.url, 'newswire_fanout_replay_readers_total')
  assert.equal(readersBefore, 0)

  const clients = await Promise.all(Array.from({ length: 50 }, () => connect(t, fanout.wsUrl)))
  for (const c of clients) c.send({ type: 'subscribe', id: 's1', channels: ['category:national'], since: last })
  const t0 = Date.now()
  await Promise.all(clients.map((c) => c.until((all) => eventsOf(all).length >= 100, 60_000)))
  const servedMs = Date.now() - t0
  for (const c of clients) {
    const sub = c.messages.find((m) => m.type === 'subscribed')
    assert.equal(sub?.replay, 'kafka')
    const got = eventsOf(c.messages)
    const ids = got.map((m) => m.event.eventId)
    assert.equal(new Set(ids).size, ids.length, 'no duplicates')
    assert.deepEqual([...ids].sort(), [...missed].sort(), 'exactly the missed events')
    let prev = peekPosition(last).o
    for (const m of got) {
      const o = peekPosition(m.position).o
      assert.ok(
        o.every((x, p) => x >= (prev[p] ?? 0)),
        'positions never go back',
      )
      prev = o
    }
  }
  const readers = await scrapeMetric(fanout.url, 'newswire_fanout_replay_readers_total')
  t.diagnostic(`50 resumes served from Kafka in ${servedMs} ms by ${readers} reader(s)`)
  assert.ok(readers >= 1 && readers <= 2, `at most 2 Kafka readers for 50 resumes from one position, got ${readers}`)
  // every one of them handed over to memory and is live now; the readers are gone
  const live = await publish(ingest.url, article('after-1'))
  await Promise.all(clients.map((c) => c.until((all) => eventsOf(all).some((m) => m.event.eventId === live.eventId), 15_000)))
  for (const c of clients) assert.equal(eventsOf(c.messages).length, 101)
  assert.equal(await scrapeMetric(fanout.url, 'newswire_fanout_replay_readers'), 0)
})
