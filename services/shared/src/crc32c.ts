// CRC-32C (Castagnoli), the checksum of a Kafka record batch: slicing by 8, 2× kafkajs's byte at a
// time; and the combination of two CRCs, so that a run of bytes written twice (the same records
// in two topics' batches) is summed once.

const POLY = 0x82f63b78

const CRC_TABLES: Int32Array[] = (() => {
  const t = Array.from({ length: 8 }, () => new Int32Array(256))
  const t0 = t[0] as Int32Array
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1
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

// ---- Combination (zlib's crc32_combine, for this polynomial) --------------------------------------

/** a(x)·b(x) modulo the CRC polynomial, both reflected (bit 31 is x^0). */
function multModP(a: number, b: number): number {
  if (a === 0) return 0
  let m = 0x80000000
  let p = 0
  for (;;) {
    if (a & m) {
      p ^= b
      if ((a & (m - 1)) === 0) break
    }
    m >>>= 1
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1
  }
  return p >>> 0
}

/** x^(2^k) modulo the polynomial, for k = 0..31. */
const X2N: Uint32Array = (() => {
  const t = new Uint32Array(32)
  let p = 0x40000000 // x^1
  t[0] = p
  for (let k = 1; k < 32; k++) {
    p = multModP(p, p)
    t[k] = p
  }
  return t
})()

/** x^(8·n) modulo the polynomial: n zero bytes. */
function zeroBytesOperator(n: number): number {
  let p = 0x80000000 // x^0
  let k = 3
  while (n > 0) {
    if (n & 1) p = multModP(X2N[k & 31] as number, p)
    n = Math.floor(n / 2)
    k++
  }
  return p
}

/** The CRC-32C of A followed by B, from A's CRC, B's CRC and B's length. */
export function crc32cCombine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(zeroBytesOperator(lengthB), crcA) ^ crcB) >>> 0
}
