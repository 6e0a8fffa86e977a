// The eventId of an encoded ArticleEvent without decoding it: what a reader that already holds
// most events (ingest's own echo) needs to skip them cheaply.
import { HEADER_LENGTH, SINGLE_OBJECT_MAGIC } from './codec.ts'

const UUID_LENGTH = 36
// Zig-zag varint of 36: the length prefix of the eventId string
const UUID_LENGTH_PREFIX = UUID_LENGTH * 2

/**
 * The `eventId` of an encoded ArticleEvent, or null when the bytes do not start that way (then
 * decode them). `eventId`, a UUID string, is the first field of every schema version (a test
 * checks each one), so it sits right after the 10-byte header.
 */
export function peekEventId(buf: Buffer | Uint8Array): string | null {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  if (b.length < HEADER_LENGTH + 1 + UUID_LENGTH || b[0] !== SINGLE_OBJECT_MAGIC[0] || b[1] !== SINGLE_OBJECT_MAGIC[1]) return null
  if (b[HEADER_LENGTH] !== UUID_LENGTH_PREFIX) return null
  return b.toString('latin1', HEADER_LENGTH + 1, HEADER_LENGTH + 1 + UUID_LENGTH)
}
