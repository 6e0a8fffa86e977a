// Bounds scan of an Avro body against its writer schema, run before avsc decodes it (codec.ts).
import { isUtf8 } from 'node:buffer'
import avsc from 'avsc'
import type { Type } from 'avsc'

// avsc trusts counts: an array block count of 2^31 makes it allocate and loop
// far past the end of the buffer until the process dies, so one corrupt record
// could take a consumer down. The scan allocates nothing, stops at the first
// impossible length, count or index, and also rejects what avsc would decode
// silently wrong: invalid UTF-8 (becomes U+FFFD), booleans other than 0/1,
// ints outside 32 bits.
export class ScanError extends Error {
  readonly truncated: boolean
  constructor(truncated: boolean, message: string) {
    super(message)
    this.truncated = truncated
  }
}

export interface ScanState {
  buf: Buffer
  pos: number
}
export type Scanner = (s: ScanState) => void

// Arrays of zero-byte items (null, empty records) are not bounded by the bytes
const MAX_ZERO_SIZE_ITEMS = 1_000_000

function readVarint(s: ScanState, maxBytes: number): number {
  // Zig-zag varint as a double: exact up to 2^53, and beyond that only the size matters
  let raw = 0
  let scale = 1
  for (let i = 0; ; i++) {
    if (i === maxBytes) throw new ScanError(false, `varint longer than ${maxBytes} bytes at ${s.pos}`)
    if (s.pos >= s.buf.length) throw new ScanError(true, 'body ends inside a number')
    const b = s.buf[s.pos++] as number
    raw += (b & 0x7f) * scale
    scale *= 128
    if ((b & 0x80) === 0) break
  }
  return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
}

function take(s: ScanState, length: number, what: string): number {
  if (length < 0) throw new ScanError(false, `negative ${what} length ${length} at ${s.pos}`)
  const start = s.pos
  if (length > s.buf.length - start) throw new ScanError(true, `${what} of ${length} bytes at ${start} runs past the end`)
  s.pos += length
  return start
}

function minSize(type: Type, seen: Set<Type>): number {
  if (type instanceof avsc.types.NullType) return 0
  if (type instanceof avsc.types.FloatType) return 4
  if (type instanceof avsc.types.DoubleType) return 8
  if (type instanceof avsc.types.FixedType) return type.size
  if (type instanceof avsc.types.LogicalType) return minSize(type.underlyingType, seen)
  if (type instanceof avsc.types.RecordType) {
    // a record that contains itself can only do so through a union or array (>= 1 byte)
    if (seen.has(type)) return 0
    seen.add(type)
    const size = type.fields.reduce((sum, f) => sum + minSize(f.type, seen), 0)
    seen.delete(type)
    return size
  }
  return 1 // boolean, varints, lengths, enum and union indexes, end of array/map blocks
}

export function compileScanner(type: Type, compiled: Map<Type, Scanner>): Scanner {
  const known = compiled.get(type)
  if (known) return known
  if (type instanceof avsc.types.RecordType) {
    const fields: Scanner[] = []
    const scan: Scanner = (s) => {
      for (const field of fields) field(s)
    }
    compiled.set(type, scan) // before the fields: records may refer to themselves
    for (const field of type.fields) fields.push(compileScanner(field.type, compiled))
    return scan
  }
  const scan = compileLeaf(type, compiled)
  compiled.set(type, scan)
  return scan
}

function compileBlocks(itemSize: number, item: Scanner): Scanner {
  return (s) => {
    for (;;) {
      let count = readVarint(s, 10)
      if (count === 0) return
      if (count < 0) {
        count = -count
        readVarint(s, 10) // block size in bytes, not needed
      }
      if (itemSize === 0 ? count > MAX_ZERO_SIZE_ITEMS : count * itemSize > s.buf.length - s.pos) {
        throw new ScanError(itemSize > 0, `block of ${count} items at ${s.pos} cannot fit in the body`)
      }
      for (let i = 0; i < count; i++) item(s)
    }
  }
}

function compileLeaf(type: Type, compiled: Map<Type, Scanner>): Scanner {
  if (type instanceof avsc.types.NullType) return () => {}
  if (type instanceof avsc.types.BooleanType) {
    return (s) => {
      const b = s.buf[take(s, 1, 'boolean')] as number
      if (b > 1) throw new ScanError(false, `boolean byte ${b} at ${s.pos - 1}`)
    }
  }
  if (type instanceof avsc.types.IntType) {
    return (s) => {
      const n = readVarint(s, 5)
      if (n < -(2 ** 31) || n > 2 ** 31 - 1) throw new ScanError(false, `int ${n} out of range at ${s.pos}`)
    }
  }
  if (type instanceof avsc.types.LongType) return (s) => void readVarint(s, 10)
  if (type instanceof avsc.types.FloatType) return (s) => void take(s, 4, 'float')
  if (type instanceof avsc.types.DoubleType) return (s) => void take(s, 8, 'double')
  if (type instanceof avsc.types.FixedType) return (s) => void take(s, type.size, 'fixed')
  if (type instanceof avsc.types.BytesType) return (s) => void take(s, readVarint(s, 10), 'bytes')
  if (type instanceof avsc.types.StringType) {
    return (s) => {
      const length = readVarint(s, 10)
      const start = take(s, length, 'string')
      if (!isUtf8(s.buf.subarray(start, start + length))) throw new ScanError(false, `string at ${start} is not valid UTF-8`)
    }
  }
  if (type instanceof avsc.types.EnumType) {
    const count = type.symbols.length
    return (s) => {
      const index = readVarint(s, 5)
      if (index < 0 || index >= count) throw new ScanError(false, `enum index ${index} of ${count} symbols at ${s.pos}`)
    }
  }
  if (type instanceof avsc.types.ArrayType) {
    const items = compileScanner(type.itemsType, compiled)
    return compileBlocks(minSize(type.itemsType, new Set()), items)
  }
  if (type instanceof avsc.types.MapType) {
    const key = compileLeaf(avsc.Type.forSchema('string'), compiled)
    const values = compileScanner(type.valuesType as Type, compiled)
    return compileBlocks(1 + minSize(type.valuesType as Type, new Set()), (s) => {
      key(s)
      values(s)
    })
  }
  if (type instanceof avsc.types.UnwrappedUnionType || type instanceof avsc.types.WrappedUnionType) {
    const branches = type.types.map((t) => compileScanner(t, compiled))
    return (s) => {
      const index = readVarint(s, 5)
      const branch = branches[index]
      if (branch === undefined) throw new ScanError(false, `union index ${index} of ${branches.length} branches at ${s.pos}`)
      branch(s)
    }
  }
  if (type instanceof avsc.types.LogicalType) return compileScanner(type.underlyingType, compiled)
  throw new Error(`no scanner for Avro type ${type.typeName}`)
}
