// red24e attack run (2026-12-07): ingest bounds the views an article is moved through (1,024,
// red24b) by the views its state carries in news.articles (the `earlier-views` header). A state
// whose record would pass the transaction budget with them carries "not known" instead
// (batch-plan.ts recordsOf): a story written near the size limit. A restarted ingest read that
// state back with no earlier view and counted the article's views from one: a write key moved the
// story through a thousand views, wrote it long once (a hold, a correction: anything in that view),
// once news.articles was compacted, and after the next deploy moved it through a thousand more. The fan-out keeps 2,048 slots, ingest's
// bound being what keeps them from running out. Real ingest processes and broker.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Kafka, logLevel, topicConfigs, topicNames } from '@newswire/shared'
import type { IHeaders } from '@newswire/shared'
import { brokers, uniquePrefix } from '../../../test/helpers.ts'
import { spawnIngest } from '../../../test/reliability/support.ts'
import { NEW, post } from './support/keyed-post.ts'

const WIRE = 'Wire5Kd8Lm1Nq6Pr3St0Uv7Wx2Yz9Ab4Cd'
const VIEWS = 1024

const story = (category: string, body = ['Text']) => ({ id: 'story-x', language: 'en', headline: 'Minister', body, category })

async function moves(url: string, key: string, categories: string[]): Promise<string[]> {
  const res = await fetch(`${url}/v1/articles/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
    body: categories.map((c) => JSON.stringify(story(c))).join('\n'),
  })
  assert.equal(res.status, 200)
  const { results } = (await res.json()) as { results: { status: number; conflict?: string }[] }
  return results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.conflict}`)
}

type Rec = { key: Buffer | null; value: Buffer | null; headers: IHeaders }

/** news.articles of `prefix` as Kafka's cleaner leaves it (the last record of each key) in a fresh world. */
async function compacted(prefix: string): Promise<string> {
  const kafka = new Kafka({ clientId: 'red24e-compaction', brokers, logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId: `red24e-${Math.random()}`, maxWaitTimeInMs: 100 })
  const last = new Map<string, Rec>()
  await consumer.connect()
  await consumer.subscribe({ topic: topicNames(prefix).articles, fromBeginning: true })
  let at = Date.now()
  await consumer.run({
    eachMessage: async ({ message: m }) => {
      at = Date.now()
      last.set(String(m.key), { key: m.key, value: m.value, headers: m.headers ?? {} })
    },
  })
  while (Date.now() - at < 2000) await new Promise((r) => setTimeout(r, 200))
  await consumer.disconnect()
  const fresh = uniquePrefix()
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: topicConfigs(topicNames(fresh), 1, 1), waitForLeaders: true })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  for (const r of last.values()) await producer.send({ topic: topicNames(fresh).articles, messages: [r] })
  await producer.disconnect()
  return fresh
}

test('a story at the view bound, written long once: a restarted ingest still refuses to move it into another view', async (t) => {
  const env = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    KAFKA_TOPIC_PREFIX: uniquePrefix(),
    KAFKA_PARTITIONS: '1',
    INGEST_API_KEYS: `desk:${NEW}:*,wire:${WIRE}:write`,
  }
  const first = await spawnIngest(t, env)
  assert.equal((await post(first.url, NEW, '/v1/articles', story('politics'))).status, 201)
  // the bound: `politics` and 1,023 others
  const categories = Array.from({ length: VIEWS - 1 }, (_, i) => `desk-${i}`)
  for (let i = 0; i < categories.length; i += 512) assert.deepEqual(await moves(first.url, WIRE, categories.slice(i, i + 512)), [])
  assert.equal((await post(first.url, WIRE, '/v1/articles', story('desk-past'))).conflict, 'too_many_views')
  // once near the size limit, in the view it is in: its state cannot carry its views as well
  const long = Array.from({ length: 18 }, () => 'x'.repeat(50_000))
  assert.equal((await post(first.url, WIRE, '/v1/articles', story(categories.at(-1) as string, long))).status, 200)
  assert.equal((await post(first.url, WIRE, '/v1/articles', story('desk-past'))).conflict, 'too_many_views')
  await first.stop()
  const second = await spawnIngest(t, { ...env, KAFKA_TOPIC_PREFIX: await compacted(env.KAFKA_TOPIC_PREFIX) })
  const after = await post(second.url, WIRE, '/v1/articles', story('desk-after-restart'))
  assert.deepEqual([after.status, after.conflict], [409, 'too_many_views'])
})
