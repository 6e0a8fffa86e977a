// A CMS that lost an answer (a 503) retries with its Idempotency-Key, maybe after ingest restarted.
// An outside review (2026-12-04) found a restarted instance learnt keys only from news.articles,
// which compaction leaves with an article's latest write: the retry of a release was decided
// again and undid the desk's hold written after it. A restart now also reads the keys of the last
// TTL from news.article-events (answers.ts). The shared test broker's cleaner does not compact
// within a test, so compaction is done by hand as Kafka's cleaner would (the last record of each
// key, headers included) into a fresh news.articles, beside a copy of news.article-events.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Kafka, logLevel, topicConfigs, topicNames } from '@newswire/shared'
import type { ArticleJson } from '@newswire/shared'
import { brokers, http, startTestIngest, uniquePrefix } from '../helpers.ts'

const KEYS = ['cms:cms-key-000001:write', 'desk:desk-key-00001:write', 'reader:reader-key-001:read'].join(',')
const env = { INGEST_API_KEYS: KEYS, KAFKA_PARTITIONS: '1' }

type Rec = { key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer>; timestamp: string }
/** Every record `topic` holds now (read_committed), in order. */
async function recordsOf(topic: string): Promise<Rec[]> {
  const kafka = new Kafka({ clientId: 'compaction-reader', brokers, logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId: `compaction-${Math.random()}`, maxWaitTimeInMs: 100 })
  const keys: Rec[] = []
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  let last = Date.now()
  await consumer.run({
    eachMessage: async ({ message }) => {
      last = Date.now()
      keys.push({
        key: message.key,
        value: message.value,
        headers: message.headers as Record<string, Buffer>,
        timestamp: message.timestamp,
      })
    },
  })
  while (Date.now() - last < 2000) await new Promise((r) => setTimeout(r, 200))
  await consumer.disconnect()
  return keys
}

test('after a restart on a compacted news.articles, a CMS retry of its release (same key, same body) gets its first answer and undoes nothing', async (t) => {
  const prefix = uniquePrefix()
  const first = await startTestIngest(t, prefix, env)
  const call = (url: string, path: string, key: string, method: string, body: unknown, headers: Record<string, string> = {}) =>
    http(`${url}${path}`, { method, key, json: body, headers })
  const story = { id: 'cmp-1', language: 'en', headline: 'Minister resigns', body: ['Text.'] }
  assert.equal((await call(first.url, '/v1/articles', 'cms-key-000001', 'POST', { ...story, pubStatus: 'withheld' })).status, 201)
  // The CMS releases the story with a key; in the field its answer is lost (503), so it will retry
  const release = { ...story, pubStatus: 'usable' }
  const answer = await call(first.url, '/v1/articles', 'cms-key-000001', 'POST', release, { 'idempotency-key': 'cms-rev-2' })
  assert.equal(answer.status, 200, answer.text)
  // The desk puts it back on hold
  const hold = await http(`${first.url}/v1/articles/cmp-1`, {
    method: 'PATCH',
    key: 'desk-key-00001',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: '{"pubStatus":"withheld"}',
  })
  assert.equal(hold.status, 200, hold.text)
  await first.close()

  // Control: restarted on the topic before compaction, the retry gets the first answer (and writes nothing)
  const control = await startTestIngest(t, prefix, env)
  const controlRetry = await call(control.url, '/v1/articles', 'cms-key-000001', 'POST', release, { 'idempotency-key': 'cms-rev-2' })
  assert.equal(controlRetry.text, answer.text, 'uncompacted: the retry is recognised')
  await control.close()

  // news.articles as Kafka's cleaner leaves it (min.compaction.lag.ms is 60 s): the last record per key
  const all = await recordsOf(topicNames(prefix).articles)
  assert.ok(
    all.some((r) => r.headers['idempotency-key']?.toString() === 'cms:cms-rev-2'),
    'the key travelled in a header',
  )
  const last = new Map<string, Rec>()
  for (const r of all) last.set(String(r.key), r)
  const compacted = uniquePrefix()
  const kafka = new Kafka({ clientId: 'compaction-admin', brokers, logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: topicConfigs(topicNames(compacted), 1, 1), waitForLeaders: true })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic: topicNames(compacted).articles, messages: [...last.values()] })
  // news.article-events is not compacted: every event, with its time, as it was
  await producer.send({ topic: topicNames(compacted).events, messages: await recordsOf(topicNames(prefix).events) })
  await producer.disconnect()

  // The restarted instance rebuilds from it
  const second = await startTestIngest(t, compacted, env)
  const retry = await call(second.url, '/v1/articles', 'cms-key-000001', 'POST', release, { 'idempotency-key': 'cms-rev-2' })
  const now = await http(`${second.url}/v1/articles/cmp-1`, { key: 'reader-key-001' })
  const stored = (now.body as { article: ArticleJson }).article
  assert.equal(stored.pubStatus, 'withheld', 'the desk’s hold, written after the release, must hold')
  assert.equal(retry.text, answer.text, 'a retry with the same key gets the first answer')
})
