// Pins the one place we reach into kafkajs (kafka.ts's Produce encoding): for any request made of
// our records, the patched request object encodes exactly the bytes kafkajs's own encoder writes,
// through kafkajs's own request framing. A kafkajs change to the request layout, the version
// lookup or the Encoder contract fails here, not in production.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import fc from 'fast-check'
import { fastProduceRequests, kafkajsProduceProtocol, produceDefinition, wireMessage } from '../src/kafka.ts'
import { FRAME_HEADROOM, framedWithoutCopy } from '../src/kafkajs-framing.ts'
import { crc32c, crc32cCombine } from '../src/crc32c.ts'
import { copiedRecordSections } from '../src/produce-request.ts'
import type { WireRecord } from '../src/produce-request.ts'

const require = createRequire(import.meta.url)
const kafkajsCrc = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number
const Long = require('kafkajs/src/utils/long') as { fromValue: (v: bigint) => unknown }
const createRequest = require('kafkajs/src/protocol/request') as (o: {
  correlationId: number
  clientId: string
  request: unknown
}) => Promise<{ buffer: Buffer }>

type Factory = NonNullable<ReturnType<typeof kafkajsProduceProtocol>>
interface Args {
  acks: number
  timeout: number
  transactionalId: string | null
  producerId: unknown
  producerEpoch: number
  topicData: { topic: string; partitions: { partition: number; firstSequence: number; messages: unknown[] }[] }[]
}

/** A transactional request (id `tx`, producer 5, epoch 1) to topic `t`. */
const txArgs = (partitions: Args['topicData'][number]['partitions']): Args => ({
  acks: -1,
  timeout: 30_000,
  transactionalId: 'tx',
  producerId: Long.fromValue(5n),
  producerEpoch: 1,
  topicData: [{ topic: 't', partitions }],
})

const text = fc.string({ unit: 'grapheme', maxLength: 24 })
const record: fc.Arbitrary<WireRecord> = fc.record({
  key: fc.oneof(text, fc.constantFrom('article-1', 'স্টোরি-১', '')),
  value: fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
  headers: fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }), text, { maxKeys: 8 }),
  // 13 digits, as every epoch-ms timestamp until 2286: kafkajs sorts them as strings
  timestamp: fc.integer({ min: 1_700_000_000_000, max: 1_700_100_000_000 }),
})
const anyRequest = fc.record({
  acks: fc.constantFrom(-1, 1),
  timeout: fc.integer({ min: 0, max: 60_000 }),
  transactionalId: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: null }),
  producerId: fc.bigInt({ min: -1n, max: 2n ** 62n }),
  producerEpoch: fc.integer({ min: 0, max: 32_767 }),
  topics: fc.array(
    fc.record({
      topic: fc.string({ minLength: 1, maxLength: 30 }),
      partitions: fc.array(
        fc.record({
          partition: fc.integer({ min: 0, max: 99 }),
          firstSequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          records: fc.array(record, { minLength: 1, maxLength: 12 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    { minLength: 1, maxLength: 3 },
  ),
})

type Req = typeof anyRequest extends fc.Arbitrary<infer T> ? T : never

// Ingest writes each event to two topics: the same records (the same objects, or equal ones), or
// records that differ in one key, header, header order, header value, timestamp or byte (one
// more, or one changed: the same length). Some partitions copy an earlier one's records so.
const copyKind = fc.constantFrom('none', 'none', 'same', 'equal', 'key', 'header', 'order', 'headerValue', 'value', 'byte', 'timestamp')
const request = fc
  .tuple(anyRequest, fc.array(fc.tuple(copyKind, fc.nat(), fc.nat()), { minLength: 9, maxLength: 9 }))
  .map(([r, copies]) => {
    const partitions = r.topics.flatMap((t) => t.partitions)
    let n = 0
    for (const [i, p] of partitions.entries()) {
      const [kind, from, at] = copies[n++ % copies.length] as [string, number, number]
      if (kind === 'none' || i === 0) continue
      const source = (partitions[from % i] as { records: WireRecord[] }).records
      const copy = source.map((x) => (kind === 'same' ? x : { ...x, value: Buffer.from(x.value), headers: { ...x.headers } }))
      const j = at % copy.length
      const r0 = copy[j] as WireRecord
      if (kind === 'key') copy[j] = { ...r0, key: `${r0.key}#` }
      if (kind === 'header') copy[j] = { ...r0, headers: { ...r0.headers, extra: 'x' } }
      // The same headers in another order encode differently
      if (kind === 'order') copy[j] = { ...r0, headers: Object.fromEntries(Object.entries(r0.headers).reverse()) }
      if (kind === 'value') copy[j] = { ...r0, value: Buffer.concat([r0.value, Buffer.from([1])]) }
      // sixth mutation batch: pq1 (header values not compared) and pq2 (values compared by length) survived without these
      if (kind === 'headerValue' && Object.keys(r0.headers).length > 0) {
        copy[j] = { ...r0, headers: Object.fromEntries(Object.entries(r0.headers).map(([k, v], n) => [k, n === 0 ? `${v}#` : v])) }
      }
      if (kind === 'byte' && r0.value.length > 0) {
        const value = Buffer.from(r0.value)
        const b = at % value.length
        value.writeUInt8(value.readUInt8(b) ^ 1, b)
        copy[j] = { ...r0, value }
      }
      if (kind === 'timestamp') copy[j] = { ...r0, timestamp: r0.timestamp + 1 }
      p.records = copy
    }
    return r
  })

function argsOf(r: Req): Args {
  return {
    acks: r.acks,
    timeout: r.timeout,
    transactionalId: r.transactionalId,
    producerId: Long.fromValue(r.producerId),
    producerEpoch: r.producerEpoch,
    topicData: r.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => ({
        partition: p.partition,
        firstSequence: p.firstSequence,
        messages: p.records.map((rec) => wireMessage(rec, p.partition)),
      })),
    })),
  }
}

async function framed(make: Factory, args: Args, clientId = 'newswire-test'): Promise<Buffer> {
  const { request: req } = make(args as never)
  return (await createRequest({ correlationId: 7, clientId, request: req })).buffer
}

test('CRC-32C: the check value, and kafkajs agrees on any bytes', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283)
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(20), (a, cut) => {
      const b = Buffer.from(a)
      assert.equal(crc32c(b), kafkajsCrc(b))
      const from = Math.min(cut, b.length)
      assert.equal(crc32c(b, from, b.length), kafkajsCrc(b.subarray(from)))
    }),
  )
})

test('CRC-32C of two runs of bytes from their CRCs and the second length', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ maxLength: 3000 }), (a, b) => {
      const ab = Buffer.concat([a, b])
      assert.equal(crc32cCombine(crc32c(Buffer.from(a)), crc32c(Buffer.from(b)), b.length), crc32c(ab))
    }),
    { numRuns: 300 },
  )
  // Lengths in the megabytes, as a batch's records section (the bytes are zeros: only the length matters here)
  for (const n of [1, 255, 65_536, 1_000_003, 3 * 1024 * 1024]) {
    const a = Buffer.from('header bytes')
    const b = Buffer.alloc(n, 7)
    assert.equal(crc32cCombine(crc32c(a), crc32c(b), n), crc32c(Buffer.concat([a, b])))
  }
})

test('a Produce request of our records is byte for byte what kafkajs encodes, at every version we patch', async () => {
  const before = fastProduceRequests()
  const copiedBefore = copiedRecordSections()
  const framedBefore = framedWithoutCopy()
  let runs = 0
  let roomy = 0
  let inPlace = 0
  // Client ids up to past the room in front of our bodies: a longer one is framed by kafkajs's copies
  const clientId = fc.oneof(
    fc.constant('newswire-test'),
    fc.string({ unit: 'grapheme', maxLength: 100 }),
    fc.string({ minLength: 240, maxLength: 300 }),
  )
  await fc.assert(
    fc.asyncProperty(request, fc.integer({ min: 3, max: 7 }), clientId, async (r, version, id) => {
      const ours = produceDefinition.protocol({ version })
      const theirs = kafkajsProduceProtocol({ version })
      assert.ok(ours && theirs, `kafkajs has no Produce v${version}`)
      runs++
      // The header (apiKey, apiVersion, correlationId, clientId) goes in front first, then the size
      const header = 2 + 2 + 4 + 2 + Buffer.byteLength(id)
      if (header <= FRAME_HEADROOM) inPlace++
      if (header + 4 <= FRAME_HEADROOM) roomy++
      assert.deepEqual(await framed(ours, argsOf(r), id), await framed(theirs, argsOf(r), id))
    }),
    { numRuns: 200 },
  )
  assert.equal(fastProduceRequests() - before, runs, 'every request went through produce-request.ts')
  assert.ok(copiedRecordSections() - copiedBefore > 20, 'records written to two partitions were copied, not encoded twice')
  // Two framing steps per request whose header and size fit the room, fewer otherwise
  assert.ok(roomy > 0 && roomy < runs, `both paths ran (${roomy} of ${runs} fit)`)
  assert.equal(framedWithoutCopy() - framedBefore, roomy + inPlace, 'framed in place exactly when what goes in front fits')
})

test('framing in place leaves every other request, and an encoder written to after, to kafkajs', async () => {
  const Encoder = require('kafkajs/src/protocol/encoder') as new () => {
    writeInt32(v: number): unknown
    writeEncoder(v: unknown): { buffer: Buffer }
    buffer: Buffer
  }
  const make = produceDefinition.protocol({ version: 7 })
  assert.ok(make)
  const rec: WireRecord = { key: 'k', value: Buffer.from('value'), headers: { a: 'b' }, timestamp: 1_700_000_000_000 }
  const args = txArgs([{ partition: 0, firstSequence: 0, messages: [wireMessage(rec, 0)] }])
  const body = (await make(args as never).request.encode()) as unknown as { writeInt32?: never; buffer: Buffer }
  const expected = Buffer.from(body.buffer)
  // An encoder of kafkajs's own carries no room: copied as before
  const plain = new Encoder()
  plain.writeInt32(42)
  const before = framedWithoutCopy()
  const outer = new Encoder()
  outer.writeInt32(1)
  assert.deepEqual(outer.writeEncoder(plain).buffer, Buffer.from([0, 0, 0, 1, 0, 0, 0, 42]))
  assert.equal(framedWithoutCopy(), before)
  // An encoder framed in place and then appended to has left its room: the next frame copies it
  const header = new Encoder()
  header.writeInt32(9)
  const framedOnce = header.writeEncoder(body)
  assert.equal(framedWithoutCopy(), before + 1)
  assert.deepEqual(framedOnce.buffer, Buffer.concat([Buffer.from([0, 0, 0, 9]), expected]))
  header.writeInt32(7)
  const sized = new Encoder()
  sized.writeInt32(3)
  assert.deepEqual(
    sized.writeEncoder(header).buffer,
    Buffer.concat([Buffer.from([0, 0, 0, 3, 0, 0, 0, 9]), expected, Buffer.from([0, 0, 0, 7])]),
  )
  assert.equal(framedWithoutCopy(), before + 1)
})

test('a request with any record that is not ours keeps kafkajs encoding', async () => {
  const make = produceDefinition.protocol({ version: 7 })
  assert.ok(make)
  const rec: WireRecord = { key: 'k', value: Buffer.from('v'), headers: { a: 'b' }, timestamp: 1_700_000_000_000 }
  const args = txArgs([
    { partition: 0, firstSequence: 0, messages: [wireMessage(rec, 0), { key: 'k', value: Buffer.from('v'), timestamp: '1700000000000' }] },
  ])
  const before = fastProduceRequests()
  const bytes = await framed(make, args)
  assert.equal(fastProduceRequests(), before)
  const theirs = kafkajsProduceProtocol({ version: 7 })
  assert.ok(theirs)
  assert.deepEqual(bytes, await framed(theirs, args))
})

test('records a broker acknowledged are never encoded into another request; records of a failed request are', async () => {
  const make = produceDefinition.protocol({ version: 7 })
  assert.ok(make)
  const rec = (key: string): WireRecord => ({ key, value: Buffer.from(key), headers: {}, timestamp: 1_700_000_000_000 })
  const a = wireMessage(rec('a'), 0)
  const b = wireMessage(rec('b'), 1)
  const args = (messages: { partition: number; m: unknown }[]): Args =>
    txArgs(messages.map(({ partition, m }) => ({ partition, firstSequence: 0, messages: [m] })))
  const answer = (errorCode: number) => ({
    topics: [{ topicName: 't', partitions: [{ partition: 0, errorCode, baseOffset: '0', logAppendTime: '-1', logStartOffset: '0' }] }],
    throttleTime: 0,
  })
  // A request whose answer carries an error (NOT_LEADER_OR_FOLLOWER): kafkajs sends it again, as it should
  const first = make(args([{ partition: 0, m: a }]) as never)
  await first.request.encode()
  await assert.rejects(first.response.parse(answer(6)))
  await make(args([{ partition: 0, m: a }]) as never).request.encode()
  // Acknowledged: a later request (a retry that regrouped partitions by leader) may not carry it again
  const second = make(args([{ partition: 0, m: a }]) as never)
  await second.request.encode()
  await second.response.parse(answer(0))
  await assert.rejects(make(args([{ partition: 0, m: a }]) as never).request.encode(), { code: 'NEWSWIRE_ERR_KAFKA_RESEND' })
  await assert.rejects(
    make(
      args([
        { partition: 1, m: b },
        { partition: 0, m: a },
      ]) as never,
    ).request.encode(),
    {
      code: 'NEWSWIRE_ERR_KAFKA_RESEND',
    },
  )
  await make(args([{ partition: 1, m: b }]) as never).request.encode()
})
