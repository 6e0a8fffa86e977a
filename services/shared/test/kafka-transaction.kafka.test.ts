// The shared transactional writer against the real broker: opening a transactional id fences
// the previous holder, whose next commit fails as contention, with nothing of it committed.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { createLogger } from '../src/log.ts'
import { createKafka, KafkaTransactionError, openTransactionalWriter } from '../src/kafka.ts'
import type { TxRecord } from '../src/kafka.ts'

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')
const record = (value: string): TxRecord => ({ key: 'k', value: Buffer.from(value), headers: { h: 'v' }, timestamp: Date.now() })

test('a writer fenced by a newer holder of its transactional id fails as contended and writes nothing', async (t) => {
  const kafka = createKafka(
    { clientId: 'shared-txn-test', brokers, topicPrefix: '', partitions: 1, replicationFactor: 1 },
    createLogger('test', 'silent'),
  )
  const admin = kafka.admin()
  await admin.connect()
  const topic = `t-shared-txn-${randomUUID().slice(0, 8)}`
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
  t.after(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {})
    await admin.disconnect()
  })
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
