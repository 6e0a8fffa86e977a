// Avro single-object encoding of ArticleEvent: C3 01, the 8-byte CRC-64-AVRO
// fingerprint of the writer schema's Parsing Canonical Form, then the Avro
// binary body. Anyone holding the .avsc files can decode it without a registry;
// schemas/README.md is the contract for consumers outside this repo.

import avsc from 'avsc'
import type { Type } from 'avsc'
import { isEntryEvent } from './article.ts'
import type { NewswireEvent } from './article.ts'
import { NewswireError } from './errors.ts'
import { compileScanner, ScanError } from './scan.ts'
import type { Scanner, ScanState } from './scan.ts'
import type { SchemaSet, SchemaVersion } from './schemas.ts'
import { describeValue, formatPath, silentLosses } from './silent-losses.ts'
import type { CodecProblem } from './silent-losses.ts'

export { canonicalForm, defaultSchemasDir, loadSchemas } from './schemas.ts'
export type { SchemaSet, SchemaVersion } from './schemas.ts'

/** First two bytes of every single-object encoded message (Avro spec). */
export const SINGLE_OBJECT_MAGIC: readonly number[] = Object.freeze([0xc3, 0x01])
export const FINGERPRINT_LENGTH = 8
/** Magic + fingerprint: where the Avro body starts. */
export const HEADER_LENGTH = 10
/** Value of the Kafka 'content-type' header for these messages. */
export const AVRO_CONTENT_TYPE = 'application/vnd.apache.avro+binary'

export interface Codec {
  readonly schemas: SchemaSet
  /** Encodes with the current schema after validating `event` against it (and ENTRY_* types against `entry`). */
  encode(event: NewswireEvent): Buffer
  /** Encodes with schema `version` (e.g. an older one, for tests and replays); `value` must match that version. */
  encodeWith(version: number, value: unknown): Buffer
  /**
   * Decodes any known writer version into the current schema's shape: an article event, or an
   * entry event (ENTRY_*, with its `entry`). Narrow with isEntryEvent before treating it as a
   * version of its article.
   */
  decode(buf: Buffer | Uint8Array): NewswireEvent
  /** Decodes any known writer version into the shape of reader schema `readerVersion`. */
  decodeWith(readerVersion: number, buf: Buffer | Uint8Array): unknown
  /** Writer schema fingerprint of a message as hex, whether or not the schema is known (for headers, logs, DLQ). */
  fingerprintOf(buf: Buffer | Uint8Array): string
  /** The known writer schema of a message; throws NEWSWIRE_ERR_CODEC_UNKNOWN_SCHEMA otherwise. */
  writerOf(buf: Buffer | Uint8Array): SchemaVersion
}

type Resolver = ReturnType<Type['createResolver']>

function asBuffer(buf: Buffer | Uint8Array): Buffer {
  // A view, not a copy: KafkaJS hands us Buffers, others may pass Uint8Arrays
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
}

function readHeader(buf: Buffer): { fingerprintHex: string; body: Buffer } {
  if (buf.length === 0) {
    throw new NewswireError('NEWSWIRE_ERR_CODEC_MAGIC', 'empty message: no C3 01 single-object header', {
      details: { length: 0 },
    })
  }
  if (buf[0] !== SINGLE_OBJECT_MAGIC[0] || (buf.length > 1 && buf[1] !== SINGLE_OBJECT_MAGIC[1])) {
    const head = buf.subarray(0, 2).toString('hex')
    // A 00 first byte is the usual mix-up with Confluent's registry framing
    const hint = buf[0] === 0x00 ? ' (looks like Confluent wire format, 00 + schema id)' : ''
    throw new NewswireError('NEWSWIRE_ERR_CODEC_MAGIC', `not Avro single-object encoded: starts with ${head}, expected c301${hint}`, {
      details: { head, length: buf.length },
    })
  }
  if (buf.length < HEADER_LENGTH) {
    throw new NewswireError(
      'NEWSWIRE_ERR_CODEC_TRUNCATED',
      `message of ${buf.length} bytes is shorter than the ${HEADER_LENGTH}-byte header`,
      {
        details: { length: buf.length },
      },
    )
  }
  return {
    fingerprintHex: buf.subarray(2, HEADER_LENGTH).toString('hex'),
    body: buf.subarray(HEADER_LENGTH),
  }
}

// avsc decodes records into generated classes; consumers and tests want plain data
function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain)
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {}
    for (const [key, v] of Object.entries(value)) out[key] = toPlain(v)
    return out
  }
  return value
}

function shortName(name: string | undefined): string {
  return name?.split('.').at(-1) ?? '?'
}

function describeType(type: Type): string {
  if (type instanceof avsc.types.UnwrappedUnionType || type instanceof avsc.types.WrappedUnionType) {
    return type.types.map(describeType).join(' | ')
  }
  if (type instanceof avsc.types.EnumType) return `${shortName(type.name)} (${type.symbols.join('|')})`
  if (type instanceof avsc.types.RecordType) return `record ${shortName(type.name)}`
  return type.typeName
}

// avsc zig-zags negative longs in floating point, which is exact only down to
// -2^52: smaller values pass isValid but are written wrong (mtth/avsc#455).
// Timestamps never get there; silent-losses.ts refuses rather than corrupt.
export { MIN_SAFE_AVRO_LONG } from './silent-losses.ts'
export type { CodecProblem } from './silent-losses.ts'
/** avsc's own upper bound for longs (its isSafeLong); larger values are refused by isValid. */
export const MAX_SAFE_AVRO_LONG = Number.MAX_SAFE_INTEGER - 1

/** Every path where `value` does not match `type`, or would not survive encoding unchanged. */
export function findProblems(type: Type, value: unknown): CodecProblem[] {
  const problems = new Map<string, CodecProblem>()
  const add = (problem: CodecProblem) => {
    if (!problems.has(problem.path)) problems.set(problem.path, problem)
  }
  if (!type.isValid(value, { noUndeclaredFields: true })) {
    type.isValid(value, {
      errorHook: (path: string[], v: unknown, t: Type) => add({ path: formatPath(path), expected: describeType(t), got: describeValue(v) }),
    })
  }
  silentLosses(type)(value, [], add)
  return [...problems.values()]
}

/** Entry events carry their entry and article events none; a message that breaks this is no event of ours. */
function entryMismatch(event: NewswireEvent): string | null {
  // Not an object at all: the schema check names what is wrong with it
  if (typeof event !== 'object' || event === null) return null
  const hasEntry = event.entry !== undefined && event.entry !== null
  if (isEntryEvent(event) === hasEntry) return null
  return hasEntry ? `a ${event.type} event carries an entry; only ENTRY_* events do` : `a ${event.type} event has no entry`
}

/** Codec over a loaded schema set. Holds only per-instance caches (resolvers). */
export function createCodec(schemas: SchemaSet): Codec {
  const resolvers = new Map<string, Resolver>()
  const scanners = new Map<string, Scanner>()
  /** Where encodeWith writes before copying out exactly the bytes written (one per codec: encoding is synchronous). */
  let scratch = Buffer.allocUnsafe(16 * 1024)

  function scannerFor(writer: SchemaVersion): Scanner {
    let scan = scanners.get(writer.fingerprintHex)
    if (scan === undefined) {
      scan = compileScanner(writer.type, new Map())
      scanners.set(writer.fingerprintHex, scan)
    }
    return scan
  }

  function schemaVersion(version: number, role: string): SchemaVersion {
    const found = schemas.byVersion(version)
    if (found === undefined) {
      const known = schemas.versions.map((v) => v.version)
      throw new NewswireError('NEWSWIRE_ERR_CODEC_UNKNOWN_SCHEMA', `no ${role} schema version ${version} (known: ${known.join(', ')})`, {
        details: { version, known },
      })
    }
    return found
  }

  function writerFor(fingerprintHex: string): SchemaVersion {
    const writer = schemas.byFingerprint(fingerprintHex)
    if (writer === undefined) {
      const known = schemas.versions.map((v) => `v${v.version}=${v.fingerprintHex}`)
      throw new NewswireError(
        'NEWSWIRE_ERR_CODEC_UNKNOWN_SCHEMA',
        `unknown writer schema fingerprint ${fingerprintHex} (known: ${known.join(', ')})`,
        { details: { fingerprint: fingerprintHex, known } },
      )
    }
    return writer
  }

  function resolverFor(reader: SchemaVersion, writer: SchemaVersion): Resolver | undefined {
    if (reader.fingerprintHex === writer.fingerprintHex) return undefined
    const key = `${reader.version}:${writer.fingerprintHex}`
    let resolver = resolvers.get(key)
    if (resolver === undefined) {
      try {
        resolver = reader.type.createResolver(writer.type)
      } catch (err) {
        // Only possible if the schema folder breaks our evolution rules
        throw new NewswireError(
          'NEWSWIRE_ERR_CODEC_UNKNOWN_SCHEMA',
          `writer schema v${writer.version} cannot be resolved into reader v${reader.version}: ${(err as Error).message}`,
          { cause: err, details: { fingerprint: writer.fingerprintHex, writer: writer.version, reader: reader.version } },
        )
      }
      resolvers.set(key, resolver)
    }
    return resolver
  }

  function encodeWith(version: number, value: unknown): Buffer {
    const writer = schemaVersion(version, 'writer')
    const problems = findProblems(writer.type, value)
    if (problems.length > 0) {
      const listed = problems
        .slice(0, 10)
        .map((p) => `${p.path}: expected ${p.expected}, got ${p.got}`)
        .join('; ')
      const more = problems.length > 10 ? ` (+${problems.length - 10} more)` : ''
      throw new NewswireError('NEWSWIRE_ERR_CODEC_INVALID', `ArticleEvent does not match schema v${version}: ${listed}${more}`, {
        details: { version, paths: problems.map((p) => p.path), problems },
      })
    }
    // Written once, after the header, into a scratch buffer that grows to the largest event seen.
    // avsc's toBuffer writes into a 1 KiB buffer and, for a larger value (most articles), writes
    // the whole value again into a zero-filled one, which was then copied once more behind the header.
    let end = writer.type.encode(value, scratch, HEADER_LENGTH)
    if (end < 0) {
      // `encode` returns minus the bytes that did not fit
      scratch = Buffer.allocUnsafe(2 ** Math.ceil(Math.log2(scratch.length - end)))
      end = writer.type.encode(value, scratch, HEADER_LENGTH)
    }
    const out = Buffer.allocUnsafe(end)
    out[0] = SINGLE_OBJECT_MAGIC[0] as number
    out[1] = SINGLE_OBJECT_MAGIC[1] as number
    writer.fingerprint.copy(out, 2)
    scratch.copy(out, HEADER_LENGTH, HEADER_LENGTH, end)
    return out
  }

  function decodeWith(readerVersion: number, input: Buffer | Uint8Array): unknown {
    const reader = schemaVersion(readerVersion, 'reader')
    const { fingerprintHex, body } = readHeader(asBuffer(input))
    const writer = writerFor(fingerprintHex)
    const resolver = resolverFor(reader, writer)
    const details = { fingerprint: fingerprintHex, writer: writer.version, reader: reader.version, bodyLength: body.length }
    // Scan first (see ScanError): after it, avsc only sees bytes whose every count fits
    const state: ScanState = { buf: body, pos: 0 }
    try {
      scannerFor(writer)(state)
    } catch (err) {
      if (!(err instanceof ScanError)) throw err
      const code = err.truncated ? 'NEWSWIRE_ERR_CODEC_TRUNCATED' : 'NEWSWIRE_ERR_CODEC_CORRUPT'
      const what = err.truncated ? 'truncated' : 'corrupt'
      throw new NewswireError(code, `${what} v${writer.version} body (${body.length} bytes): ${err.message}`, {
        details: { ...details, offset: state.pos },
      })
    }
    if (state.pos !== body.length) {
      throw new NewswireError(
        'NEWSWIRE_ERR_CODEC_CORRUPT',
        `${body.length - state.pos} trailing bytes after the v${writer.version} record (${state.pos} of ${body.length} bytes read)`,
        { details: { ...details, offset: state.pos } },
      )
    }
    let decoded: { value: unknown; offset: number }
    try {
      decoded = reader.type.decode(body, 0, resolver)
    } catch (err) {
      // e.g. a long past 2^53, which avsc cannot represent
      throw new NewswireError('NEWSWIRE_ERR_CODEC_CORRUPT', `corrupt v${writer.version} body: ${(err as Error).message}`, {
        cause: err,
        details,
      })
    }
    // The scan already proved the record ends exactly at the end of the body
    if (decoded.offset !== body.length) {
      throw new NewswireError(
        'NEWSWIRE_ERR_CODEC_CORRUPT',
        `v${writer.version} body decoded to ${decoded.offset} of ${body.length} bytes`,
        {
          details: { ...details, offset: decoded.offset },
        },
      )
    }
    const value = toPlain(decoded.value)
    // Belt and braces: whatever the reader schema rejects came from garbage
    if (!reader.type.isValid(value)) {
      const problems = findProblems(reader.type, value)
      throw new NewswireError(
        'NEWSWIRE_ERR_CODEC_CORRUPT',
        `decoded v${writer.version} record is out of range: ${problems.map((p) => p.path).join(', ')}`,
        {
          details: { ...details, problems },
        },
      )
    }
    return value
  }

  return {
    schemas,
    encode(event) {
      const mismatch = entryMismatch(event)
      if (mismatch !== null) {
        throw new NewswireError(
          'NEWSWIRE_ERR_CODEC_INVALID',
          `ArticleEvent does not match schema v${schemas.current.version}: ${mismatch}`,
          {
            details: { version: schemas.current.version, paths: ['entry'], problems: [] },
          },
        )
      }
      return encodeWith(schemas.current.version, event)
    },
    encodeWith,
    decode(buf) {
      // Sound cast once the pairing holds: decodeWith checked the value against the current
      // schema, which NewswireEvent mirrors
      const event = decodeWith(schemas.current.version, buf) as NewswireEvent
      const mismatch = entryMismatch(event)
      if (mismatch !== null) {
        const writer = writerFor(readHeader(asBuffer(buf)).fingerprintHex)
        throw new NewswireError('NEWSWIRE_ERR_CODEC_CORRUPT', `decoded v${writer.version} record: ${mismatch}`, {
          details: { fingerprint: writer.fingerprintHex, writer: writer.version, type: event.type },
        })
      }
      return event
    },
    decodeWith,
    fingerprintOf: (buf) => readHeader(asBuffer(buf)).fingerprintHex,
    writerOf: (buf) => writerFor(readHeader(asBuffer(buf)).fingerprintHex),
  }
}
