// The tail's bookkeeping over a fake consumer: how far it has read (the last offset of each batch
// plus one, transaction markers included), waiters resolved exactly there and never before, a
// position that never goes back, and committed records only. Only Kafka tests reached tail.ts:
// in the sixth mutation batch tl1-tl4 passed every unit test (tail.kafka.test.ts holds the same
// against the broker).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Kafka } from '../src/kafka.ts'
import { createLogger } from '../src/log.ts'
import { createTail } from '../src/tail.ts'

const EVENTS = { END_BATCH_PROCESS: 'end-batch', CRASH: 'crash' }

/** A kafka whose one consumer records its options and lets the test fire its END_BATCH_PROCESS. */
function fakeKafka() {
  const listeners = new Map<string, (e: { payload: Record<string, unknown> }) => void>()
  const options: Record<string, unknown>[] = []
  const consumer = {
    events: EVENTS,
    on: (name: string, fn: (e: { payload: Record<string, unknown> }) => void) => void listeners.set(name, fn),
    connect: async () => {},
    subscribe: async () => {},
    run: async () => {},
    seek: () => {},
    disconnect: async () => {},
  }
  const kafka = {
    consumer: (o: Record<string, unknown>) => {
      options.push(o)
      return consumer
    },
  } as unknown as Kafka
  /** A batch of `topic` on `partition` processed up to `lastOffset` (a marker's offset included). */
  const batchEnd = (partition: number, lastOffset: string, topic = 't') =>
    listeners.get(EVENTS.END_BATCH_PROCESS)?.({ payload: { topic, partition, lastOffset } })
  return { kafka, options, batchEnd }
}

const settled = async (p: Promise<void>): Promise<boolean> => {
  let done = false
  void p.then(() => {
    done = true
  })
  await new Promise((resolve) => setImmediate(resolve))
  return done
}

test('a tail reads committed records only, knows how far it has read, and resolves a waiter exactly there', async () => {
  const { kafka, options, batchEnd } = fakeKafka()
  const tail = createTail({
    kafka,
    topic: 't',
    groupId: 'g',
    log: createLogger('test', 'silent'),
    onBatch: () => {},
    onFatal: () => assert.fail('no crash'),
  })
  await tail.start()
  // an aborted transaction's records (an ingest write answered 5xx) are never read
  assert.equal(options[0]?.readUncommitted, false)

  const upTo5 = tail.waitFor(0, 5n, 5000)
  const upTo6 = tail.waitFor(0, 6n, 5000)
  batchEnd(0, '4') // offsets 0-4 read: the next to read is 5
  assert.equal(tail.positions().get(0), 5n)
  assert.equal(await settled(upTo5), true, 'read up to 5 (exclusive)')
  assert.equal(await settled(upTo6), false, 'offset 5 is not read yet')
  batchEnd(1, '9')
  assert.equal(await settled(upTo6), false, 'another partition')
  batchEnd(0, '9', 'other-topic')
  assert.equal(await settled(upTo6), false, 'another topic')
  batchEnd(0, '5')
  assert.equal(await settled(upTo6), true)

  // a batch read again (a rebalance starts over) never takes the position back
  batchEnd(0, '2')
  assert.equal(tail.positions().get(0), 6n)
  assert.equal(await settled(tail.waitFor(0, 6n, 5000)), true)
  await assert.rejects(tail.waitFor(0, 7n, 20), /t\[0\] not read up to 7 within 20 ms/)
  await tail.close()
})
