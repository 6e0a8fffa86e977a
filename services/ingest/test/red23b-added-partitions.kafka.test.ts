// red23b attack run (2026-12-07), an operator scales the topics: `kafka-topics --alter
// --partitions` on news.article-events and news.articles alike (the services' only check, equal
// counts, still holds). An ingest started afterwards put an article's kill on the partition its id
// hashes to under the new count, away from its creation: the fan-out already running (reading the
// partitions it started with) never read it, and its public reader, who saw the article, was never
// told of the kill. Now no ingest starts on such topics, and the one running says so and goes on
// writing every key where its records are: the kill reaches the reader.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isNewswireError, partitionOf } from '@newswire/shared'
import { Kafka, logLevel } from 'kafkajs'
import { brokers, sleep, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { article, connect, publish, scrapeMetric, startTestFanout, withdraw } from '../../fanout/test/helpers.ts'

/** An id whose partition under 3 is not its partition under 6. */
const moving = () => {
  for (let i = 0; ; i++) if (partitionOf(`moved-${i}`, 3) !== partitionOf(`moved-${i}`, 6)) return `moved-${i}`
}

test('after partitions are added, no ingest starts on the topics; the running one kills where the article is, and the reader hears it', async (t) => {
  const prefix = uniquePrefix()
  const id = moving()
  const running = await startTestIngest(t, prefix, { KAFKA_PARTITIONS: '3' })
  const fanout = await startTestFanout(t, prefix)
  const reader = await connect(t, fanout.wsUrl)
  reader.send({ type: 'subscribe', id: 's', channels: ['category:national'] })
  await reader.next((m) => m.type === 'subscribed')
  await publish(running.url, article(id, { urgency: 1 }))
  await reader.next((m) => m.type === 'event' && JSON.stringify(m).includes(id))

  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  await admin.createPartitions({
    topicPartitions: [
      { topic: `${prefix}news.article-events`, count: 6 },
      { topic: `${prefix}news.articles`, count: 6 },
    ],
  })
  await admin.disconnect()

  // a rolling update: a new instance, the old one still serving
  let started: Awaited<ReturnType<typeof startTestIngest>> | null = null
  const refused = await startTestIngest(t, prefix, { KAFKA_PARTITIONS: '3' }).then(
    (i) => {
      started = i
      return null
    },
    (err: unknown) => err,
  )
  assert.ok(
    isNewswireError(refused, 'NEWSWIRE_ERR_TOPICS_REPARTITIONED'),
    `an ingest started on the grown topics: ${started === null ? String(refused) : 'it served'}`,
  )
  for (const deadline = Date.now() + 15_000; (await scrapeMetric(running.url, 'newswire_ingest_partitions_added')) !== 1; ) {
    assert.ok(Date.now() < deadline, 'the running ingest says partitions were added')
    await sleep(300)
  }
  await withdraw(running.url, id, 'legal')
  // the reader who saw it hears of its kill (reader.next times out otherwise)
  await reader.next((m) => m.type === 'withdrawn' && JSON.stringify(m).includes(id), 15_000)
})
