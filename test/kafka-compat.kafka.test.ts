// Proves the pinned Apache Kafka release works with kafkajs 2.2.4 for everything Newswire does:
// admin create topics (idempotently) and fetch offsets, idempotent produce with acks=all,
// transactions with producer fencing, consume in a group, commit and fetch committed offsets.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { createKafka, createPartitioner, ensureTopics, readCommon, EnvReader, topicNames } from '@newswire/shared'
import { brokers, testLogger, uniquePrefix } from './helpers.ts'

test('kafkajs 2.2.4 against the local broker: admin, idempotent and transactional produce, group consume, offsets', async (t) => {
  const prefix = uniquePrefix()
  const config = readCommon(
    new EnvReader({ KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '3' }),
    'compat',
  )
  const log = testLogger('compat')
  const kafka = createKafka(config.kafka, log)
  const admin = kafka.admin()
  await admin.connect()
  t.after(() => admin.disconnect())

  // topic creation is explicit and idempotent
  const names = await ensureTopics(admin, config.kafka, log)
  assert.deepEqual(await ensureTopics(admin, config.kafka, log), names)
  assert.deepEqual(names, topicNames(prefix))
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 2, name: names.articles, configNames: ['cleanup.policy'] }],
  })
  assert.equal(described.resources[0]?.configEntries[0]?.configValue, 'compact')
  const meta = await admin.fetchTopicMetadata({ topics: [names.events] })
  assert.equal(meta.topics[0]?.partitions.length, 3)

  // idempotent producer, acks=all
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner, allowAutoTopicCreation: false })
  await producer.connect()
  t.after(() => producer.disconnect())
  const sent = await producer.send({
    topic: names.events,
    acks: -1,
    messages: [
      { key: 'a', value: 'one' },
      { key: 'a', value: 'two' },
    ],
  })
  assert.equal(sent[0]?.errorCode, 0)

  // transactions: the second holder of a transactional id fences the first
  const txId = `${prefix}compat-${randomUUID()}`
  const first = kafka.producer({ transactionalId: txId, idempotent: true, maxInFlightRequests: 1, createPartitioner })
  const second = kafka.producer({ transactionalId: txId, idempotent: true, maxInFlightRequests: 1, createPartitioner })
  await first.connect()
  await second.connect()
  t.after(() => Promise.all([first.disconnect(), second.disconnect()]))
  const tx1 = await first.transaction()
  await tx1.send({ topic: names.events, messages: [{ key: 'a', value: 'three' }] })
  await tx1.commit()
  const init = await second.transaction()
  await init.abort()
  await assert.rejects(async () => {
    const tx = await first.transaction()
    await tx.send({ topic: names.events, messages: [{ key: 'a', value: 'zombie' }] })
    await tx.commit()
  }, /epoch|fenced/i)

  // consume in a group (read_committed), commit, fetch committed offsets
  const groupId = `${prefix}compat-group`
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 })
  await consumer.connect()
  t.after(() => consumer.disconnect())
  await consumer.subscribe({ topic: names.events, fromBeginning: true })
  const values: string[] = []
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ message, partition }) => {
          values.push(String(message.value))
          await consumer.commitOffsets([{ topic: names.events, partition, offset: String(Number(message.offset) + 1) }])
          if (values.length === 3) resolve()
        },
      })
      .catch(reject)
  })
  assert.deepEqual(values, ['one', 'two', 'three'])
  await consumer.stop()
  const committed = await admin.fetchOffsets({ groupId, topics: [names.events] })
  const total = committed[0]?.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0)
  // 3 data records and 1 commit marker precede the committed position on the key's partition
  assert.ok(total !== undefined && total >= 3, `committed offsets ${JSON.stringify(committed)}`)
  const ends = await admin.fetchTopicOffsets(names.events)
  assert.equal(ends.reduce((n, p) => n + Number(p.high), 0) >= 4, true)
})
