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
  #pingTimer: unknown = null
  #checkTimer: unknown = null

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
    if (mode === 'ping') this.#schedulePing()
    else this.#scheduleIdleCheck(this.#intervalMs + this.#timeoutMs)
  }

  touch(): void {
    this.#lastActivity = this.#clock.now()
  }

  stop(): void {
    if (this.#pingTimer !== null) this.#clock.clearTimeout(this.#pingTimer)
    if (this.#checkTimer !== null) this.#clock.clearTimeout(this.#checkTimer)
    this.#pingTimer = null
    this.#checkTimer = null
  }

  /** Pings now (ping mode): a connection a network change left dead is found within timeoutMs. */
  probe(): void {
    if (this.#pingTimer === null) return
    this.#checkAfter(this.#clock.now())
    this.#hooks.ping()
  }

  #checkAfter(sentAt: number): void {
    // One pending check at a time: if pongs are overdue the earliest ping decides
    if (this.#checkTimer !== null) return
    this.#checkTimer = this.#clock.setTimeout(() => {
      this.#checkTimer = null
      if (this.#lastActivity < sentAt) this.#hooks.dead(`no pong or other traffic within ${this.#timeoutMs} ms of a ping`)
    }, this.#timeoutMs)
  }

  #schedulePing(): void {
    this.#pingTimer = this.#clock.setTimeout(() => {
      this.#pingTimer = null
      this.#checkAfter(this.#clock.now())
      this.#schedulePing()
      this.#hooks.ping()
    }, this.#intervalMs)
  }

  #scheduleIdleCheck(ms: number): void {
    this.#checkTimer = this.#clock.setTimeout(() => {
      this.#checkTimer = null
      const limit = this.#intervalMs + this.#timeoutMs
      const idle = this.#clock.now() - this.#lastActivity
      if (idle >= limit) this.#hooks.dead(`no traffic for ${idle} ms`)
      else this.#scheduleIdleCheck(limit - idle)
    }, ms)
  }
}
