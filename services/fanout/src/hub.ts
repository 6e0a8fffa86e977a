// Owns the live loop and the subscription sets (connections: connections.ts). One pass: the ledger's clock moves to now
// (embargo releases; never past where the log is known read: Store.liveClock), then every new
// event is matched once against the subscriptions indexed under its keys (live.ts), each decision
// made against the ledger (deliver.ts); then the writer sends one write per connection. Resuming
// subscriptions follow their own cursor (cursor.ts, memory; replay.ts, the log), take turns of
// REPLAY_STEP events and join the live loop when they reach it. Starting a subscription is subscribe.ts's job; the hub keeps the sets.
import { setTimerAt } from '@newswire/shared'
import { unrestricted } from './audience.ts'
import { Connections } from './connections.ts'
import { Cursors } from './cursor.ts'
import { LiveMatcher } from './live.ts'
import { isEntryRecord } from './history.ts'
import type { HistoryRecord } from './history.ts'
import type { ServerMessageType } from './messages.ts'
import { errorMessage, pongMessage, unsubscribedMessage } from './messages.ts'
import type { Conn, Sub } from './model.ts'
import { NO_CURSOR } from './model.ts'
import { audienceKey } from './position.ts'
import type { PositionFor } from './position.ts'
import { ProtocolError } from './protocol.ts'
import type { ClientMessage } from './protocol.ts'
import type { OpenReader } from './replay.ts'
import { LogReplays } from './replay.ts'
import { StoryMatcher } from './stories.ts'
import { MAX_CLOCK_SKEW_MS, Subscriptions } from './subscribe.ts'
import type { SubscribeDeps, SubscribeHost } from './subscribe.ts'
import { AudienceWatermarks } from './audience-watermark.ts'
import type { Watermark } from './audience-watermark.ts'
import { kindsOf, SubscriptionIndex } from './subscriptions.ts'
import { yieldNow } from './slices.ts'
import type { Clearance } from './visibility.ts'
import { Writer } from './writer.ts'

/** Matching work between two yields to the event loop. */
const SLICE_MS = 20
/** While a pass goes on, what is queued is written once it has waited this long. */
const FLUSH_MS = 50
/** Head positions kept signed, one per audience (clearance and token scope) subscribing. */
const MAX_HEADS = 64

/** A head position signed for one audience, what it was made of, and up to when the releases after its watermark were found to show that audience nothing. */
/** Whom a head position is for: a clearance, or a reader's clearance and token scope (and the audience its positions name). */
export type HeadWho = Clearance | (Pick<Conn, 'clearance' | 'scope'> & { positionAudience?: string })

interface Head {
  position: string
  o: number[]
  t: number
  /** The watermark's tie-break (audience-watermark.ts gives none: a whole millisecond). */
  r: Watermark['r']
}

export interface HubOptions extends SubscribeDeps {
  openReader: OpenReader
  /** Readers of the log running at once for replays. */
  maxReplays: number
  /** How long a new replay reader waits for others to join (replay.ts; default 100 ms). */
  replayGatherMs?: number
}

/** When the running pass of the live loop last yielded (`slice`) and last wrote (`flushed`). */
interface Pace {
  slice: number
  flushed: number
}

export class Hub implements SubscribeHost {
  readonly #o: HubOptions
  readonly conns: Connections
  readonly #index = new SubscriptionIndex()
  readonly #replaying = new Set<Sub>()
  readonly writer: Writer
  readonly #cursors: Cursors
  readonly #subs: Subscriptions
  readonly #replays: LogReplays
  readonly #live: LiveMatcher
  readonly #stories: StoryMatcher
  #started = false
  #running: Promise<void> | null = null
  #again = false
  #liveSeq = 0
  #headO: number[] = []
  /** The last head position made per audience (and view), and what it was made of. */
  readonly #heads = new Map<string, Head>()
  /** Where each audience's positions stand in release order (not the ledger's clock: red17). */
  readonly #watermarks: AudienceWatermarks
  #releaseTimer: { at: number; cancel: () => void } | null = null
  #sweep: NodeJS.Timeout | null = null

  constructor(o: HubOptions) {
    this.#o = o
    const clock = o.clock
    this.writer = new Writer({
      now: () => clock.now(),
      limits: o.limits,
      metrics: o.metrics,
      log: o.log,
      kill: (c, code, reason) => this.conns.kill(c, code, reason),
      liveSeq: () => this.#liveSeq,
      membership: this.#index,
    })
    this.conns = new Connections({
      writer: this.writer,
      metrics: o.metrics,
      limits: o.limits,
      clock,
      random: o.random ?? Math.random,
      onRemove: (conn) => {
        for (const sub of conn.subs.values()) this.dropSub(sub)
        conn.subs.clear()
      },
    })
    this.#watermarks = new AudienceWatermarks(o.store.ledger, () => o.store.history.nextSeq)
    const watermark = (conn: Conn) => this.watermark(conn)
    this.#live = new LiveMatcher(o.store, this.#index, this.writer, o.positions, o.log, watermark)
    this.#stories = new StoryMatcher({
      store: o.store,
      index: this.#index,
      writer: this.writer,
      positions: o.positions,
      headPosition: (sub) => this.headPosition(sub.conn, sub.who),
      watermark,
      goLive: (sub: Sub) => this.goLive(sub),
    })
    this.#cursors = new Cursors(o.store, o.positions, this.writer, this.#stories, {
      liveSeq: () => this.#liveSeq,
      headOffsets: () => this.#headO,
      toKafka: (sub) => this.#toLog(sub),
      wakeAt: (at) => this.#wakeAt(at),
      pastSkew: (t) => t > o.clock.now() + MAX_CLOCK_SKEW_MS,
      refuseAhead: (sub) => this.#subs.refuseAhead(sub),
      wake: () => this.schedule(),
      replayFromMemory: (sub) => this.replayFromMemory(sub),
      watermark,
      replayFailed: (sub, err) => {
        o.log.warn({ err }, 'replay from the log failed')
        this.#subs.replayUnavailable(sub, 'the replay from Kafka failed')
      },
    })
    this.#replays = new LogReplays({
      open: o.openReader,
      sink: this.#cursors,
      log: o.log,
      max: o.maxReplays,
      ...(o.replayGatherMs === undefined ? {} : { gatherMs: o.replayGatherMs }),
      // a replay that reads nothing for long fails over to a reset, on the hub's clock (tests move it)
      clock: o.clock,
      onReader: (delta) => {
        if (delta > 0) o.metrics.replayReaders.inc()
        o.metrics.replayReadersActive.inc(delta)
      },
    })
    this.#subs = new Subscriptions(o, this, this.#replays)
  }

  /** Called once the store has caught up: live delivery starts at the current end of history. */
  start(): void {
    const s = this.#o.store
    s.goLive(s.liveClock(this.#o.clock.now()))
    this.#watermarks.start()
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

  /** Work is left: the loop runs, a replay goes on, or something waits to be written (tests settle on this). */
  get busy(): boolean {
    if (this.#running || this.writer.pendingConnections > 0 || this.#replaying.size > 0) return true
    for (const c of this.conns.all()) for (const s of c.subs.values()) if (s.state === 'kafka' || s.state === 'pending') return true
    return false
  }

  get liveSeq(): number {
    return this.#liveSeq
  }

  /** The position of the live loop now: offsets delivered per partition and the ledger's clock. */
  head(): { o: number[]; t: number } {
    return { o: [...this.#headO], t: this.#o.store.ledger.now }
  }

  /**
   * The position of the live loop (signed) for a reader of clearance `c`: the offsets delivered and
   * its audience's watermark (audience-watermark.ts), the last release made that shows it
   * something, so it is signed again only when the offsets move or such a release is made, and
   * subscribes share one position over many passes. Per clearance and token scope, and blind to
   * the releases they may not see: one position for all, signed again at every release, moved its
   * watermark while the offsets stood still at the embargo of a story held back past it, and a
   * public reader subscribing now and then learnt of that story and its embargo's instant (red14
   * attack run); at the ledger's clock, it told when the feed last checked the log, which it does
   * just past every embargo (red17). A release made while the host clock ran ahead and made again
   * once it came back moves it then (head-position-clock-back.test.ts).
   */
  headPosition(who: HeadWho = 'all', view?: PositionFor): string {
    return this.headAt(who, view).position
  }

  /**
   * `who`'s head position (headPosition) and the place it names, the offsets and the watermark a
   * first page's cursor is sealed at: the ledger's clock moves at every pass, one just after any
   * embargo falls due among them, and a public reader polling the first page saw its cursor (and
   * ETag) change at the instant a withheld story's embargo passed (red17 attack run, 2026-12-06).
   */
  headAt(who: HeadWho = 'all', view?: PositionFor): { position: string; o: number[]; t: number } {
    const h = this.#head(who, view)
    return { position: h.position, o: [...h.o], t: h.t }
  }

  #head(who: HeadWho, view: PositionFor | undefined): Head {
    const c = typeof who === 'string' ? who : who.clearance
    const scope = typeof who === 'string' ? unrestricted : who.scope
    const a = typeof who === 'string' ? who : (who.positionAudience ?? audienceKey(c, scope))
    const key = view?.key ?? a
    const w = this.#watermarks.of(a, c, scope)
    const h = this.#heads.get(key)
    if (h !== undefined && h.t === w.t && h.r === w.r && h.o.every((o, p) => o === this.#headO[p])) return h
    const o = [...this.#headO]
    const at = w.r ? { o, t: w.t, r: w.r } : { o, t: w.t }
    const position = view === undefined ? this.#o.positions.encode({ ...at, a }) : this.#o.positions.encodeFor(at, view)
    // one per audience (clearance and token scope: position.ts audienceKey) and view; a few in use at once
    if (h === undefined && this.#heads.size >= MAX_HEADS) this.#heads.delete(this.#heads.keys().next().value as string)
    const head: Head = { position, o, t: w.t, r: w.r }
    this.#heads.set(key, head)
    return head
  }

  /** The release watermark of positions for a reader of that clearance and token scope (audience-watermark.ts). */
  watermark(who: Pick<Conn, 'clearance' | 'scope' | 'positionAudience'>): Watermark {
    return this.#watermarks.of(who.positionAudience, who.clearance, who.scope)
  }

  // ---- connections ------------------------------------------------------------------------

  /** Subscribe asks to close an overloaded connection with a retry hint. */
  closeWithRetryHint(conn: Conn, code: number, what: string, retryAfterMs: number): void {
    this.conns.closeWithRetryHint(conn, code, what, retryAfterMs)
  }

  /**
   * Queues a control message (never conflated) and flushes it soon. `now`: written at once when
   * nothing of the connection's own is queued and the live loop has nothing to match (a fresh
   * subscription's `subscribed`), as the next pass would write it, without waiting for one.
   */
  sendControl(conn: Conn, type: ServerMessageType, json: string, position: string | null = null, sub?: string, now = false): void {
    if (conn.closed) return
    const alone = now && conn.pending.length === 0 && this.#caughtUp()
    this.writer.enqueue(conn, {
      key: null,
      data: conn.transport.frame(type, json, position),
      ...(sub === undefined ? {} : { sub, position }),
    })
    if (alone) this.writer.writeNow(conn)
    else this.schedule()
  }

  /** No pass runs and none has anything to match: what a pass would write now is all it would do. */
  #caughtUp(): boolean {
    return this.#running === null && this.#liveSeq === this.#o.store.history.nextSeq
  }

  sendError(conn: Conn, err: ProtocolError): void {
    this.sendControl(conn, 'error', errorMessage(err.code, err.message, err.ref))
  }

  /** The transport drained below its limit: write what is queued. */
  drained(conn: Conn): void {
    // a group member has nothing of its own to write (after a burst every member's socket
    // drains: no loop pass for each)
    if (conn.closed || conn.grouped || (conn.pending.length === 0 && conn.subs.size === 0)) return
    this.writer.markDirty(conn)
    this.schedule()
  }

  /** Handles one parsed client message; protocol errors become `error` messages. */
  handle(conn: Conn, msg: ClientMessage): void {
    if (conn.closed) return // closed as it opened (its token expired): nothing more is sent to it
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

  // ---- subscription states (subscribe.ts decides, the hub keeps the sets) -------------------

  goLive(sub: Sub): void {
    this.#replaying.delete(sub)
    sub.state = 'live'
    sub.cursor = NO_CURSOR
    sub.cursorPos = null
    sub.liveFrom = this.#o.store.history.nextSeq
    this.#index.add(sub)
  }

  catchUpReleases(sub: Sub): void {
    this.#cursors.stepReleases(sub)
    this.writer.markDirty(sub.conn)
    this.schedule()
  }

  replayFromMemory(sub: Sub): void {
    this.writer.ungroup(sub)
    sub.state = 'memory'
    this.#replaying.add(sub)
    this.schedule()
  }

  dropSub(sub: Sub): void {
    if (sub.state === 'gone') return
    sub.state = 'gone'
    this.writer.ungroup(sub)
    sub.stopReplay?.()
    sub.stopReplay = null
    this.#replaying.delete(sub)
    this.#index.remove(sub)
    for (const kind of kindsOf(sub)) this.#o.metrics.subscriptions.dec({ kind })
  }

  #toLog(sub: Sub): void {
    this.writer.ungroup(sub)
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
      for (const r of store.ledger.advance(store.liveClock(this.#o.clock.now()))) {
        if (r.entry === null) this.#live.release(r, this.#headO, this.#liveSeq)
        this.#stories.release(r, this.#headO, this.#liveSeq)
      }
      const h = store.history
      if (this.#liveSeq < h.firstSeq) this.#liveFellBehind()
      const end = h.nextSeq
      // Every event available when the pass started is matched, then what is queued goes out in
      // one write per connection (priority first, lanes.ts): a burst costs one write per
      // connection instead of one per event. Matching yields every SLICE_MS; a long pass writes
      // what has waited FLUSH_MS.
      const read = this.#liveSeq < end ? this.#o.clock.now() : 0
      let lead = 0
      while (this.#liveSeq < end) {
        const e = h.get(this.#liveSeq) as HistoryRecord
        this.#liveSeq++
        lead = Math.max(lead, e.event.ingestedAt - read)
        this.#deliver(e)
        e.text = null
        if (performance.now() - pace.slice > SLICE_MS) await this.#breathe(pace)
      }
      // ingest's clock against ours (embargoes after a restart are judged by it: visibility.ts INGEST_LEAD_MS)
      if (read !== 0) this.#o.metrics.ingestLead.set(lead / 1000)
      if (this.#liveSeq === h.nextSeq) {
        const readTo = store.readTo()
        for (let p = 0; p < readTo.length; p++) if ((readTo[p] as number) > (this.#headO[p] ?? 0)) this.#headO[p] = readTo[p] as number
      }
      // resumes from a position another instance gave, waiting for this one to read as far (red9)
      this.#subs.readAdvanced(this.#headO)
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
      for (const ingestedAt of this.#live.takeLatencies()) this.#o.metrics.latency.observe(Math.max(0, sent - ingestedAt) / 1000)
      this.#o.metrics.embargoed.set(store.ledger.heldCount())
      this.#o.metrics.history.set(h.size)
      this.#armReleaseTimer()
      if (this.#again) await yieldNow()
    } while (this.#again)
  }

  /** One record to the live subscriptions: `story:` subscriptions apart (stories.ts). */
  #deliver(e: HistoryRecord): void {
    if (isEntryRecord(e)) this.#stories.entry(e, this.#headO)
    else {
      this.#live.entry(e, this.#headO)
      this.#stories.article(e, this.#headO)
    }
  }

  /** History evicted events the live loop had not delivered (history too small for the burst): live subscriptions resume by cursor. */
  #liveFellBehind(): void {
    const h = this.#o.store.history
    this.#o.log.warn({ liveSeq: this.#liveSeq, firstSeq: h.firstSeq }, 'history overran the live loop; live subscriptions replay')
    for (const sub of this.#index.drain()) {
      sub.cursor = { o: [...this.#headO], ...this.watermark(sub.conn) }
      sub.cursorPos = null
      if (h.covers(sub.cursor.o)) this.replayFromMemory(sub)
      else this.#toLog(sub)
    }
    this.#liveSeq = h.firstSeq
  }

  /**
   * A pass at server time `at`. A time passed already while the ledger's clock is held back (the
   * log not known read up to it: Store.liveClock) needs no timer: the feed schedules a pass when it
   * knows more (a timer due at once would spin until then).
   */
  #wakeAt(at: number): () => void {
    if (this.#heldBack(at)) return () => {}
    return setTimerAt(at, () => this.schedule(), this.#o.clock)
  }

  #heldBack(at: number): boolean {
    const now = this.#o.clock.now()
    return at <= now && this.#o.store.liveClock(now) < at
  }

  #armReleaseTimer(): void {
    const next = this.#o.store.nextRelease()
    if (next === null || (this.#releaseTimer && this.#releaseTimer.at <= next) || this.#heldBack(next)) return
    this.#releaseTimer?.cancel()
    let fired = false
    const fire = () => {
      fired = true
      this.#releaseTimer = null
      this.schedule()
    }
    // due already (the pass outlasted the ledger's time): it ran at once, and nothing is armed
    const cancel = setTimerAt(next, fire, this.#o.clock)
    this.#releaseTimer = fired ? null : { at: next, cancel }
  }
}
