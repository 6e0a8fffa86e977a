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
/**
 * Filters one key name holds before it is full (16 MiB, about 1.9 million answers pushed out
 * within a TTL and a quarter). Unbounded, a key's flood grew them until ingest ran out of memory,
 * and again at each start as they were rebuilt from the log: a crash loop that kept kills out (red24e
 * attack run). Full, the key's keyed writes other than takedowns are refused (submit.ts); a
 * generation still gets its first filter, and past the bound its last one takes more than FILL.
 */
const MAX_FILTERS = 64

export interface ForgottenLimits {
  fill: number
  maxFilters: number
}

export class ForgottenAnswers {
  readonly #width: number
  readonly #limits: ForgottenLimits
  /** Generation index (expiry ÷ width) → its filters (the last one filling), made on its first fingerprint. */
  readonly #generations = new Map<number, { filters: Uint8Array[]; inLast: number }>()
  #filters = 0

  constructor(ttlMs: number, limits: ForgottenLimits = { fill: FILL, maxFilters: MAX_FILTERS }) {
    this.#width = Math.max(1, Math.ceil(ttlMs / SLICES))
    this.#limits = limits
  }

  /** Filters held now (each 256 KiB). */
  get filters(): number {
    return this.#filters
  }

  /** Whether the key holds as many filters as it may: its keyed writes wait (submit.ts). */
  full(now: number): boolean {
    this.#prune(now)
    return this.#filters >= this.#limits.maxFilters
  }

  /** When the oldest generation ends (epoch ms): the earliest a full key has room again. */
  roomAt(now: number): number {
    this.#prune(now)
    let first = Number.POSITIVE_INFINITY
    for (const g of this.#generations.keys()) first = Math.min(first, (g + 1) * this.#width)
    return Number.isFinite(first) ? first : now
  }

  /**
   * Remembers `print` until `expires` (its answer's end). Once per generation: an answer read back
   * twice (a start reads both topics) took a second place, and filled the key's filters sooner
   * (red28b attack run). A false match here leaves out a print that the generation already answers.
   */
  add(print: string, expires: number, now: number): void {
    this.#prune(now)
    const g = Math.floor(expires / this.#width)
    let gen = this.#generations.get(g)
    const at = positions(print)
    if (gen?.filters.some((bits) => holds(bits, at))) return
    if (gen === undefined) {
      gen = { filters: [], inLast: 0 }
      this.#generations.set(g, gen)
    }
    if (gen.filters.length === 0 || (gen.inLast >= this.#limits.fill && this.#filters < this.#limits.maxFilters)) {
      gen.filters.push(new Uint8Array(BITS / 8))
      this.#filters++
      gen.inLast = 0
    }
    gen.inLast++
    const bits = gen.filters.at(-1) as Uint8Array
    for (const i of at) bits[i >>> 3] = (bits[i >>> 3] as number) | (1 << (i & 7))
  }

  /** Whether `print` was added and its generation has not ended. */
  has(print: string, now: number): boolean {
    this.#prune(now)
    const at = positions(print)
    for (const gen of this.#generations.values()) if (gen.filters.some((bits) => holds(bits, at))) return true
    return false
  }

  #prune(now: number): void {
    for (const [g, gen] of this.#generations)
      if ((g + 1) * this.#width <= now) {
        this.#filters -= gen.filters.length
        this.#generations.delete(g)
      }
  }
}

/** Whether every bit position `at` is set in `bits`. */
const holds = (bits: Uint8Array, at: readonly number[]): boolean => at.every((i) => ((bits[i >>> 3] as number) & (1 << (i & 7))) !== 0)

/** HASHES bit positions of `print`, from 24-bit slices of its SHA-256. */
function positions(print: string): number[] {
  const d = createHash('sha256').update(print).digest()
  return Array.from({ length: HASHES }, (_, k) => d.readUIntBE(3 * k, 3) % BITS)
}
