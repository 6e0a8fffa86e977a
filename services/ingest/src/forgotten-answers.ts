// Fingerprints of Idempotency-Key answers pushed out by an API key's bound before their TTL
// (idempotency-cache.ts). A retry of such a request found no answer and was decided again: a CMS
// whose own sync filled its bound had its lost release decided again over the desk's hold, and the
// withheld story went out (red24b attack run, 2026-12-07). Its fingerprint now refuses that retry.
// A Bloom filter per generation of expiry times: fixed memory whatever the flood, nothing forgotten
// before its TTL; a fingerprint may match one never added (about one in a million after a million
// pushed out in a generation), which refuses that one request as a retry would be. Pure: no I/O.
import { createHash } from 'node:crypto'

/** Bits of one generation's filter (2 MiB), and positions set per fingerprint. */
const BITS = 2 ** 24
const HASHES = 7
/** Generations per TTL: a fingerprint outlives its TTL by at most a quarter of it. */
const SLICES = 4

export class ForgottenAnswers {
  readonly #width: number
  /** Generation index (expiry ÷ width) → its filter, made on its first fingerprint. */
  readonly #generations = new Map<number, Uint8Array>()

  constructor(ttlMs: number) {
    this.#width = Math.max(1, Math.ceil(ttlMs / SLICES))
  }

  /** Remembers `print` until `expires` (its answer's end). */
  add(print: string, expires: number, now: number): void {
    this.#prune(now)
    const g = Math.floor(expires / this.#width)
    let bits = this.#generations.get(g)
    if (bits === undefined) {
      bits = new Uint8Array(BITS / 8)
      this.#generations.set(g, bits)
    }
    for (const i of positions(print)) bits[i >>> 3] = (bits[i >>> 3] as number) | (1 << (i & 7))
  }

  /** Whether `print` was added and its generation has not ended. */
  has(print: string, now: number): boolean {
    this.#prune(now)
    const at = positions(print)
    for (const bits of this.#generations.values()) if (at.every((i) => ((bits[i >>> 3] as number) & (1 << (i & 7))) !== 0)) return true
    return false
  }

  #prune(now: number): void {
    for (const g of this.#generations.keys()) if ((g + 1) * this.#width <= now) this.#generations.delete(g)
  }
}

/** HASHES bit positions of `print`, from 24-bit slices of its SHA-256. */
function positions(print: string): number[] {
  const d = createHash('sha256').update(print).digest()
  return Array.from({ length: HASHES }, (_, k) => d.readUIntBE(3 * k, 3) % BITS)
}
