// A tail closed while it is still starting (red25b's open point, stop 55): the fan-out's replay
// from Kafka opens one per resuming reader and closes it when the reader leaves, so a reader that
// resumes and goes at once closes a tail between its connect and its run. The consumer must stay
// closed: one that went on to join its group and fetch would be left running with nobody to stop
// it, one more for every such reader (a public client's way to pile consumers on the fan-out and
// the broker). Real broker.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { createKafka } from '../src/kafka.ts'
import { createLogger } from '../src/log.ts'
import { createTail } from '../src/tail.ts'

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')

test('a tail closed while it starts never consumes, and leaves no member in its group', async (t) => {
  const log = createLogger('test', 'silent')
  const kafka = createKafka({ clientId: 'shared-tail-close-test', brokers, topicPrefix: '', partitions: 1, replicationFactor: 1 }, log)
  const admin = kafka.admin()
  await admin.connect()
  const topic = `t-shared-tail-close-${randomUUID().slice(0, 8)}`
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
  const producer = kafka.producer()
  await producer.connect()
  t.after(async () => {
    await producer.disconnect()
    await admin.deleteTopics({ topics: [topic] }).catch(() => {})
    await admin.disconnect()
  })
  await producer.send({ topic, messages: [{ key: 'k', value: 'before' }] })

  const groupId = `shared-tail-close-test-${randomUUID()}`
  const seen: string[] = []
  const tail = createTail({
    kafka,
    topic,
    groupId,
    log,
    onBatch: ({ messages }) => {
      for (const m of messages) seen.push(String(m.value))
    },
    onFatal: () => {},
  })
  const started = tail.start().catch((err: unknown) => err)
  // the reader left: closed before the start got to its run
  await tail.close()
  await started
  await producer.send({ topic, messages: [{ key: 'k', value: 'after' }] })
  // long enough for a consumer that went on to join its group and fetch both records
  await sleep(8000)
  const [group] = (await admin.describeGroups([groupId])).groups
  assert.deepEqual(seen, [], 'the closed tail consumed')
  assert.deepEqual(group?.members ?? [], [], `the closed tail's consumer is still in its group (${group?.state})`)
})
