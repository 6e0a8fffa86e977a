// Token bucket per API key: `rate` tokens a second, bursts up to 2x.
export class RateLimiter {
  readonly #rate: number
  readonly #burst: number
  readonly #buckets = new Map<string, { tokens: number; at: number }>()
  constructor(ratePerSecond: number) {
    this.#rate = ratePerSecond
    this.#burst = ratePerSecond * 2
  }

  /** Takes `cost` tokens; returns 0 when allowed, else the seconds to wait. */
  take(key: string, cost = 1, now = performance.now()): number {
    const b = this.#buckets.get(key) ?? { tokens: this.#burst, at: now }
    b.tokens = Math.min(this.#burst, b.tokens + ((now - b.at) / 1000) * this.#rate)
    b.at = now
    this.#buckets.set(key, b)
    if (b.tokens >= cost) {
      b.tokens -= cost
      return 0
    }
    return Math.max(1, Math.ceil((cost - b.tokens) / this.#rate))
  }
}
