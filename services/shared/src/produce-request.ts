// The body of a Kafka Produce request (v3–v7: the same layout) with one uncompressed record batch
// (magic 2) per partition, written in one pass into one buffer. kafkajs builds the same bytes
// through an Encoder per record and per header, each zero-filled, grown by copying and copied
// again into every enclosing level, and computes CRC-32C a byte at a time: that was most of
// ingest's CPU per record (docs/benchmarks.md, issue 18). produce-request.test.ts holds this
// byte for byte equal to kafkajs's own encoder; kafka.ts decides when it is used.

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

// ---- CRC-32C (Castagnoli), slicing by 8 ---------------------------------------------------------

const CRC_TABLES: Int32Array[] = (() => {
  const t = Array.from({ length: 8 }, () => new Int32Array(256))
  const t0 = t[0] as Int32Array
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
    t0[n] = c
  }
  for (let n = 0; n < 256; n++) {
    let c = t0[n] as number
    for (let k = 1; k < 8; k++) {
      c = (t0[c & 0xff] as number) ^ (c >>> 8)
      ;(t[k] as Int32Array)[n] = c
    }
  }
  return t
})()

/** CRC-32C of `buf[start, end)`, as an unsigned 32-bit number. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ]
  let crc = -1
  let i = start
  for (; i + 8 <= end; i += 8) {
    const a = crc ^ ((buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24))
    crc =
      (t7[a & 0xff] as number) ^
      (t6[(a >>> 8) & 0xff] as number) ^
      (t5[(a >>> 16) & 0xff] as number) ^
      (t4[a >>> 24] as number) ^
      (t3[buf[i + 4] as number] as number) ^
      (t2[buf[i + 5] as number] as number) ^
      (t1[buf[i + 6] as number] as number) ^
      (t0[buf[i + 7] as number] as number)
  }
  for (; i < end; i++) crc = (t0[(crc ^ (buf[i] as number)) & 0xff] as number) ^ (crc >>> 8)
  return (crc ^ -1) >>> 0
}

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

/** Bytes from a record batch's attributes to its end: what its CRC covers. */
const BATCH_HEADER_AFTER_CRC = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4

/**
 * The request body (what follows the request header). Every record batch is transactional when
 * `transactionalId` is set, as kafkajs marks them. With `headroom`, the body starts that many
 * (unwritten) bytes into the buffer, where the request's size and header can go without a copy.
 */
export function encodeProduceBody(req: ProduceBody, headroom = 0): Buffer {
  // First pass: sizes, so the buffer is allocated once and nothing is copied twice
  const plans = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => {
      const { first, max } = bounds(p.records)
      const sized = p.records.map((r, i) => sizeRecord(r, i, r.timestamp - first))
      let records = 0
      for (const s of sized) records += uvarintSize(zigzag(s.body)) + s.body
      // firstOffset(8) length(4) leaderEpoch(4) magic(1) crc(4) + the part the CRC covers
      const batch = 8 + 4 + 4 + 1 + 4 + BATCH_HEADER_AFTER_CRC + records
      return { ...p, first, max, sized, batch }
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
      w.buf.writeUInt32BE(crc32c(w.buf, crcFrom, w.at), crcAt)
    }
  }
  if (w.at !== headroom + size) throw new Error(`produce request: wrote ${w.at - headroom} of ${size} bytes`)
  return w.buf
}
