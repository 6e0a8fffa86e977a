// The body of a Kafka Produce request (v3–v7: the same layout) with one uncompressed record batch
// (magic 2) per partition, written in one pass into one buffer. kafkajs builds the same bytes
// through an Encoder per record and per header, each zero-filled, grown by copying and copied
// again into every enclosing level, and computes CRC-32C a byte at a time: that was most of
// ingest's CPU per record (docs/benchmarks.md, issue 18). produce-request.test.ts holds this
// byte for byte equal to kafkajs's own encoder; kafka.ts decides when it is used. A partition
// whose records encode to the same bytes as an earlier partition's in the same request (ingest
// writes every event to two topics) gets them copied, and their CRC-32C is summed once.

import { crc32c, crc32cCombine } from './crc32c.ts'

/** One record as it goes on the wire. Header values are UTF-8 strings; `timestamp` in epoch ms. */
export interface WireRecord {
  key: string
  value: Buffer
  headers: Readonly<Record<string, string>>
  timestamp: number
}

export interface ProduceBody {
  transactionalId: string | null
  acks: number
  timeoutMs: number
  producerId: bigint
  producerEpoch: number
  topics: readonly {
    topic: string
    partitions: readonly { partition: number; firstSequence: number; records: readonly WireRecord[] }[]
  }[]
}

const TRANSACTIONAL = 0x10

// ---- Sizes ----------------------------------------------------------------------------------------

/** Bytes of an unsigned varint (LEB128) of a non-negative integer below 2^53. */
function uvarintSize(v: number): number {
  let n = 1
  while (v >= 128) {
    v = Math.floor(v / 128)
    n++
  }
  return n
}

/** Zig-zag of a signed integer (|v| < 2^52), as a non-negative number. */
const zigzag = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1)

interface Sized {
  headerKeys: string[]
  /** UTF-8 byte lengths of the key and of each header key and value, in order. */
  lengths: number[]
  /** The record's body size (the record's own length prefix excludes itself). */
  body: number
}

function sizeRecord(r: WireRecord, offsetDelta: number, timestampDelta: number): Sized {
  const lengths: number[] = []
  const keyBytes = Buffer.byteLength(r.key)
  lengths.push(keyBytes)
  let body =
    1 +
    uvarintSize(zigzag(timestampDelta)) +
    uvarintSize(zigzag(offsetDelta)) +
    uvarintSize(zigzag(keyBytes)) +
    keyBytes +
    uvarintSize(zigzag(r.value.length)) +
    r.value.length
  const headerKeys = Object.keys(r.headers)
  for (const k of headerKeys) {
    const kb = Buffer.byteLength(k)
    const vb = Buffer.byteLength(r.headers[k] as string)
    lengths.push(kb, vb)
    body += uvarintSize(zigzag(kb)) + kb + uvarintSize(zigzag(vb)) + vb
  }
  body += uvarintSize(zigzag(headerKeys.length))
  return { headerKeys, lengths, body }
}

// ---- Writing --------------------------------------------------------------------------------------

class Writer {
  readonly buf: Buffer
  at: number
  constructor(size: number, start: number) {
    this.buf = Buffer.allocUnsafe(start + size)
    this.at = start
  }
  int8(v: number): void {
    this.buf[this.at++] = v & 0xff
  }
  int16(v: number): void {
    this.buf.writeInt16BE(v, this.at)
    this.at += 2
  }
  int32(v: number): void {
    this.buf.writeInt32BE(v, this.at)
    this.at += 4
  }
  int64(v: bigint): void {
    this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.at)
    this.at += 8
  }
  uvarint(v: number): void {
    while (v >= 128) {
      this.buf[this.at++] = (v % 128) | 0x80
      v = Math.floor(v / 128)
    }
    this.buf[this.at++] = v
  }
  string16(s: string): void {
    const n = Buffer.byteLength(s)
    this.int16(n)
    this.at += this.buf.write(s, this.at, n, 'utf8')
  }
  utf8(s: string, bytes: number): void {
    this.uvarint(zigzag(bytes))
    if (bytes > 0) this.at += this.buf.write(s, this.at, bytes, 'utf8')
  }
}

/** Timestamps of a batch: its first (smallest) and largest. */
function bounds(records: readonly WireRecord[]): { first: number; max: number } {
  let first = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const r of records) {
    if (r.timestamp < first) first = r.timestamp
    if (r.timestamp > max) max = r.timestamp
  }
  return { first, max }
}

interface Planned {
  partition: number
  firstSequence: number
  records: readonly WireRecord[]
  first: number
  max: number
  sized: Sized[]
  batch: number
  /** An earlier partition whose records encode to the same bytes, or null. */
  copyOf: Planned | null
  /** Where this partition's records were written, and their CRC, once they are. */
  written: { start: number; end: number; crc: number } | null
}

/** Same header names, in the same order, with the same values. */
function sameHeaders(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i] as string
    if (k !== kb[i] || a[k] !== b[k]) return false
  }
  return true
}

/** Whether two record lists encode to the same bytes (offset and timestamp deltas included). */
function sameRecords(a: readonly WireRecord[], b: readonly WireRecord[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as WireRecord
    const y = b[i] as WireRecord
    if (x === y) continue
    if (x.key !== y.key || x.timestamp !== y.timestamp || !(x.value === y.value || x.value.equals(y.value))) return false
    if (!sameHeaders(x.headers, y.headers)) return false
  }
  return true
}

/** Bytes from a record batch's attributes to its end: what its CRC covers. */
const BATCH_HEADER_AFTER_CRC = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4

let copiedSections = 0
/** Record batches whose records were copied from an earlier batch of the same request so far (for tests). */
export const copiedRecordSections = (): number => copiedSections

/**
 * The request body (what follows the request header). Every record batch is transactional when
 * `transactionalId` is set, as kafkajs marks them. With `headroom`, the body starts that many
 * (unwritten) bytes into the buffer, where the request's size and header can go without a copy.
 */
export function encodeProduceBody(req: ProduceBody, headroom = 0): Buffer {
  // First pass: sizes, so the buffer is allocated once and nothing is copied twice. A partition
  // whose records encode to the same bytes as an earlier one's (ingest writes each event to two
  // topics) shares its plan, and its records are copied from there instead of written again.
  const planned: Planned[] = []
  const plans = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => {
      const same = planned.find((q) => sameRecords(q.records, p.records))
      if (same !== undefined) {
        const plan: Planned = { ...p, first: same.first, max: same.max, sized: same.sized, batch: same.batch, copyOf: same, written: null }
        return plan
      }
      const { first, max } = bounds(p.records)
      const sized = p.records.map((r, i) => sizeRecord(r, i, r.timestamp - first))
      let records = 0
      for (const s of sized) records += uvarintSize(zigzag(s.body)) + s.body
      // firstOffset(8) length(4) leaderEpoch(4) magic(1) crc(4) + the part the CRC covers
      const batch = 8 + 4 + 4 + 1 + 4 + BATCH_HEADER_AFTER_CRC + records
      const plan: Planned = { ...p, first, max, sized, batch, copyOf: null, written: null }
      planned.push(plan)
      return plan
    }),
  }))
  let size = 2 + (req.transactionalId === null ? 0 : Buffer.byteLength(req.transactionalId)) + 2 + 4 + 4
  for (const t of plans) {
    size += 2 + Buffer.byteLength(t.topic) + 4
    for (const p of t.partitions) size += 4 + 4 + p.batch
  }

  const w = new Writer(size, headroom)
  if (req.transactionalId === null) w.int16(-1)
  else w.string16(req.transactionalId)
  w.int16(req.acks)
  w.int32(req.timeoutMs)
  w.int32(plans.length)
  for (const t of plans) {
    w.string16(t.topic)
    w.int32(t.partitions.length)
    for (const p of t.partitions) {
      w.int32(p.partition)
      w.int32(p.batch)
      w.int64(0n) // firstOffset
      w.int32(p.batch - 12) // the batch after firstOffset and this length
      w.int32(0) // partitionLeaderEpoch
      w.int8(2) // magic
      const crcAt = w.at
      w.at += 4
      const crcFrom = w.at
      w.int16(req.transactionalId === null ? 0 : TRANSACTIONAL)
      w.int32(p.records.length - 1) // lastOffsetDelta
      w.int64(BigInt(p.first))
      w.int64(BigInt(p.max))
      w.int64(req.producerId)
      w.int16(req.producerEpoch)
      w.int32(p.firstSequence)
      w.int32(p.records.length)
      const headerCrc = crc32c(w.buf, crcFrom, w.at)
      const written = p.copyOf?.written
      if (written != null) {
        copiedSections++
        w.buf.copy(w.buf, w.at, written.start, written.end)
        w.at += written.end - written.start
        w.buf.writeUInt32BE(crc32cCombine(headerCrc, written.crc, written.end - written.start), crcAt)
        continue
      }
      const recordsFrom = w.at
      for (const [i, r] of p.records.entries()) {
        const s = p.sized[i] as Sized
        w.uvarint(zigzag(s.body))
        w.int8(0) // attributes
        w.uvarint(zigzag(r.timestamp - p.first))
        w.uvarint(zigzag(i))
        let l = 0
        w.utf8(r.key, s.lengths[l++] as number)
        w.uvarint(zigzag(r.value.length))
        r.value.copy(w.buf, w.at)
        w.at += r.value.length
        w.uvarint(zigzag(s.headerKeys.length))
        for (const k of s.headerKeys) {
          w.utf8(k, s.lengths[l++] as number)
          w.utf8(r.headers[k] as string, s.lengths[l++] as number)
        }
      }
      const recordsCrc = crc32c(w.buf, recordsFrom, w.at)
      p.written = { start: recordsFrom, end: w.at, crc: recordsCrc }
      w.buf.writeUInt32BE(crc32cCombine(headerCrc, recordsCrc, w.at - recordsFrom), crcAt)
    }
  }
  if (w.at !== headroom + size) throw new Error(`produce request: wrote ${w.at - headroom} of ${size} bytes`)
  return w.buf
}
