// Fingerprints of Idempotency-Key answers pushed out by an API key's bound before their TTL
// (idempotency-cache.ts). A retry of such a request found no answer and was decided again: a CMS
// whose own sync filled its bound had its lost release decided again over the desk's hold, and the
// withheld story went out (red24b attack run, 2026-12-07). Its fingerprint now refuses that retry.
// Bloom filters per generation of expiry times, a new one each FILL fingerprints: about 8 bytes
// per answer forgotten (an answer kept takes hundreds), nothing forgotten before its TTL; a
// fingerprint may match one never added, under once in ten million per filter, which refuses that
// one request as a retry would be. Pure: no I/O.
import { createHash } from 'node:crypto'

/** Bits of one filter (256 KiB), positions set per fingerprint, and fingerprints a filter takes. */
const BITS = 2 ** 21
const HASHES = 7
const FILL = 30_000
/** Generations per TTL: a fingerprint outlives its TTL by at most a quarter of it. */
const SLICES = 4

export class ForgottenAnswers {
  readonly #width: number
  /** Generation index (expiry ÷ width) → its filters (the last one filling), made on its first fingerprint. */
  readonly #generations = new Map<number, { filters: Uint8Array[]; inLast: number }>()

  constructor(ttlMs: number) {
    this.#width = Math.max(1, Math.ceil(ttlMs / SLICES))
  }

  /** Remembers `print` until `expires` (its answer's end). */
  add(print: string, expires: number, now: number): void {
    this.#prune(now)
    const g = Math.floor(expires / this.#width)
    let gen = this.#generations.get(g)
    if (gen === undefined) {
      gen = { filters: [], inLast: FILL }
      this.#generations.set(g, gen)
    }
    if (gen.inLast >= FILL) {
      gen.filters.push(new Uint8Array(BITS / 8))
      gen.inLast = 0
    }
    gen.inLast++
    const bits = gen.filters.at(-1) as Uint8Array
    for (const i of positions(print)) bits[i >>> 3] = (bits[i >>> 3] as number) | (1 << (i & 7))
  }

  /** Whether `print` was added and its generation has not ended. */
  has(print: string, now: number): boolean {
    this.#prune(now)
    const at = positions(print)
    for (const gen of this.#generations.values())
      for (const bits of gen.filters) if (at.every((i) => ((bits[i >>> 3] as number) & (1 << (i & 7))) !== 0)) return true
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
