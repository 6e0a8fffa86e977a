// Reconnect storms: resumes (subscribe with `since`) are admitted at a bounded rate by a token
// bucket; over the rate they wait in a bounded queue, and beyond it the client is told when to
// come back (jittered, long enough for the queue ahead to drain). Also the jittered hint sent to
// every client when the instance restarts. Pure apart from the injected clock and timer.

export interface BucketClock {
  now(): number
}

/** Classic token bucket: `rate` tokens per second, at most `burst` stored. */
export class TokenBucket {
  readonly rate: number
  readonly burst: number
  readonly #clock: BucketClock
  #tokens: number
  #at: number

  constructor(rate: number, burst: number, clock: BucketClock) {
    this.rate = rate
    this.burst = Math.max(1, burst)
    this.#clock = clock
    this.#tokens = this.burst
    this.#at = clock.now()
  }

  #refill(): void {
    const now = this.#clock.now()
    if (now > this.#at) {
      this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) * this.rate) / 1000)
      this.#at = now
    }
  }

  take(): boolean {
    this.#refill()
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }

  /** Milliseconds until one token is available (0 when one is). */
  msUntilToken(): number {
    this.#refill()
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) * 1000) / this.rate)
  }
}

export interface ResumeGateOptions {
  /** Resumes per second. */
  rate: number
  /** Resumes allowed to wait; beyond, `retryAfterMs`. */
  queueMax: number
  clock: BucketClock
  /** Arms a timer (unref'd by the caller's implementation); returns a canceller. */
  setTimer: (fn: () => void, ms: number) => () => void
  random: () => number
}

export type GateResult = { admitted: true } | { queued: true } | { retryAfterMs: number }

interface Waiting {
  run: () => void
  cancelled: () => boolean
}

export class ResumeGate {
  readonly #o: ResumeGateOptions
  readonly #bucket: TokenBucket
  readonly #queue: Waiting[] = []
  #cancelTimer: (() => void) | null = null

  constructor(options: ResumeGateOptions) {
    this.#o = options
    this.#bucket = new TokenBucket(options.rate, options.rate, options.clock)
  }

  get waiting(): number {
    return this.#queue.length
  }

  /** Runs `run` now, later (in arrival order, skipped once `cancelled()`), or asks the client to come back. */
  admit(run: () => void, cancelled: () => boolean): GateResult {
    this.#prune()
    if (this.#queue.length === 0 && this.#bucket.take()) {
      run()
      return { admitted: true }
    }
    if (this.#queue.length < this.#o.queueMax) {
      this.#queue.push({ run, cancelled })
      this.#arm()
      return { queued: true }
    }
    return { retryAfterMs: this.retryAfterMs() }
  }

  /** Jittered wait for a client turned away: the queue's drain time, doubled at most by jitter. */
  retryAfterMs(): number {
    const base = Math.max(1000, Math.ceil(((this.#queue.length + 1) * 1000) / this.#o.rate))
    return base + Math.floor(this.#o.random() * base)
  }

  close(): void {
    this.#cancelTimer?.()
    this.#cancelTimer = null
    this.#queue.length = 0
  }

  #prune(): void {
    while (this.#queue.length > 0 && (this.#queue[0] as Waiting).cancelled()) this.#queue.shift()
  }

  #arm(): void {
    if (this.#cancelTimer) return
    let fired = false
    const cancel = this.#o.setTimer(
      () => {
        fired = true
        this.#cancelTimer = null
        this.#drain()
      },
      Math.max(1, this.#bucket.msUntilToken()),
    )
    // A timer already due when armed runs at once (setTimerAt), and may have armed the next one:
    // keeping the spent canceller would look like a running timer and stall the queue for good
    if (!fired) this.#cancelTimer = cancel
  }

  #drain(): void {
    for (;;) {
      this.#prune()
      if (this.#queue.length === 0) return
      if (!this.#bucket.take()) break
      ;(this.#queue.shift() as Waiting).run()
    }
    this.#arm()
  }
}

/**
 * Retry hint for one of `connections` clients told to reconnect at once (restart): spread over
 * the time the resume rate needs to admit them all, at least one second, at most a minute.
 */
export function restartRetryAfterMs(connections: number, resumeRate: number, random: () => number): number {
  const spread = Math.min(60_000, Math.max(1000, Math.ceil((connections * 1000) / resumeRate)))
  return 250 + Math.floor(random() * spread)
}
