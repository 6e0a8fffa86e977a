// The tail both services build their state from (ingest: news.articles; fan-out: every topic it
// serves) against the real broker: it hands on committed records only, never those of an aborted
// transaction (an ingest write that failed, answered 5xx), and it knows how far it has read, the
// transaction markers included, so that waitFor and catchUp resolve exactly at the end of what
// was committed. No unit test reaches tail.ts (sixth mutation batch, tl1-tl3).
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { createKafka } from '../src/kafka.ts'
import { createLogger } from '../src/log.ts'
import { createTail } from '../src/tail.ts'

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')

test('a tail hands on committed records only, and reaches the end of each partition, markers included', async (t) => {
  const log = createLogger('test', 'silent')
  const kafka = createKafka({ clientId: 'shared-tail-test', brokers, topicPrefix: '', partitions: 2, replicationFactor: 1 }, log)
  const admin = kafka.admin()
  await admin.connect()
  const topic = `t-shared-tail-${randomUUID().slice(0, 8)}`
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true })
  const producer = kafka.producer({ transactionalId: `shared-tail-test-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  t.after(async () => {
    await producer.disconnect()
    await admin.deleteTopics({ topics: [topic] }).catch(() => {})
    await admin.disconnect()
  })
  /** One transaction writing `value` to both partitions, committed or aborted. */
  const write = async (value: string, commit: boolean) => {
    const tx = await producer.transaction()
    await tx.send({ topic, messages: [0, 1].map((partition) => ({ partition, key: 'k', value })) })
    if (commit) await tx.commit()
    else await tx.abort()
  }
  await write('one', true)
  await write('ghost', false)

  const seen: string[] = []
  let fatal: unknown = null
  const tail = createTail({
    kafka,
    topic,
    groupId: `shared-tail-test-${randomUUID()}`,
    log,
    onBatch: ({ partition, messages }) => {
      for (const m of messages) seen.push(`${partition}:${String(m.value)}`)
    },
    onFatal: (err) => {
      fatal = err
    },
  })
  t.after(() => tail.close())
  await tail.start()
  await tail.catchUp(20_000)

  // A transaction committed while the tail runs: each partition is awaited up to its end, the
  // commit marker included, and read exactly that far
  await write('two', true)
  // the coordinator writes the commit markers after EndTxn answers, and the offsets asked for stop
  // at the last stable one (before an open transaction) until they are in: ask until both are
  let ends = await admin.fetchTopicOffsets(topic)
  for (const until = Date.now() + 20_000; ends.some((e) => e.offset !== '6') && Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 50))
    ends = await admin.fetchTopicOffsets(topic)
  }
  await Promise.all(ends.map((e) => tail.waitFor(e.partition, BigInt(e.offset), 20_000)))
  for (const e of ends) {
    // one, its commit marker, ghost, the abort marker, two, its commit marker
    assert.equal(e.offset, '6', `partition ${e.partition}'s end`)
    assert.equal(tail.positions().get(e.partition), 6n, `partition ${e.partition} read up to its end`)
  }
  await assert.rejects(tail.waitFor(0, 7n, 300), /not read up to 7/)
  assert.deepEqual(seen.sort(), ['0:one', '0:two', '1:one', '1:two'])
  assert.equal(fatal, null)
})
