// The answers a restarted instance reads back from news.article-events (answers.ts), over a fake
// consumer: which records stand for a keyed request's answer, for how long, and which partitions
// are read. Only Kafka tests reached answers.ts (idempotency-restart.kafka.test.ts): in the seventh
// mutation batch an1-an5 passed every unit test.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createCodec, createLogger, loadSchemas } from '@newswire/shared'
import type { Admin, Kafka, KafkaMessage } from '@newswire/shared'
import { rememberAnswer, rememberAnswers } from '../src/answers.ts'
import { IdempotencyCache } from '../src/idempotency-cache.ts'
import { answerPrint } from '../src/outcome.ts'
import type { Remembered } from '../src/outcome.ts'
import { eventOf } from './support/plan-jobs.ts'

const TTL = 60_000
const codec = createCodec(loadSchemas())

function message(offset: number, timestamp: number, headers: Record<string, string>, value: Buffer | null = Buffer.alloc(1)): KafkaMessage {
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]))
  return { offset: String(offset), timestamp: String(timestamp), headers: h, key: Buffer.from('a'), value } as unknown as KafkaMessage
}

test('a record stands for an answer only with its key and hash; an undecodable one still does; it lasts the TTL from its write', () => {
  const cache = new IdempotencyCache<Remembered>(TTL)
  const now = Date.now()
  const event = eventOf('a', 2)
  let decoded = 0
  const decode = () => {
    decoded++
    return event
  }

  assert.equal(rememberAnswer(cache, message(0, now, {}), decode), false, 'no key: not a keyed request')
  assert.equal(decoded, 0, 'an unkeyed record is not decoded')
  // a key without its request's hash cannot tell a retry from a reuse with other content
  assert.equal(rememberAnswer(cache, message(1, now, { 'idempotency-key': 'k:nohash' }), decode), false)
  assert.equal(cache.get('k:nohash'), undefined)

  assert.equal(rememberAnswer(cache, message(2, now, { 'idempotency-key': 'k:1', 'request-hash': 'h1' }), decode), true)
  assert.deepEqual(cache.get('k:1'), {
    outcome: { status: 200, body: { id: 'a', version: 2, eventId: event.eventId, type: 'UPDATED', changedFields: [] } },
    requestHash: 'h1',
  })

  // committed in a schema this instance cannot read: remembered without an answer, so its retry
  // is refused (503) rather than decided again over what came after it
  assert.equal(
    rememberAnswer(cache, message(3, now, { 'idempotency-key': 'k:2', 'request-hash': 'h2' }), () => null),
    true,
  )
  assert.deepEqual(cache.get('k:2'), { outcome: null, requestHash: 'h2' })

  // the TTL runs from when the record was written, not from when it is read back
  const old = now - TTL + 1000
  rememberAnswer(cache, message(4, old, { 'idempotency-key': 'k:3', 'request-hash': 'h3' }), decode)
  assert.notEqual(cache.get('k:3', now), undefined)
  assert.equal(cache.get('k:3', now + 2000), undefined, 'expired a TTL after its write')
})

/** A kafka whose consumer hands over `records[p]` from where the tail seeks on partition p. */
function fakeKafka(records: Map<number, KafkaMessage[]>) {
  const listeners = new Map<string, (e: { payload: Record<string, unknown> }) => void>()
  let eachBatch: (b: { batch: Record<string, unknown>; heartbeat: () => Promise<void> }) => Promise<void> = async () => {}
  const sought: [number, string][] = []
  const consumer = {
    events: { END_BATCH_PROCESS: 'end-batch', CRASH: 'crash' },
    on: (name: string, fn: (e: { payload: Record<string, unknown> }) => void) => void listeners.set(name, fn),
    connect: async () => {},
    subscribe: async () => {},
    run: async (o: { eachBatch: typeof eachBatch }) => {
      eachBatch = o.eachBatch
    },
    seek: ({ partition, offset }: { partition: number; offset: string }) => {
      sought.push([partition, offset])
      const messages = (records.get(partition) ?? []).filter((m) => BigInt(m.offset) >= BigInt(offset))
      const last = messages.at(-1)
      if (last === undefined) return
      setImmediate(async () => {
        await eachBatch({ batch: { partition, messages, highWatermark: String(BigInt(last.offset) + 1n) }, heartbeat: async () => {} })
        listeners.get('end-batch')?.({ payload: { topic: 'events', partition, lastOffset: last.offset } })
      })
    },
    disconnect: async () => {},
  }
  return { kafka: { consumer: () => consumer } as unknown as Kafka, sought }
}

test('start reads the keyed answers of the last TTL, only of partitions with records since', { timeout: 20_000 }, async () => {
  const now = Date.now()
  const keyed = (offset: number, key: string, id: string) =>
    message(offset, now - 1000, { 'idempotency-key': key, 'request-hash': `h-${key}` }, codec.encode(eventOf(id, 1)))
  const records = new Map([
    [0, [keyed(5, 'k:before', 'a'), keyed(6, 'k:a', 'a'), message(7, now, {}, null), keyed(8, 'k:b', 'b')]],
    [1, [keyed(3, 'k:quiet', 'c')]],
    [2, [message(9, now - 500, { 'idempotency-key': 'k:newer', 'request-hash': 'h' }, Buffer.from('not avro'))]],
  ])
  const { kafka, sought } = fakeKafka(records)
  let asked = 0
  const admin = {
    // partition 1: nothing since the TTL began (its high watermark); partition 0 from offset 6
    fetchTopicOffsetsByTimestamp: async (_topic: string, at: number) => {
      asked = at
      return [
        { partition: 0, offset: '6' },
        { partition: 1, offset: '4' },
        { partition: 2, offset: '9' },
      ]
    },
    fetchTopicOffsets: async () => [
      { partition: 0, offset: '9', high: '9', low: '0' },
      { partition: 1, offset: '4', high: '4', low: '0' },
      { partition: 2, offset: '10', high: '10', low: '0' },
    ],
  } as unknown as Admin
  const idempotency = new IdempotencyCache<Remembered>(TTL)
  const remembered = await rememberAnswers({
    kafka,
    admin,
    topic: 'events',
    codec,
    idempotency,
    ttlMs: TTL,
    groupId: 'g',
    log: createLogger('test', 'silent'),
    onFatal: () => assert.fail('no crash'),
  })
  assert.ok(Math.abs(asked - (now - TTL)) < 5000, 'read from the start of the TTL')
  assert.deepEqual(
    sought.sort((x, y) => x[0] - y[0]),
    [
      [0, '6'],
      [1, '4'],
      [2, '9'],
    ],
  )
  assert.equal(remembered, 3, 'k:a, k:b and the undecodable k:newer; the tombstone is skipped')
  assert.equal(idempotency.get('k:a')?.outcome?.status, 201)
  assert.equal(idempotency.get('k:b')?.requestHash, 'h-k:b')
  assert.deepEqual(idempotency.get('k:newer'), { outcome: null, requestHash: 'h' })
  assert.equal(idempotency.get('k:before'), undefined, 'before the TTL: not read')
})

test('of two records of one key, the later one stands whichever is read last (red26c: partitions read in any order)', () => {
  const cache = new IdempotencyCache<Remembered>(TTL)
  const now = Date.now()
  const decode = () => eventOf('a', 2)
  rememberAnswer(cache, message(1, now, { 'idempotency-key': 'k:1', 'request-hash': 'newer' }), decode)
  // an older answer under the key, on another partition read after it: it was the key's
  assert.equal(rememberAnswer(cache, message(0, now - 1000, { 'idempotency-key': 'k:1', 'request-hash': 'older' }), decode), true)
  assert.equal(cache.get('k:1')?.requestHash, 'newer')
  // read in the order written, the later one replaces the earlier one, as ever
  rememberAnswer(cache, message(2, now + 1, { 'idempotency-key': 'k:1', 'request-hash': 'latest' }), decode)
  assert.equal(cache.get('k:1')?.requestHash, 'latest')
})

test('of two records of one key, the older one is remembered as pushed out, whichever is read last (red27b CI run)', () => {
  const decode = () => eventOf('a', 2)
  const now = Date.now()
  const older = message(0, now - 1000, { 'idempotency-key': 'k:1', 'request-hash': 'older', 'api-key-id': 'cms' })
  const newer = message(1, now, { 'idempotency-key': 'k:1', 'request-hash': 'newer', 'api-key-id': 'cms' })
  for (const order of [
    [older, newer],
    [newer, older],
  ]) {
    const cache = new IdempotencyCache<Remembered>(TTL, 100, (key, v) => answerPrint(key, v.by, v.requestHash))
    for (const m of order) rememberAnswer(cache, m, decode)
    assert.equal(cache.get('k:1')?.requestHash, 'newer')
    // the newer one was decided only once the older one's answer was pushed out by the bound: its
    // retry is refused as forgotten, also once the newer one's answer goes
    assert.equal(cache.forgotten('k:1', answerPrint('k:1', 'cms', 'older')), true)
    assert.equal(cache.forgotten('k:1', answerPrint('k:1', 'cms', 'newer')), false)
  }
  // the same request read twice is no other answer
  const cache = new IdempotencyCache<Remembered>(TTL, 100, (key, v) => answerPrint(key, v.by, v.requestHash))
  for (const m of [newer, newer]) rememberAnswer(cache, m, decode)
  assert.equal(cache.forgotten('k:1', answerPrint('k:1', 'cms', 'newer')), false)
})

test('of two decisions of one request under one key (a takedown decided again), the newer answer stands after a restart (CI run)', () => {
  const now = Date.now()
  const hold = { 'idempotency-key': 'k:1', 'request-hash': 'hold', 'api-key-id': 'cms' }
  const printed = (bound: number) => new IdempotencyCache<Remembered>(TTL, bound, (key, v) => answerPrint(key, v.by, v.requestHash))
  const versionOf = (cache: IdempotencyCache<Remembered>) => JSON.stringify(cache.get('k:1')?.outcome).match(/"version":(\d+)/)?.[1]
  // the first decision's answer still held when the second is read
  const cache = printed(100)
  rememberAnswer(cache, message(0, now - 1000, hold), () => eventOf('a', 2))
  rememberAnswer(cache, message(1, now, hold), () => eventOf('a', 4))
  assert.equal(versionOf(cache), '4')
  // the same record read again (both topics at a start) changes nothing
  rememberAnswer(cache, message(0, now - 1000, hold), () => eventOf('a', 2))
  assert.equal(versionOf(cache), '4')
  // the first decision's answer pushed out by the bound before the second is read
  const bounded = printed(1)
  rememberAnswer(bounded, message(0, now - 1000, hold), () => eventOf('a', 2))
  rememberAnswer(bounded, message(1, now - 500, { 'idempotency-key': 'k:2', 'request-hash': 'other', 'api-key-id': 'cms' }), () =>
    eventOf('b', 1),
  )
  rememberAnswer(bounded, message(2, now, hold), () => eventOf('a', 4))
  assert.equal(versionOf(bounded), '4')
})
