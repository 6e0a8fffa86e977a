// An operator's erasure is a tombstone in news.articles. Kafka's cleaner removes the records before
// it soon after its segment rolls and leaves the tombstone alone (for delete.retention.ms), while
// news.article-events still holds the article's events for 7 days. Both services took a tombstone
// alone as nothing: a fan-out started then replayed the article from history and served it to the
// public again, and ingest let the id be created again as version 1. The state after compaction is
// written here as it is (the events, and in news.articles only the tombstone): no need to wait for
// the cleaner.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createKafka, ensureTopics, Kafka, logLevel, partitionOf } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import { event } from '../../services/fanout/test/support/events.ts'
import { article, connect, eventsOf, publish, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { brokers, codec, http, startTestIngest, testLogger, uniquePrefix } from '../helpers.ts'

const PARTITIONS = 3

test('a tombstone alone in news.articles: no public reader gets the erased article, and ingest does not take its id again', async (t) => {
  const prefix = uniquePrefix()
  const log = testLogger('lone-tombstone')
  const config = { brokers, clientId: 'lone-tombstone-test', topicPrefix: prefix, partitions: PARTITIONS, replicationFactor: 1 }
  const admin = createKafka(config, log).admin()
  await admin.connect()
  t.after(() => admin.disconnect())
  const topics = await ensureTopics(admin, config, log)

  const id = 'erased-lone-1'
  const kept = 'kept-lone-1'
  const now = Date.now()
  const versions: NewswireEvent[] = [
    event('CREATED', { id, version: 1, category: 'national', headline: 'Erased by an operator' }, now - 60_000),
    event('UPDATED', { id, version: 2, category: 'national', headline: 'Erased by an operator, v2' }, now - 30_000),
  ]
  const other = event('CREATED', { id: kept, version: 1, category: 'national' }, now - 20_000)
  const producer = new Kafka({ clientId: 'lone-tombstone-writer', brokers, logLevel: logLevel.NOTHING }).producer()
  await producer.connect()
  t.after(() => producer.disconnect())
  const write = (topic: string, key: string, value: Buffer | null) =>
    producer.send({ topic, acks: -1, messages: [{ key, value, partition: partitionOf(key, PARTITIONS) }] })
  for (const e of [...versions, other]) await write(topics.events, e.article.id, codec.encode(e))
  // news.articles after compaction: the kept article's state, and of the erased one its tombstone alone
  await write(topics.articles, kept, codec.encode(other))
  await write(topics.articles, id, null)

  const fanout = await startTestFanout(t, prefix)
  const page = (await (await fetch(`${fanout.url}/v1/snapshot?channels=category:national&limit=200`)).json()) as {
    items: { article: { id: string } }[]
  }
  const listed = page.items.map((i) => i.article.id)
  assert.ok(listed.includes(kept), `the snapshot is current: ${listed}`)
  assert.ok(!listed.includes(id), `the public snapshot lists an erased article: ${listed}`)

  const reader = await connect(t, fanout.wsUrl)
  reader.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
  const subscribed = await reader.next((m) => m.type === 'subscribed')
  const snapshot = JSON.stringify(subscribed.snapshot)
  assert.ok(snapshot.includes(kept), 'the snapshot is current')
  assert.ok(!snapshot.includes(id), 'the subscription snapshot shows an erased article')

  // ingest started now finds the tombstone alone: the id is not taken again (a scraper re-sending it)
  const ingest = await startTestIngest(t, prefix)
  const again = await http(`${ingest.url}/v1/articles`, { method: 'POST', json: article(id, { headline: 'Sent again' }) })
  assert.equal(again.status, 409, `created again over an erasure: ${again.text}`)
  assert.equal((again.body as { conflict?: string }).conflict, 'article_withdrawn')
  const read = await http(`${ingest.url}/v1/articles/${id}`)
  assert.equal(read.status, 200, read.text)
  assert.equal((read.body as { type: string; article: { pubStatus: string } }).type, 'WITHDRAWN')
  assert.equal((read.body as { article: { pubStatus: string } }).article.pubStatus, 'canceled')

  // a version written past ingest (another writer, an older ingest) reaches nobody either
  const back = event('UPDATED', { id, version: 3, category: 'national', headline: 'Back from erasure' }, Date.now())
  await write(topics.events, id, codec.encode(back))
  const after = await publish(ingest.url, article('kept-lone-2'))
  await fanout.settled([back.eventId, after.eventId])
  await reader.next((m) => m.type === 'event' && (m.event as { eventId: string }).eventId === after.eventId)
  assert.deepEqual(
    eventsOf(reader.messages).map((m) => m.event.article.id),
    ['kept-lone-2'],
  )
  assert.ok(!JSON.stringify(reader.messages).includes(id), 'the reader heard of the erased article')
  const later = (await (await fetch(`${fanout.url}/v1/snapshot?channels=category:national&limit=200`)).json()) as {
    items: { article: { id: string } }[]
  }
  assert.ok(!later.items.some((i) => i.article.id === id), 'listed after a version past ingest')
})
