// The shared transactional writer against the real broker: opening a transactional id fences
// the previous holder, whose next commit fails as contention, with nothing of it committed; and
// records written through produce-request.ts read back as written.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { type TestContext, test } from 'node:test'
import { createLogger } from '../src/log.ts'
import { createKafka, fastProduceRequests, KafkaTransactionError, openTransactionalWriter } from '../src/kafka.ts'
import type { TxRecord } from '../src/kafka.ts'
import type { Committed } from '../src/committed.ts'

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')
const record = (value: string): TxRecord => ({ key: 'k', value: Buffer.from(value), headers: { h: 'v' }, timestamp: Date.now() })

/** A client on fresh topics (`names` with one random suffix), deleted when the test ends. */
async function freshTopics(t: TestContext, names: string[], partitions: number) {
  const kafka = createKafka(
    { clientId: 'shared-txn-test', brokers, topicPrefix: '', partitions: 1, replicationFactor: 1 },
    createLogger('test', 'silent'),
  )
  const admin = kafka.admin()
  await admin.connect()
  const suffix = randomUUID().slice(0, 8)
  const topics = names.map((n) => `${n}-${suffix}`)
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true })
  t.after(async () => {
    await admin.deleteTopics({ topics }).catch(() => {})
    await admin.disconnect()
  })
  return { kafka, admin, topics, suffix }
}

test('a writer fenced by a newer holder of its transactional id fails as contended and writes nothing', async (t) => {
  const { kafka, admin, topics } = await freshTopics(t, ['t-shared-txn'], 1)
  const topic = topics[0] as string
  const id = `shared-txn-test-${randomUUID()}`
  const first = await openTransactionalWriter(kafka, id)
  await first.commit([{ topic, partition: 0, records: [record('one')] }])
  const second = await openTransactionalWriter(kafka, id)
  t.after(() => second.close())
  await assert.rejects(first.commit([{ topic, partition: 0, records: [record('zombie')] }]), (err: unknown) => {
    assert.ok(err instanceof KafkaTransactionError, String(err))
    assert.equal(err.contended, true, err.message)
    return true
  })
  await first.close()
  await second.commit([{ topic, partition: 0, records: [record('two')] }])
  const offsets = await admin.fetchTopicOffsets(topic)
  // one, two and their commit markers, the fencing's abort markers; never 'zombie'
  const consumer = kafka.consumer({ groupId: `shared-txn-test-${randomUUID()}`, maxWaitTimeInMs: 100 })
  const seen: string[] = []
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(String(message.value))
        if (seen.length === 2) resolve()
      },
    })
  })
  await consumer.disconnect()
  assert.deepEqual(seen, ['one', 'two'], `high watermark ${offsets[0]?.high}`)
})

test('records of a transaction read back with the keys, values, headers, timestamps and partitions written', async (t) => {
  const { kafka, topics, suffix } = await freshTopics(t, ['t-shared-wire-a', 't-shared-wire-b'], 3)
  const writer = await openTransactionalWriter(kafka, `shared-wire-test-${suffix}`)
  t.after(() => writer.close())
  const now = Date.now()
  const written = new Map<string, { topic: string; partition: number; record: TxRecord }>()
  const fastBefore = fastProduceRequests()
  let ends: readonly Committed[] = []
  for (let round = 0; round < 3; round++) {
    const writes = topics.flatMap((topic, ti) =>
      [0, 2].map((partition) => ({
        topic,
        partition,
        records: Array.from({ length: 1 + round * 5 }, (_, i): TxRecord => {
          const key = `গল্প-${ti}-${partition}-${round}-${i}`
          const record: TxRecord = {
            key,
            value: Buffer.from(`মান ${key} ${'x'.repeat(i * 37)}`),
            headers: { 'event-type': 'CREATED', 'trace-id': key, empty: '' },
            // out of order within a batch: deltas are taken from the smallest
            timestamp: now - ((i * 7919) % 5000),
          }
          written.set(key, { topic, partition, record })
          return record
        }),
      })),
    )
    ends = await writer.commit(writes)
  }
  assert.ok(fastProduceRequests() - fastBefore >= 3, 'the records went through produce-request.ts')
  const consumer = kafka.consumer({ groupId: `shared-wire-test-${suffix}`, maxWaitTimeInMs: 100 })
  const seen = new Map<string, { topic: string; partition: number; value: string; headers: Record<string, string>; timestamp: number }>()
  /** The offset after the last record read per topic and partition. */
  const after = new Map<string, bigint>()
  await consumer.connect()
  await consumer.subscribe({ topics, fromBeginning: true })
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v)
        seen.set(String(message.key), { topic, partition, value: String(message.value), headers, timestamp: Number(message.timestamp) })
        const next = BigInt(message.offset) + 1n
        if (next > (after.get(`${topic}:${partition}`) ?? 0n)) after.set(`${topic}:${partition}`, next)
        if (seen.size === written.size) resolve()
      },
    })
  })
  await consumer.disconnect()
  // where the last commit says each partition's records end: what a writer waits to see stable
  assert.deepEqual(new Map(ends.map((e) => [`${e.topic}:${e.partition}`, e.next])), after, 'the last commit ends where its records do')
  for (const [key, w] of written) {
    assert.deepEqual(
      seen.get(key),
      {
        topic: w.topic,
        partition: w.partition,
        value: String(w.record.value),
        headers: { ...w.record.headers },
        timestamp: w.record.timestamp,
      },
      key,
    )
  }
})

test('a transactional producer looks its coordinator up once, not before every AddPartitionsToTxn and EndTxn', async (t) => {
  const { kafka, topics } = await freshTopics(t, ['t-shared-coord'], 1)
  const topic = topics[0] as string
  const producer = kafka.producer({ transactionalId: `shared-coord-test-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 })
  t.after(() => producer.disconnect())
  const requests = new Map<string, number>()
  producer.on(producer.events.REQUEST, ({ payload }) => requests.set(payload.apiName, (requests.get(payload.apiName) ?? 0) + 1))
  await producer.connect()
  for (let i = 0; i < 5; i++) {
    const txn = await producer.transaction()
    await txn.send({ topic, acks: -1, messages: [{ key: 'k', value: `v${i}` }] })
    await txn.commit()
  }
  assert.equal(requests.get('EndTxn'), 5)
  // and at least 5 AddPartitionsToTxn: one right after a commit may be retried (CONCURRENT_TRANSACTIONS)
  // kafkajs alone: one for InitProducerId, then one before every AddPartitionsToTxn and EndTxn
  assert.equal(requests.get('GroupCoordinator'), 1, JSON.stringify([...requests]))
})
