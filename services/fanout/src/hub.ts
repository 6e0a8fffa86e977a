import { setTimerAt } from '@newswire/shared'
import { ResumeGate, restartRetryAfterMs } from './admission.ts'
import type { AudienceScope } from './audience.ts'
import { unrestricted } from './audience.ts'
import { indexKeysOf } from './channels.ts'
import { Cursors } from './cursor.ts'
import { channelFor, channelOf, decideLive, decideRelease, frameDecision } from './deliver.ts'
import { views } from './exposure.ts'
import type { Entry } from './history.ts'
import type { Release } from './ledger.ts'
import type { ServerMessageType } from './messages.ts'
import { errorMessage, eventJson, pongMessage, reconnectMessage, unsubscribedMessage } from './messages.ts'
import type { Conn, Framed, Sub, Transport } from './model.ts'
import { ProtocolError } from './protocol.ts'
import type { ClientMessage } from './protocol.ts'
import type { OpenReader, ReplaySink } from './replay.ts'
import { LogReplays } from './replay.ts'
import { Subscriptions } from './subscribe.ts'
import type { SubscribeDeps, SubscribeHost } from './subscribe.ts'
import { kindsOf, SubscriptionIndex } from './subscriptions.ts'
import type { Change } from './visibility.ts'
import { changeFor, clearanceOf, isKill } from './visibility.ts'
import type { Audience, Clearance } from './visibility.ts'
import { Writer, yieldNow } from './writer.ts'

/** Matching work between two yields to the event loop. */
const SLICE_MS = 20
/** While a pass goes on, what is queued is written once it has waited this long. */
const FLUSH_MS = 50

export interface HubOptions extends SubscribeDeps {
  openReader: OpenReader
  /** Readers of the log running at once for replays. */
  maxReplays: number
  /** How long a new replay reader waits for others to join (replay.ts; default 100 ms). */
  replayGatherMs?: number
  random?: () => number
}

/** When the running pass of the live loop last yielded (`slice`) and last wrote (`flushed`). */
interface Pace {
  slice: number
  flushed: number
}

export class Hub implements ReplaySink, SubscribeHost {
  readonly #o: HubOptions
  readonly #conns = new Set<Conn>()
  readonly #index = new SubscriptionIndex()
  readonly #replaying = new Set<Sub>()
  readonly writer: Writer
  readonly #cursors: Cursors
  readonly #subs: Subscriptions
  readonly #replays: LogReplays
  #started = false
  #running: Promise<void> | null = null
  #again = false
  #liveSeq = 0
  #headO: number[] = []
  /** Marks of releases: negative, below the -1 a new subscription starts with (live events mark with their seq). */
  #marks = -1
  #nextConnId = 1
  #releaseTimer: { at: number; cancel: () => void } | null = null
  #sweep: NodeJS.Timeout | null = null
  #latencies: number[] = []
  #restartCount: number | null = null

  constructor(o: HubOptions) {
    this.#o = o
    const clock = o.clock
    this.writer = new Writer({ limits: o.limits, metrics: o.metrics, log: o.log, kill: (c, code, reason) => this.kill(c, code, reason) })
    this.#cursors = new Cursors(o.store, o.positions, this.writer, {
      liveSeq: () => this.#liveSeq,
      headOffsets: () => this.#headO,
      goLive: (sub) => this.goLive(sub),
      toKafka: (sub) => this.#toLog(sub),
      wakeAt: (at) => setTimerAt(at, () => this.schedule(), clock),
    })
    this.#replays = new LogReplays({
      open: o.openReader,
      sink: this,
      log: o.log,
      max: o.maxReplays,
      ...(o.replayGatherMs === undefined ? {} : { gatherMs: o.replayGatherMs }),
      onReader: (delta) => {
        if (delta > 0) o.metrics.replayReaders.inc()
        o.metrics.replayReadersActive.inc(delta)
      },
    })
    const gate = new ResumeGate({
      rate: o.limits.resumeRate,
      queueMax: o.limits.resumeQueue,
      clock,
      setTimer: (fn, ms) => setTimerAt(clock.now() + ms, fn, clock),
      random: o.random ?? Math.random,
    })
    this.#subs = new Subscriptions(o, this, gate, this.#replays)
  }

  /** Called once the store has caught up: live delivery starts at the current end of history. */
  start(): void {
    const s = this.#o.store
    s.goLive(this.#o.clock.now())
    this.#liveSeq = s.history.nextSeq
    this.#headO = s.readTo()
    this.#started = true
    const sweepMs = Math.max(50, Math.min(1000, Math.floor(this.#o.limits.slowClientMs / 4)))
    this.#sweep = setInterval(() => {
      this.writer.sweep()
      if (this.writer.pendingConnections > 0) this.schedule()
    }, sweepMs)
    this.#sweep.unref()
    this.schedule()
  }

  stop(): void {
    this.#started = false
    this.#subs.close()
    this.#replays.closeAll()
    if (this.#sweep) clearInterval(this.#sweep)
    this.#releaseTimer?.cancel()
  }

  get started(): boolean {
    return this.#started
  }

  get connectionCount(): number {
    return this.#conns.size
  }

  /** Work is left: the loop runs, a replay goes on, or something waits to be written (tests settle on this). */
  get busy(): boolean {
    if (this.#running || this.writer.pendingConnections > 0 || this.#replaying.size > 0) return true
    for (const c of this.#conns) for (const s of c.subs.values()) if (s.state === 'kafka' || s.state === 'pending') return true
    return false
  }

  get liveSeq(): number {
    return this.#liveSeq
  }

  /** The position of the live loop now: offsets delivered per partition and the ledger's clock. */
  head(): { o: number[]; t: number } {
    return { o: [...this.#headO], t: this.#o.store.ledger.now }
  }

  /** The position of the live loop now (signed). */
  headPosition(): string {
    return this.#o.positions.encode(this.head())
  }

  connections(): Iterable<Conn> {
    return this.#conns
  }

  // ---- connections ------------------------------------------------------------------------

  /** `expiresAt`: the token's expiry (epoch ms); the connection is closed with 4401 then. */
  addConnection(audience: Audience, transport: Transport, scope: AudienceScope = unrestricted, expiresAt: number | null = null): Conn {
    const conn: Conn = {
      id: this.#nextConnId++,
      audience,
      clearance: clearanceOf(audience, scope),
      scope,
      transport,
      subs: new Map(),
      pending: [],
      blockedSince: null,
      closed: false,
      nextSubId: 0,
      subscribes: [],
      seq: 0,
      gaps: new Map(),
      lastPosition: new Map(),
      shedWhileBlocked: 0,
      relievedLength: 0,
      expiry: null,
    }
    this.#conns.add(conn)
    this.#o.metrics.connections.inc({ audience, transport: transport.kind === 'sse' ? 'sse' : 'ws' })
    if (expiresAt !== null) conn.expiry = setTimerAt(expiresAt, () => this.closeAfterFlush(conn, 4401, 'token expired'), this.#o.clock)
    return conn
  }

  /** The socket is gone (or going): forget it. Idempotent. */
  removeConnection(conn: Conn): void {
    if (!this.#conns.delete(conn)) return
    conn.closed = true
    conn.expiry?.()
    for (const sub of conn.subs.values()) this.dropSub(sub)
    conn.subs.clear()
    conn.pending = []
    this.writer.forget(conn)
    this.#o.metrics.connections.dec({ audience: conn.audience, transport: conn.transport.kind === 'sse' ? 'sse' : 'ws' })
  }

  /** Closes with a code at once (what is queued is dropped) and forgets the connection. */
  kill(conn: Conn, code: number, reason: string, retryAfterMs?: number): void {
    if (conn.closed) return
    this.removeConnection(conn)
    conn.transport.close(code, reason, retryAfterMs)
  }

  /** Writes what is queued for the connection (replies to its last messages), then closes it. */
  closeAfterFlush(conn: Conn, code: number, reason: string, retryAfterMs?: number): void {
    if (conn.closed) return
    this.writer.flush(conn, this.#o.clock.now())
    this.writer.countSent()
    this.kill(conn, code, reason, retryAfterMs)
  }

  /**
   * Tells the client when to come back (`reconnect` message, hint in the close reason, SSE
   * `retry:`), writes what is queued, then closes with `code` (1012 restart, 1013 overloaded).
   */
  closeWithRetryHint(conn: Conn, code: number, what: string, retryAfterMs: number, hintInReason = true): void {
    if (conn.closed) return
    this.writer.enqueue(conn, { key: null, data: conn.transport.frame('reconnect', reconnectMessage(retryAfterMs, what), null) })
    this.closeAfterFlush(conn, code, hintInReason ? `${what}; retry after ${retryAfterMs} ms` : what, retryAfterMs)
  }

  /** A jittered retry hint for clients of this instance told to reconnect because it restarts. */
  restartRetryAfterMs(): number {
    this.#restartCount ??= this.#conns.size
    return restartRetryAfterMs(this.#restartCount, this.#o.limits.resumeRate, this.#o.random ?? Math.random)
  }

  /** Shutdown: close with 1012 and a jittered hint so reconnects spread out. */
  closeForRestart(conn: Conn): void {
    // The close reason stays 'service restart' (stable); the hint travels in `reconnect`
    this.closeWithRetryHint(conn, 1012, 'service restart', this.restartRetryAfterMs(), false)
  }

  /** Queues a control message (never conflated) and flushes it soon. */
  sendControl(conn: Conn, type: ServerMessageType, json: string, position: string | null = null, sub?: string): void {
    if (conn.closed) return
    this.writer.enqueue(conn, {
      key: null,
      data: conn.transport.frame(type, json, position),
      ...(sub === undefined ? {} : { sub, position }),
    })
    this.schedule()
  }

  sendError(conn: Conn, err: ProtocolError): void {
    this.sendControl(conn, 'error', errorMessage(err.code, err.message, err.ref))
  }

  /** The transport drained below its limit: write what is queued. */
  drained(conn: Conn): void {
    if (conn.closed || (conn.pending.length === 0 && conn.subs.size === 0)) return
    this.writer.markDirty(conn)
    this.schedule()
  }

  /** Handles one parsed client message; protocol errors become `error` messages. */
  handle(conn: Conn, msg: ClientMessage): void {
    try {
      if (msg.type === 'ping') this.sendControl(conn, 'pong', pongMessage(msg.id, this.#o.clock.now()))
      else if (msg.type === 'unsubscribe') {
        const sub = conn.subs.get(msg.id)
        if (!sub) throw new ProtocolError('unknown_subscription', `no subscription '${msg.id}'`, msg.id)
        conn.subs.delete(msg.id)
        this.dropSub(sub)
        // queued events of that subscription may still go out before this answer
        this.sendControl(conn, 'unsubscribed', unsubscribedMessage(msg.id))
      } else this.#subs.subscribe(conn, msg)
    } catch (err) {
      if (err instanceof ProtocolError) this.sendError(conn, err)
      else throw err
    }
  }

  /** Over the subscribe rate: the caller closes with 4429. */
  overSubscribeRate(conn: Conn, now: number): boolean {
    conn.subscribes = conn.subscribes.filter((t) => now - t < 10_000)
    conn.subscribes.push(now)
    return conn.subscribes.length > this.#o.limits.maxSubscribesPer10s
  }

  // ---- subscription states (subscribe.ts decides, the hub keeps the sets) -------------------

  goLive(sub: Sub): void {
    this.#replaying.delete(sub)
    sub.state = 'live'
    sub.cursor = { o: [], t: 0 }
    sub.cursorPos = null
    this.#index.add(sub)
  }

  catchUpReleases(sub: Sub): void {
    this.#cursors.stepReleases(sub)
    this.writer.markDirty(sub.conn)
    this.schedule()
  }

  replayFromMemory(sub: Sub): void {
    sub.state = 'memory'
    this.#replaying.add(sub)
    this.schedule()
  }

  dropSub(sub: Sub): void {
    if (sub.state === 'gone') return
    sub.state = 'gone'
    sub.stopReplay?.()
    sub.stopReplay = null
    this.#replaying.delete(sub)
    this.#index.remove(sub)
    for (const kind of kindsOf(sub)) this.#o.metrics.subscriptions.dec({ kind })
  }

  #toLog(sub: Sub): void {
    sub.state = 'kafka'
    this.#replaying.delete(sub)
    sub.stopReplay = this.#replays.join(sub, true)
  }

  // ---- the loop -----------------------------------------------------------------------------

  schedule(): void {
    if (!this.#started) return
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = new Promise<void>((resolve) => {
      setImmediate(() => {
        this.#run()
          .catch((err: unknown) => this.#o.log.error({ err }, 'fan-out loop failed'))
          .finally(() => {
            this.#running = null
            resolve()
          })
      })
    })
  }

  /** Resolves once the loop has nothing left to do (tests). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running
  }

  /** A matching slice is over: write what has waited FLUSH_MS, then let the event loop run. */
  async #breathe(pace: Pace): Promise<void> {
    if (performance.now() - pace.flushed > FLUSH_MS) {
      await this.writer.flushDirty()
      pace.flushed = performance.now()
    }
    await yieldNow()
    pace.slice = performance.now()
  }

  async #run(): Promise<void> {
    const store = this.#o.store
    do {
      this.#again = false
      if (!this.#started) break
      const t0 = performance.now()
      const pace: Pace = { slice: t0, flushed: t0 }
      for (const r of store.ledger.advance(this.#o.clock.now())) this.#deliverRelease(r)
      const h = store.history
      if (this.#liveSeq < h.firstSeq) this.#liveFellBehind()
      const end = h.nextSeq
      // Every event available when the pass started is matched, then what is queued goes out in
      // one write per connection (priority first, lanes.ts): a burst costs one write per
      // connection instead of one per event. Matching yields every SLICE_MS; a long pass writes
      // what has waited FLUSH_MS.
      while (this.#liveSeq < end) {
        const e = h.get(this.#liveSeq) as Entry
        this.#liveSeq++
        this.#deliverEntry(e)
        e.text = null
        if (performance.now() - pace.slice > SLICE_MS) await this.#breathe(pace)
      }
      if (this.#liveSeq === h.nextSeq) {
        const readTo = store.readTo()
        for (let p = 0; p < readTo.length; p++) if ((readTo[p] as number) > (this.#headO[p] ?? 0)) this.#headO[p] = readTo[p] as number
      }
      if (this.#replaying.size > 0 && this.writer.pendingConnections > 0) {
        // live messages do not wait for the replays' turn
        await this.writer.flushDirty()
        pace.flushed = pace.slice = performance.now()
      }
      const stepped: Sub[] = []
      for (const sub of [...this.#replaying]) {
        if (sub.state === 'memory' && this.#cursors.stepMemory(sub)) stepped.push(sub)
        if (performance.now() - pace.slice > SLICE_MS) await this.#breathe(pace)
      }
      this.#cursors.trimCaches(this.#replaying.size)
      await this.writer.flushDirty()
      // Replays that stopped at their step budget go on once their queue is written
      if (stepped.some((sub) => sub.state === 'memory' && this.writer.canTakeMore(sub.conn))) this.#again = true
      const sent = this.#o.clock.now()
      for (const ingestedAt of this.#latencies) this.#o.metrics.latency.observe(Math.max(0, sent - ingestedAt) / 1000)
      this.#latencies = []
      this.#o.metrics.embargoed.set(store.ledger.heldCount())
      this.#o.metrics.history.set(h.size)
      this.#armReleaseTimer()
      if (this.#again) await yieldNow()
    } while (this.#again)
  }

  /** History evicted events the live loop had not delivered (history too small for the burst): live subscriptions resume by cursor. */
  #liveFellBehind(): void {
    const h = this.#o.store.history
    this.#o.log.warn({ liveSeq: this.#liveSeq, firstSeq: h.firstSeq }, 'history overran the live loop; live subscriptions replay')
    const t = this.#o.store.ledger.now
    for (const sub of this.#index.drain()) {
      sub.cursor = { o: [...this.#headO], t }
      sub.cursorPos = null
      if (h.covers(sub.cursor.o)) this.replayFromMemory(sub)
      else this.#toLog(sub)
    }
    this.#liveSeq = h.firstSeq
  }

  #armReleaseTimer(): void {
    const next = this.#o.store.ledger.nextReleaseAfter(this.#o.store.ledger.now)
    if (next === null || (this.#releaseTimer && this.#releaseTimer.at <= next)) return
    this.#releaseTimer?.cancel()
    const cancel = setTimerAt(
      next,
      () => {
        this.#releaseTimer = null
        this.schedule()
      },
      this.#o.clock,
    )
    this.#releaseTimer = { at: next, cancel }
  }

  /** Queues one new event to the live subscriptions it concerns (written at the end of the pass). */
  #deliverEntry(e: Entry): void {
    const a = e.event.article
    const p = e.partition
    this.#headO[p] = Math.max(this.#headO[p] ?? 0, e.offset + 1)
    // duplicates and older versions change nothing (the ledger did not apply them)
    const state = e.applied ? this.#o.store.ledger.latest(a.id) : undefined
    if (!state) return
    const next = { event: e.event, released: e.released }
    const keys = indexKeysOf(a)
    if (e.prev) keys.push(...indexKeysOf(e.prev.event.article))
    if (isKill(e.event)) for (const v of views(state.exposure)) keys.push(...indexKeysOf(v))
    const subs = this.#index.candidates(keys, e.seq)
    if (subs.length === 0) return
    const changes: Partial<Record<Clearance, Change>> = {}
    const frames = new Map<string, Framed>()
    const text = () => this.#o.store.entryText(e, eventJson)
    let position: string | null = null
    let deliveries = 0
    for (const sub of subs) {
      const c = sub.conn.clearance
      let ch = changes[c]
      if (!ch) {
        ch = changeFor(e.prev, next, c)
        changes[c] = ch
      }
      const d = decideLive(sub, ch, state, e.event)
      const channel = d === null ? null : channelOf(sub, d)
      if (d === null || channel === null) continue
      if (d.kind === 'event' && !sub.versions.newer(a.id, a.version)) continue
      position ??= this.#o.positions.encode({ o: this.#headO, t: this.#o.store.ledger.now })
      const what = d.kind === 'event' ? (d.embargoed ? 'e!' : 'e') : d.cause
      let fk = sub.frameKey
      const fkChannel = `${channel}|${what}`
      if (fk?.channel !== fkChannel) {
        fk = { channel: fkChannel, key: `${sub.conn.transport.kind}|${c}|${sub.id}|${fkChannel}` }
        sub.frameKey = fk
      }
      let f = frames.get(fk.key)
      if (!f) {
        f = frameDecision(sub, d, channel, position, e.event, text)
        if (frames.size < 256) frames.set(fk.key, f)
      }
      this.writer.enqueueFramed(sub.conn, sub.id, a.id, f)
      deliveries++
    }
    if (deliveries === 0) return
    this.#latencies.push(e.event.ingestedAt)
    // One line per event, not per client: the trace id of the ingest request ends here
    const { traceId, eventId, type } = e.event
    this.#o.log.info({ traceId, eventId, articleId: a.id, type, partition: p, offset: e.offset, deliveries }, 'event delivered')
  }

  /** An embargo release to the live subscriptions that may see it now (the newsroom: `released` of what it had flagged). */
  #deliverRelease(r: Release): void {
    const s = this.#o.store.ledger.latest(r.id)
    // a version the live loop has not delivered yet goes out with its own event, already released
    if (!s || (s.seq !== null && s.seq >= this.#liveSeq)) return
    const a = s.event.article
    let position: string | null = null
    for (const sub of this.#index.candidates(indexKeysOf(a), --this.#marks)) {
      const d = decideRelease(sub, s)
      const channel = d === null ? null : channelFor(sub, a)
      if (d === null || channel === null || !sub.versions.admit(`${r.id}\u0000released`, a.version)) continue
      position ??= this.#o.positions.encode({ o: this.#headO, t: r.at, r: [r.partition, r.offset] })
      s.text ??= eventJson(s.event)
      const text = s.text
      this.writer.enqueueFramed(
        sub.conn,
        sub.id,
        r.id,
        frameDecision(sub, d, channel, position, s.event, () => text, true),
      )
    }
  }

  // ---- ReplaySink (replay.ts) -----------------------------------------------------------------

  replayEvent(sub: Sub, partition: number, offset: number, event: Entry['event'] | null): boolean {
    if (sub.state !== 'kafka') return false
    const c = sub.cursor
    if (offset < (c.o[partition] ?? 0)) return true
    // From where memory starts, memory serves it (and the ledger's record of it)
    if (this.replayMaybeDone(sub)) return false
    c.o[partition] = offset + 1
    sub.cursorPos = null
    if (event) this.#cursors.deliver(sub, event, null)
    this.writer.markDirty(sub.conn)
    return true
  }

  replayProgress(sub: Sub, partition: number, next: number): void {
    if (sub.state !== 'kafka') return
    const c = sub.cursor
    if (next > (c.o[partition] ?? 0)) {
      c.o[partition] = next
      sub.cursorPos = null
    }
  }

  replayMaybeDone(sub: Sub): boolean {
    if (sub.state !== 'kafka') return true
    if (!this.#o.store.history.covers(sub.cursor.o)) return false
    sub.stopReplay = null
    this.replayFromMemory(sub)
    return true
  }

  async replayWait(subs: Iterable<Sub>, maxMs = 1000): Promise<void> {
    this.schedule()
    const until = Date.now() + maxMs
    const waiting = () => {
      for (const sub of subs) if (sub.state === 'kafka' && !this.writer.canTakeMore(sub.conn)) return true
      return false
    }
    while (waiting() && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
  }

  replayFailed(sub: Sub, err: unknown): void {
    this.#o.log.warn({ err }, 'replay from the log failed')
    this.#subs.fail(sub, new ProtocolError('replay_unavailable', 'the replay from Kafka failed; resume again', sub.id))
  }
}
