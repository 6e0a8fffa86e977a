// kafkajs decodes every fetched record in full (protocol/recordBatch/record/v0/decoder.js): its
// offset and timestamp through BigInt-backed Longs parsed from strings, and its headers into an
// object rebuilt by a spread for every header. Ingest's tail reads back its own commits, about
// half of the records it fetches, and needs only their values: headers are read for records of
// other instances. This decoder gives the same message, with the offset and timestamp computed in
// plain numbers while they are exact (below 2^53), else as kafkajs does, and the headers decoded
// by kafkajs's own code when first read, from the record's bytes. kafkajs's fetch decoder takes
// the record decoder once, when it loads, so this one has to be in Node's module cache before
// kafkajs is: kafka.ts imports this module before kafkajs. kafkajs-record-decoder.test.ts holds it
// equal to kafkajs's for any record and batch context.
import { kafkajsInternal, replaceKafkajsModule } from './kafkajs-modules.ts'

interface LongLike {
  add(v: LongLike | number): LongLike
  toString(): string
}
interface KafkajsDecoder {
  buffer: Buffer
  offset: number
  readInt8(): number
  readVarInt(): number
  readVarLong(): LongLike
  readVarIntBytes(): Buffer | null
  readVarIntArray<T>(reader: (d: KafkajsDecoder) => T): T[]
}
type HeaderValue = Buffer | null
export type Headers = Record<string, HeaderValue | HeaderValue[]>

export interface BatchContext {
  firstOffset?: string
  firstTimestamp?: string
  magicByte?: number
  isControlBatch?: boolean
  timestampType?: number
  maxTimestamp?: string
}

const Long = kafkajsInternal('kafkajs/src/utils/long') as { fromValue(v: unknown): LongLike }
const HeaderDecoder = kafkajsInternal('kafkajs/src/protocol/recordBatch/header/v0/decoder') as (d: KafkajsDecoder) => {
  key: string
  value: HeaderValue
}
const { LOG_APPEND_TIME } = kafkajsInternal('kafkajs/src/protocol/timestampTypes') as { LOG_APPEND_TIME: number }

/** kafkajs's header decoding, verbatim (duplicates become arrays): run when headers are first read. */
function decodeHeaders(decoder: KafkajsDecoder): Headers {
  return decoder.readVarIntArray(HeaderDecoder).reduce<Headers>(
    (obj, { key, value }) => ({
      // biome-ignore lint/performance/noAccumulatingSpread: kafkajs's code as it is, so headers come out exactly as before (keys like __proto__ included)
      ...obj,
      [key]:
        obj[key] === undefined
          ? value
          : Array.isArray(obj[key])
            ? (obj[key] as HeaderValue[]).concat([value])
            : [obj[key] as HeaderValue, value],
    }),
    {},
  )
}

/** A decimal string as a number when exactly representable as a safe integer, else null. */
function exact(s: string | undefined): number | null {
  if (s === undefined) return null
  const n = Number(s)
  return Number.isSafeInteger(n) && String(n) === s ? n : null
}

/** A batch's first offset and timestamp as numbers, parsed once per batch (its records share the context). */
const bases = new WeakMap<BatchContext, { offset: number | null; timestamp: number | null }>()
function baseOf(ctx: BatchContext): { offset: number | null; timestamp: number | null } {
  let b = bases.get(ctx)
  if (b === undefined) {
    b = { offset: exact(ctx.firstOffset), timestamp: exact(ctx.firstTimestamp) }
    bases.set(ctx, b)
  }
  return b
}

/** A zig-zag varlong of at most 7 bytes (|v| < 2^48) as a number, or null to leave it to kafkajs. */
function smallVarLong(decoder: KafkajsDecoder): number | null {
  const buf = decoder.buffer
  let at = decoder.offset
  let raw = 0
  let scale = 1
  for (let i = 0; i < 7; i++) {
    const b = buf[at++]
    if (b === undefined) return null
    raw += (b & 0x7f) * scale
    scale *= 128
    if (b < 0x80) {
      decoder.offset = at
      return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
    }
  }
  return null
}

/** kafkajs's record decoder, with headers decoded when first read. */
export function decodeRecord(decoder: KafkajsDecoder, batchContext: BatchContext = {}) {
  const { firstOffset, firstTimestamp, magicByte, isControlBatch = false, timestampType, maxTimestamp } = batchContext
  const attributes = decoder.readInt8()
  const base = baseOf(batchContext)

  let timestamp: string
  const delta = smallVarLong(decoder)
  const longDelta = delta === null ? decoder.readVarLong() : null
  if (timestampType === LOG_APPEND_TIME && maxTimestamp) timestamp = maxTimestamp
  else if (delta !== null && base.timestamp !== null && Number.isSafeInteger(base.timestamp + delta))
    timestamp = String(base.timestamp + delta)
  else
    timestamp = Long.fromValue(firstTimestamp)
      .add(longDelta ?? Long.fromValue(delta))
      .toString()

  const offsetDelta = decoder.readVarInt()
  const offset =
    base.offset !== null && Number.isSafeInteger(base.offset + offsetDelta)
      ? String(base.offset + offsetDelta)
      : Long.fromValue(firstOffset).add(offsetDelta).toString()

  const key = decoder.readVarIntBytes()
  const value = decoder.readVarIntBytes()
  let headers: Headers | undefined
  const message = {
    magicByte,
    attributes, // Record level attributes are presently unused
    timestamp,
    offset,
    key,
    value,
    // Replaced by the decoded object on first read; the decoder holds only this record's bytes
    get headers(): Headers {
      headers ??= decodeHeaders(decoder)
      return headers
    },
    set headers(v: Headers) {
      headers = v
    },
    isControlRecord: isControlBatch,
    batchContext,
  }
  return message
}

/** The file kafkajs's record batch decoder requires. */
export const recordDecoderPath = replaceKafkajsModule('kafkajs/src/protocol/recordBatch/record/v0/decoder', decodeRecord)

/** Whether kafkajs decodes fetched records with the decoder above (false if kafkajs was loaded first). */
export const lazyRecordHeaders = (): boolean => kafkajsInternal(recordDecoderPath) === decodeRecord
