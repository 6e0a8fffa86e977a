// The open connections: adding one (its clearance from audience and token scope, its token's
// expiry), forgetting one, and the ways to close one — at once, after writing what is queued,
// or with a retry hint (restart, overload).
import type { TimerClock } from '@newswire/shared'
import { closeCodes, setTimerAt } from '@newswire/shared'
import { restartRetryAfterMs } from './admission.ts'
import type { AudienceScope } from './audience.ts'
import { unrestricted } from './audience.ts'
import { reconnectMessage } from './messages.ts'
import type { FanoutMetrics } from './metrics.ts'
import type { Conn, HubLimits, Transport } from './model.ts'
import { newConn } from './model.ts'
import type { Credential, Revocations } from './revocations.ts'
import { isRevoked, NO_REVOCATIONS } from './revocations.ts'
import type { Audience } from './visibility.ts'
import { clearanceOf } from './visibility.ts'
import type { Writer } from './writer.ts'

export interface ConnectionsDeps {
  writer: Writer
  metrics: FanoutMetrics
  limits: HubLimits
  clock: TimerClock
  random: () => number
  /** A connection is being forgotten: drop its subscriptions. */
  onRemove: (conn: Conn) => void
}

const transportLabel = (conn: Conn) => (conn.transport.kind === 'sse' ? 'sse' : 'ws')

export class Connections {
  readonly #d: ConnectionsDeps
  readonly #conns = new Set<Conn>()
  #nextId = 1
  #restartCount: number | null = null
  /** The revocation list last handed to revoke(): a connection added later is checked against it. */
  #revocations: Revocations = NO_REVOCATIONS

  constructor(deps: ConnectionsDeps) {
    this.#d = deps
  }

  get size(): number {
    return this.#conns.size
  }

  all(): Iterable<Conn> {
    return this.#conns
  }

  /**
   * `expiresAt`: the token's expiry (epoch ms); the connection is closed with 4401 then (at once if
   * it has passed: see `closed`). `credential`: what a revocation may name of the token (revoke()).
   */
  add(
    audience: Audience,
    transport: Transport,
    scope: AudienceScope = unrestricted,
    expiresAt: number | null = null,
    credential: Credential | null = null,
  ): Conn {
    const conn = newConn(this.#nextId++, audience, clearanceOf(audience, scope), scope, transport)
    conn.credential = credential
    this.#conns.add(conn)
    this.#d.metrics.connections.inc({ audience, transport: transportLabel(conn) })
    // admitted before the list came to name its token, opened after the sweep: closed before anything is sent
    if (credential !== null && isRevoked(this.#revocations, credential)) this.kill(conn, closeCodes.unauthorized, 'token revoked')
    if (expiresAt === null || conn.closed) return conn
    conn.expiresAt = expiresAt
    // admitted before its token expired, opened after (a handshake queued through a burst, the
    // token's last moment): closed before anything is sent, the subscription included (red10)
    if (expiresAt <= this.#d.clock.now()) this.kill(conn, closeCodes.unauthorized, 'token expired')
    // at its expiry the queue is dropped, not flushed: what waits in it (a socket behind) would go out
    // after the token expired; the reader resumes with a fresh token from what it had
    else conn.expiry = setTimerAt(expiresAt, () => this.kill(conn, closeCodes.unauthorized, 'token expired'), this.#d.clock)
    return conn
  }

  /**
   * The revocation list in force: closes every connection whose token it names (4401, its queue
   * dropped, as at its expiry: nothing more is written to it), and every one added later that it
   * names. Returns how many it closed now.
   */
  revoke(revocations: Revocations): number {
    this.#revocations = revocations
    let n = 0
    for (const conn of this.#conns)
      if (conn.credential !== null && isRevoked(revocations, conn.credential)) {
        this.kill(conn, closeCodes.unauthorized, 'token revoked')
        n++
      }
    return n
  }

  /** The socket is gone (or going): forget it. Idempotent. */
  remove(conn: Conn): void {
    if (!this.#conns.delete(conn)) return
    conn.closed = true
    conn.expiry?.()
    this.#d.onRemove(conn)
    conn.pending = []
    this.#d.writer.forget(conn)
    this.#d.metrics.connections.dec({ audience: conn.audience, transport: transportLabel(conn) })
  }

  /** Closes with a code at once (what is queued is dropped) and forgets the connection. */
  kill(conn: Conn, code: number, reason: string, retryAfterMs?: number): void {
    if (conn.closed) return
    this.remove(conn)
    conn.transport.close(code, reason, retryAfterMs)
  }

  /** Writes what is queued for the connection (replies to its last messages), then closes it. */
  closeAfterFlush(conn: Conn, code: number, reason: string, retryAfterMs?: number): void {
    if (conn.closed) return
    this.#d.writer.flush(conn, this.#d.clock.now())
    this.#d.writer.countSent()
    this.kill(conn, code, reason, retryAfterMs)
  }

  /**
   * Tells the client when to come back (`reconnect` message, hint in the close reason, SSE
   * `retry:`), writes what is queued, then closes with `code` (1012 restart, 1013 overloaded).
   */
  closeWithRetryHint(conn: Conn, code: number, what: string, retryAfterMs: number, hintInReason = true): void {
    if (conn.closed) return
    this.#d.writer.enqueue(conn, { key: null, data: conn.transport.frame('reconnect', reconnectMessage(retryAfterMs, what), null) })
    this.closeAfterFlush(conn, code, hintInReason ? `${what}; retry after ${retryAfterMs} ms` : what, retryAfterMs)
  }

  /** A jittered retry hint for clients of this instance told to reconnect because it restarts. */
  restartRetryAfterMs(): number {
    this.#restartCount ??= this.#conns.size
    return restartRetryAfterMs(this.#restartCount, this.#d.limits.resumeRate, this.#d.random)
  }

  /** Shutdown: close with 1012 and a jittered hint so reconnects spread out. */
  closeForRestart(conn: Conn): void {
    // The close reason stays 'service restart' (stable); the hint travels in `reconnect`
    this.closeWithRetryHint(conn, closeCodes.serviceRestart, 'service restart', this.restartRetryAfterMs(), false)
  }

  /** Over the subscribe rate: the caller closes with 4429. */
  overSubscribeRate(conn: Conn, now: number): boolean {
    const recent = conn.subscribes.filter((t) => now - t < 10_000)
    // a connection's first subscribe (nearly all of them): an array of one, not of a push's 17 slots
    if (recent.length === 0) conn.subscribes = [now]
    else {
      recent.push(now)
      conn.subscribes = recent
    }
    return conn.subscribes.length > this.#d.limits.maxSubscribesPer10s
  }
}
