// CRC-64-AVRO: the 64-bit Rabin fingerprint the Avro spec defines for schema
// fingerprints and single-object encoding. avsc only offers node:crypto digests
// (MD5 by default), so we compute it here. Input is a schema's Parsing
// Canonical Form; the result is what goes on the wire after C3 01.

/** Fingerprint of the empty input; also the polynomial the table is built from. */
export const CRC64_AVRO_EMPTY = 0xc15d213aa4d7a795n

// One 64-bit entry per byte value, as in the spec's reference code.
const TABLE: readonly bigint[] = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i)
  for (let j = 0; j < 8; j++) {
    fp = (fp & 1n) === 1n ? (fp >> 1n) ^ CRC64_AVRO_EMPTY : fp >> 1n
  }
  return fp
})

function toBytes(input: string | Uint8Array): Uint8Array {
  // Strings are hashed as UTF-8, like every Avro implementation does
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : input
}

/**
 * CRC-64-AVRO fingerprint as an unsigned 64-bit bigint.
 * Java's SchemaNormalization.parsingFingerprint64 returns the same bits as a
 * signed long: compare with BigInt.asIntN(64, value).
 */
export function crc64AvroBigInt(input: string | Uint8Array): bigint {
  let fp = CRC64_AVRO_EMPTY
  for (const b of toBytes(input)) {
    const entry = TABLE[Number((fp ^ BigInt(b)) & 0xffn)] as bigint
    fp = (fp >> 8n) ^ entry
  }
  return fp
}

/** CRC-64-AVRO fingerprint as the 8 little-endian bytes written after C3 01. */
export function crc64Avro(input: string | Uint8Array): Buffer {
  const out = Buffer.alloc(8)
  out.writeBigUInt64LE(crc64AvroBigInt(input))
  return out
}
