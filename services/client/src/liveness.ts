// Detects dead connections. WebSocket: an app-level ping every pingIntervalMs; dead when nothing at
// all arrives within pongTimeoutMs after it. SSE cannot ping: dead after pingIntervalMs +
// pongTimeoutMs without a byte (the server's heartbeat comments count).
import type { Clock } from './types.ts'

export interface LivenessHooks {
  ping(): void
  dead(reason: string): void
}

export class Liveness {
  #clock: Clock
  #intervalMs: number
  #timeoutMs: number
  #hooks: LivenessHooks
  #lastActivity = 0
  /** What start() set going; null: stopped. */
  #mode: 'ping' | 'idle' | null = null
  /** Every timer pending: the next ping, the check of each ping sent, SSE's idle check. */
  #timers = new Set<unknown>()

  constructor(clock: Clock, intervalMs: number, timeoutMs: number, hooks: LivenessHooks) {
    this.#clock = clock
    this.#intervalMs = intervalMs
    this.#timeoutMs = timeoutMs
    this.#hooks = hooks
  }

  start(mode: 'ping' | 'idle'): void {
    this.stop()
    this.#lastActivity = this.#clock.now()
    if (this.#intervalMs <= 0) return
    this.#mode = mode
    if (mode === 'ping') this.#schedulePing()
    else this.#scheduleIdleCheck(this.#intervalMs + this.#timeoutMs)
  }

  touch(): void {
    this.#lastActivity = this.#clock.now()
  }

  stop(): void {
    for (const timer of this.#timers) this.#clock.clearTimeout(timer)
    this.#timers.clear()
    this.#mode = null
  }

  /**
   * Checks now: pings (a connection a network change left dead is found within timeoutMs); SSE,
   * which cannot ping, is dead if silent for longer than it may be (a tab back from the background
   * or a laptop from sleep, whose timers ran late).
   */
  probe(): void {
    if (this.#mode === 'ping') {
      this.#checkAfter(this.#clock.now())
      this.#hooks.ping()
    } else if (this.#mode === 'idle' && this.#clock.now() - this.#lastActivity >= this.#intervalMs + this.#timeoutMs)
      this.#hooks.dead('no traffic while the page was away')
  }

  #after(ms: number, fn: () => void): void {
    const timer = this.#clock.setTimeout(() => {
      this.#timers.delete(timer)
      fn()
    }, ms)
    this.#timers.add(timer)
  }

  // Each ping has a check of its own: with one check at a time, the check of a regular ping answered
  // just before the network changed passed, and the probe's ping was never checked (red16 attack run)
  #checkAfter(sentAt: number): void {
    this.#after(this.#timeoutMs, () => {
      if (this.#lastActivity < sentAt) this.#hooks.dead(`no pong or other traffic within ${this.#timeoutMs} ms of a ping`)
    })
  }

  #schedulePing(): void {
    this.#after(this.#intervalMs, () => {
      this.#checkAfter(this.#clock.now())
      this.#schedulePing()
      this.#hooks.ping()
    })
  }

  #scheduleIdleCheck(ms: number): void {
    this.#after(ms, () => {
      const limit = this.#intervalMs + this.#timeoutMs
      const idle = this.#clock.now() - this.#lastActivity
      if (idle >= limit) this.#hooks.dead(`no traffic for ${idle} ms`)
      else this.#scheduleIdleCheck(limit - idle)
    })
  }
}
