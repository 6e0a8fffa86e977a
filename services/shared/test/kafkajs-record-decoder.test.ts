// Pins the record decoder kafkajs's consumers use once shared's kafka.ts is loaded against
// kafkajs's own: the same message for any record (keys, values, headers with duplicates and nulls,
// timestamp and offset deltas up to 64 bits) and any batch context (offsets and timestamps past
// 2^53, log-append time), headers decoded only when read.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import '../src/kafka.ts'
import { decodeRecord, lazyRecordHeaders, recordDecoderPath } from '../src/kafkajs-record-decoder.ts'
import type { BatchContext } from '../src/kafkajs-record-decoder.ts'

const require = createRequire(import.meta.url)
type Decoder = Parameters<typeof decodeRecord>[0]
const Decoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => Decoder
const Encoder = require('kafkajs/src/protocol/encoder') as new () => {
  writeInt8(v: number): unknown
  writeVarLong(v: unknown): unknown
  writeVarInt(v: number): unknown
  writeVarIntBytes(v: Buffer | null): unknown
  writeVarIntString(v: string): unknown
  writeVarIntArray(v: unknown[]): unknown
  buffer: Buffer
}
const Long = require('kafkajs/src/utils/long') as { fromValue(v: unknown): unknown }

/** kafkajs's own decoder, compiled from its file with its own requires (the cache holds ours under its name). */
function kafkajsDecoder(): typeof decodeRecord {
  const mod: { exports: unknown } = { exports: undefined }
  const own = createRequire(recordDecoderPath)
  new Function('module', 'exports', 'require', readFileSync(recordDecoderPath, 'utf8'))(mod, {}, own)
  return mod.exports as typeof decodeRecord
}

interface Rec {
  timestampDelta: bigint
  offsetDelta: number
  key: Buffer | null
  value: Buffer | null
  headers: [string, Buffer | null][]
}

/** A record's bytes after its length (what kafkajs hands the record decoder), with headers in the given order. */
function encode(r: Rec): Buffer {
  const e = new Encoder()
  e.writeInt8(0)
  e.writeVarLong(Long.fromValue(r.timestampDelta))
  e.writeVarInt(r.offsetDelta)
  e.writeVarIntBytes(r.key)
  e.writeVarIntBytes(r.value)
  e.writeVarInt(r.headers.length)
  for (const [k, v] of r.headers) {
    e.writeVarIntString(k)
    e.writeVarIntBytes(v)
  }
  return e.buffer
}

const bytes = fc.option(
  fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  { nil: null, freq: 8 },
)
const headerKey = fc.oneof(
  fc.constantFrom('writer', 'event-type', 'trace-id', 'idempotency-key', '__proto__', 'constructor'),
  fc.string({ maxLength: 6 }),
)
const record: fc.Arbitrary<Rec> = fc.record({
  timestampDelta: fc.oneof(fc.bigInt({ min: -1000n, max: 100_000n }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
  offsetDelta: fc.oneof(fc.integer({ min: 0, max: 500 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  key: bytes,
  value: bytes,
  headers: fc.array(fc.tuple(headerKey, bytes), { maxLength: 10 }),
})
const longString = fc
  .oneof(
    fc.bigInt({ min: 0n, max: 2_000_000_000_000n }),
    fc.bigInt({ min: 2n ** 53n - 5n, max: 2n ** 53n + 5n }),
    fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }),
  )
  .map(String)
const context: fc.Arbitrary<BatchContext> = fc.record({
  firstOffset: longString,
  firstTimestamp: fc.oneof(longString, fc.constant('-1')),
  magicByte: fc.constant(2),
  isControlBatch: fc.boolean(),
  timestampType: fc.constantFrom(0, 1, -1),
  maxTimestamp: fc.option(longString, { nil: undefined }),
})

test('kafkajs consumers decode records with this decoder once kafka.ts is loaded', () => {
  assert.ok(lazyRecordHeaders())
  const batchDecoder = path.join(path.dirname(recordDecoderPath), '..', '..', 'v0', 'decoder.js')
  assert.equal(createRequire(batchDecoder)('../record/v0/decoder'), decodeRecord)
})

test('the same message as kafkajs for any record and batch context', () => {
  const theirs = kafkajsDecoder()
  assert.notEqual(theirs, decodeRecord)
  fc.assert(
    fc.property(record, context, fc.boolean(), (r, ctx, readHeadersFirst) => {
      const buf = encode(r)
      const a = decodeRecord(new Decoder(buf), ctx)
      const b = theirs(new Decoder(buf), ctx)
      if (readHeadersFirst) assert.deepEqual(a.headers, b.headers)
      assert.deepEqual({ ...a }, { ...b })
      assert.equal(a.batchContext, ctx)
      assert.deepEqual(Object.keys(a), Object.keys(b))
    }),
    { numRuns: 2000 },
  )
})

test('headers are decoded when first read, once, and can be replaced', () => {
  const buf = encode({
    timestampDelta: 3n,
    offsetDelta: 2,
    key: Buffer.from('k'),
    value: Buffer.from('v'),
    headers: [
      ['a', Buffer.from('1')],
      ['b', null],
      ['a', Buffer.from('2')],
    ],
  })
  const decoder = new Decoder(buf)
  const m = decodeRecord(decoder, { firstOffset: '10', firstTimestamp: '1700000000000', timestampType: 0 })
  // The value is decoded, the headers not yet: the decoder stands where they begin
  const headersAt = decoder.offset
  assert.equal(buf.length - headersAt, 1 + 2 + 2 + 2 + 1 + 2 + 2)
  assert.equal(m.offset, '12')
  assert.equal(m.timestamp, '1700000000003')
  const h = m.headers
  assert.deepEqual(h, { a: [Buffer.from('1'), Buffer.from('2')], b: null })
  assert.equal(m.headers, h, 'decoded once')
  assert.equal(decoder.offset, buf.length)
  m.headers = {}
  assert.deepEqual(m.headers, {})
})
