// Latency statistics: an HDR-like log-linear histogram (about 1.5 % relative error, mergeable,
// cheap to send over IPC) and nearest-rank percentiles of sorted arrays for small samples.

const SUB_BITS = 6
const SUB = 1 << SUB_BITS // 64 sub-buckets per power of two above 128
const LINEAR = SUB * 2 // values below 128 are exact
const MAX_VALUE = 2 ** 31 - 1
const BUCKETS = LINEAR + (31 - SUB_BITS) * SUB

function indexOf(v: number): number {
  if (v < LINEAR) return v
  const top = 31 - Math.clz32(v) // position of the highest set bit, >= 7
  const shift = top - SUB_BITS // >= 1
  return LINEAR + (shift - 1) * SUB + ((v >>> shift) - SUB)
}

/** Largest value that lands in bucket i (percentiles report the upper bound: never optimistic). */
function upperOf(i: number): number {
  if (i < LINEAR) return i
  const shift = Math.floor((i - LINEAR) / SUB) + 1
  const sub = ((i - LINEAR) % SUB) + SUB
  return ((sub + 1) << shift) - 1
}

export interface HistogramJson {
  counts: [number, number][]
  count: number
  sum: number
  min: number
  max: number
}

/** Integer values (we record microseconds), 0 .. 2^31-1; larger values are clamped. */
export class Histogram {
  counts = new Float64Array(BUCKETS)
  count = 0
  sum = 0
  min = Number.POSITIVE_INFINITY
  max = 0

  record(value: number): void {
    const v = Math.min(MAX_VALUE, Math.max(0, Math.round(value)))
    this.counts[indexOf(v)] = (this.counts[indexOf(v)] ?? 0) + 1
    this.count++
    this.sum += v
    if (v < this.min) this.min = v
    if (v > this.max) this.max = v
  }

  merge(other: Histogram): this {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0)
    this.count += other.count
    this.sum += other.sum
    this.min = Math.min(this.min, other.min)
    this.max = Math.max(this.max, other.max)
    return this
  }

  /** Nearest-rank percentile, p in [0, 100]; the bucket's upper bound, capped at the true max. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN
    if (p >= 100) return this.max
    const rank = Math.max(1, Math.ceil((p / 100) * this.count))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, upperOf(i)))
    }
    return this.max
  }

  get mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count
  }

  toJSON(): HistogramJson {
    const counts: [number, number][] = []
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]) counts.push([i, this.counts[i] ?? 0])
    return { counts, count: this.count, sum: this.sum, min: this.min, max: this.max }
  }

  static fromJSON(j: HistogramJson): Histogram {
    const h = new Histogram()
    for (const [i, c] of j.counts) h.counts[i] = c
    h.count = j.count
    h.sum = j.sum
    h.min = j.count === 0 ? Number.POSITIVE_INFINITY : j.min
    h.max = j.max
    return h
  }
}

/** Nearest-rank percentile of an ascending array. */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] ?? Number.NaN
}

export interface LatencySummary {
  count: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  p999Ms: number
  maxMs: number
  meanMs: number
}

/** Summary in milliseconds of a histogram of microseconds. */
export function summarize(h: Histogram): LatencySummary {
  const ms = (us: number) => us / 1000
  return {
    count: h.count,
    p50Ms: ms(h.percentile(50)),
    p90Ms: ms(h.percentile(90)),
    p99Ms: ms(h.percentile(99)),
    p999Ms: ms(h.percentile(99.9)),
    maxMs: ms(h.max),
    meanMs: ms(h.mean),
  }
}
