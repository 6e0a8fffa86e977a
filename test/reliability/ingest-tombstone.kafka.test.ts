// A tombstone in news.articles is a kill of the article (schemas/README.md): the fan-out takes it
// as one. Ingest skipped it and went on deciding over the state before it: an update was written
// over the kill and acknowledged (200), a version every reader drops, and a withdraw of it answered
// as a new kill. A write after it must see the article killed (rev37 review).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Kafka, logLevel, topicNames } from '@newswire/shared'
import { article, publish } from '../../services/fanout/test/helpers.ts'
import { brokers, http, readTopic, sleep, startTestIngest, uniquePrefix } from '../helpers.ts'

test('ingest takes a tombstone in news.articles as the kill of the article', async (t) => {
  const prefix = uniquePrefix()
  const topics = topicNames(prefix)
  const ingest = await startTestIngest(t, prefix)
  const id = 'tombstoned-1'
  await publish(ingest.url, article(id))
  const partition = (await readTopic(topics.events, (all) => all.some((r) => r.event.article.id === id))).find(
    (r) => r.event.article.id === id,
  )?.partition
  const producer = new Kafka({ clientId: 'tombstone-writer', brokers, logLevel: logLevel.NOTHING }).producer()
  await producer.connect()
  t.after(() => producer.disconnect())
  await producer.send({ topic: topics.articles, acks: -1, messages: [{ key: id, value: null, partition }] })
  await sleep(1000)

  const update = await http(`${ingest.url}/v1/articles`, { method: 'POST', json: article(id, { headline: 'After the kill' }) })
  assert.equal(update.status, 409, `written over the kill: ${update.text}`)
})
