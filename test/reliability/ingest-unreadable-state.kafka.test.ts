// Ingest instances read each other's writes from news.articles to decide versions. During a deploy
// that gives a new schema to some instances before the others (schemas/README.md forbids it, and
// it happens), an older instance cannot decode a newer one's records: it used to skip them and
// decide over what it had read last, so a kill sent to it got a version already written, which
// every reader (the fan-out, search, push) drops as old news. The kill was acknowledged (200) and
// reached nobody. Such writes are now refused (503 not_ready, Retry-After) until a record it can
// read follows, and a gauge and an alert say so.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Kafka, logLevel, topicNames } from '@newswire/shared'
import { article, publish } from '../../services/fanout/test/helpers.ts'
import { brokers, http, readTopic, sleep, startTestIngest, uniquePrefix } from '../helpers.ts'
import { metricValue, readRaw } from './support.ts'
import { writeUnreadable } from './unreadable.ts'

test('ingest refuses to decide over an article state it cannot read, kills included, until a readable record follows', async (t) => {
  const prefix = uniquePrefix()
  const topics = topicNames(prefix)
  const ingest = await startTestIngest(t, prefix)
  const id = 'unreadable-state-1'
  await publish(ingest.url, article(id))
  // a newer instance's version 2, in a schema this one lacks
  await writeUnreadable(t, topics, id, { type: 'UPDATED', article: { headline: 'A newer ingest wrote this' } })
  const metrics = async () => (await fetch(`${ingest.url}/metrics`)).text()
  const deadline = Date.now() + 10_000
  while (metricValue(await metrics(), 'newswire_ingest_unreadable_states') < 1 && Date.now() < deadline) await sleep(20)
  assert.equal(metricValue(await metrics(), 'newswire_ingest_unreadable_states'), 1)

  const kill = await http(`${ingest.url}/v1/articles/${id}/withdraw`, { method: 'POST', json: { reason: 'legal: court order' } })
  assert.equal(kill.status, 503, kill.text)
  assert.equal((kill.body as { code: string }).code, 'not_ready')
  assert.equal(kill.headers.get('retry-after'), '5')
  const update = await http(`${ingest.url}/v1/articles`, { method: 'POST', json: article(id, { headline: 'Over a stale state' }) })
  assert.equal(update.status, 503, update.text)
  // other articles are written as before
  await publish(ingest.url, article('unreadable-state-other'))
  // nothing of the refused ones was: a marker after them on the article's partition, then all before it
  const partition = (await readTopic(topics.events, (all) => all.some((r) => r.event.article.id === id))).find(
    (r) => r.event.article.id === id,
  )?.partition
  const producer = new Kafka({ clientId: 'unreadable-state-marker', brokers, logLevel: logLevel.NOTHING }).producer()
  await producer.connect()
  t.after(() => producer.disconnect())
  await producer.send({ topic: topics.events, acks: -1, messages: [{ key: 'marker', value: Buffer.from('marker'), partition }] })
  const raw = await readRaw(brokers.join(','), topics.events, (all) => all.some((r) => r.key?.toString() === 'marker'))
  assert.deepEqual(
    raw.filter((r) => r.key?.toString() === id).map((r) => r.headers['event-type']),
    ['CREATED', 'UPDATED'],
    'nothing but the first version and the newer instance’s record: nothing decided over the stale state',
  )

  // the newer instance's next version, readable here (a schema both know): writes go on from it
  await writeUnreadable(t, topics, id, { type: 'UPDATED', article: { version: 3 }, decodable: true })
  const after = Date.now() + 10_000
  while (metricValue(await metrics(), 'newswire_ingest_unreadable_states') > 0 && Date.now() < after) await sleep(20)
  const again = await http(`${ingest.url}/v1/articles/${id}/withdraw`, { method: 'POST', json: { reason: 'legal: court order' } })
  assert.equal(again.status, 200, again.text)
  assert.equal((again.body as { version: number }).version, 4)
})
