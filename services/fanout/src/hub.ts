// Owns connections, subscriptions and delivery. One live loop per tick: embargo releases up to
// now, then every new event once — serialized once, framed once per (transport, subscription id,
// channel), queued to each matching live subscription — then one write per connection for
// everything the pass matched, yielding on time so the event loop never stalls. Subscriptions
// resuming from an older position follow their own cursor (memory, else Kafka via replay.ts),
// take turns of REPLAY_STEP events, and join the live loop when they reach it.
import type { Logger } from '@newswire/shared'
import { ResumeGate, restartRetryAfterMs } from './admission.ts'
import type { AudienceScope } from './audience.ts'
import { scopeAllows, unrestricted } from './audience.ts'
import type { Channel, Filter } from './channels.ts'
import { indexKeysOf, indexKeysOfChannels, matchChannel, passesTickerFilter } from './channels.ts'
import type { Entry } from './history.ts'
import type { ServerMessageType, SnapshotItem } from './messages.ts'
import {
  errorMessage,
  eventJson,
  eventMessage,
  eventMessageHead,
  eventMessageTail,
  gapMessage,
  pongMessage,
  reconnectMessage,
  resetMessage,
  subscribedMessage,
  unsubscribedMessage,
  withdrawnMessage,
} from './messages.ts'
import type { FanoutMetrics } from './metrics.ts'
import { encodePosition, offsetsAtLeast } from './position.ts'
import type { Position } from './position.ts'
import { checkAccess, ProtocolError } from './protocol.ts'
import type { ClientMessage, SubscribeMessage } from './protocol.ts'
import type { GapCount, Lane } from './lanes.ts'
import { laneOfArticle, relieve, writeOrder } from './lanes.ts'
import type { QueuedMessage } from './queue.ts'
import { slowVerdict } from './queue.ts'
import type { KafkaReplays } from './replay.ts'
import type { Release, Store } from './store.ts'
import type { CatchUp } from './versions.ts'
import { supersededInReplay, VersionGate } from './versions.ts'
import type { Audience, Delivery } from './visibility.ts'
import { decideDelivery, isEmbargoed, publicVisible } from './visibility.ts'

export type TransportKind = 'ws' | 'wsz' | 'sse'

/** What the hub needs from a socket; server.ts (WebSocket) and sse.ts implement it. */
export interface Transport {
  kind: TransportKind
  /** Bytes written but not yet handed to the kernel. */
  buffered(): number
  /** Writes framed messages, in order, as one write where the transport allows. */
  write(frames: Buffer[]): void
  frame(type: ServerMessageType, json: string, position: string | null): Buffer
  /** Optional: frames an `event` message from its head and its already encoded tail (messages.ts), without re-encoding the event. */
  frameEvent?: ((head: string, tail: Buffer) => Buffer) | undefined
  /** `retryAfterMs`: the server's reconnect hint (SSE sends it as `retry:`). */
  close(code: number, reason: string, retryAfterMs?: number): void
}

export interface HubLimits {
  maxSubscriptionsPerConnection: number
  maxBufferedBytes: number
  maxPending: number
  slowClientMs: number
  snapshotSize: number
  maxSubscribesPer10s: number
  /** Resumes (subscribe with since) admitted per second; beyond, they queue (admission.ts). */
  resumeRate: number
  /** Resumes waiting for admission; beyond, the connection is closed with 1013 and a retry hint. */
  resumeQueue: number
}

interface Cursor {
  o: number[]
  t: number
  r?: [number, number]
}

export interface Sub {
  id: string
  conn: Conn
  channels: Channel[]
  filter: Filter
  keys: string[]
  state: 'live' | 'memory' | 'kafka' | 'pending' | 'gone'
  cursor: Cursor
  /** Last entry seq this subscription was matched against (dedupes across index keys). */
  mark: number
  stopReplay: (() => void) | null
  catchUp: CatchUp
  /**
   * Newest version delivered per article outside the live loop (replay, embargo releases): older
   * or equal ones are never sent again. Live events are gated once per event (Hub #liveVersions).
   */
  versions: VersionGate
  /** Frame key of the last channel matched live (`transport|audience|id|channel`), kept to skip rebuilding it. */
  frameKey?: { channel: string; key: string }
  /** The cursor's encoded position, when known (replay shares positions and frames through it). */
  cursorPos?: string | null
}

export interface Conn {
  id: number
  audience: Audience
  transport: Transport
  subs: Map<string, Sub>
  pending: QueuedMessage[]
  blockedSince: number | null
  closed: boolean
  nextSubId: number
  subscribes: number[]
  /** Token claims narrowing what this connection sees (audience.ts). */
  scope: AudienceScope
  /** Enqueue counter (lanes.ts orders and counts by it). */
  seq: number
  /** Dropped while behind, per subscription id: sent as `gap` with the next write. */
  gaps: Map<string, GapCount>
  /** Position of the last message written, per subscription id. */
  lastPosition: Map<string, string>
  shedWhileBlocked: number
  /** Queue length right after the last relief: the next one waits until it has grown again. */
  relievedLength: number
}

/** Matching work between two yields to the event loop. */
const SLICE_MS = 20
/** While a pass goes on, what is queued is written once it has waited this long. */
const FLUSH_MS = 50
/** Writing to sockets yields to the event loop after this much time. */
const WRITE_SLICE_MS = 10
/** Events a resuming subscription replays per turn: replays take turns and progress together. */
const REPLAY_STEP = 100
/** Bound of the replay caches (positions and frames shared by subscriptions at the same cursor). */
const REPLAY_CACHE = 4096

/** When the running pass of the live loop last yielded (`slice`) and last wrote (`flushed`). */
interface Pace {
  slice: number
  flushed: number
}

/** A message framed once for every connection of one transport kind that gets it. */
interface Framed {
  data: Buffer
  lane: Lane
  position: string
  reframe: ((position: string) => Buffer) | undefined
}

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve))

export class Hub {
  readonly #store: Store
  readonly #limits: HubLimits
  readonly #metrics: FanoutMetrics
  readonly #log: Logger
  #replays: KafkaReplays | null = null
  readonly #conns = new Set<Conn>()
  readonly #index = new Map<string, Set<Sub>>()
  readonly #replaying = new Set<Sub>()
  readonly #dirty = new Set<Conn>()
  readonly #blocked = new Set<Conn>()
  #started = false
  #running = false
  #again = false
  #liveSeq = 0
  #headO: number[] = []
  #headT = 0
  #nextConnId = 1
  #releaseTimer: NodeJS.Timeout | null = null
  #releaseAt = 0
  #sweep: NodeJS.Timeout | null = null
  #latencies: number[] = []
  /** Messages and bytes written since the metrics were last updated, per transport label. */
  readonly #sentWs = { messages: 0, bytes: 0 }
  readonly #sentSse = { messages: 0, bytes: 0 }
  /** Replay caches: cursor position after an event, keyed by the position before it and the event's seq; frames keyed by event, subscription, channel and position. */
  readonly #replayPositions = new Map<string, string>()
  readonly #replayFrames = new Map<string, Framed>()
  /** The encoded tail of replayed `event` messages per event seq (the event JSON, encoded once). */
  readonly #replayTails = new Map<number, { text: string; data: Buffer }>()
  /**
   * Newest version the live loop has seen per article. The live loop reads the log in order and
   * one article stays on one partition, so an event that is not newer than this is a duplicate
   * or out-of-order version: no live subscription gets it. A newer one still passes each
   * subscription's own gate (what replays and releases delivered), read without writing to it.
   */
  readonly #liveVersions = new VersionGate(100_000)
  readonly #gate: ResumeGate
  #restartCount: number | null = null
  /** Log start offsets, shared by the Kafka resumes of one second (a storm asks Kafka once). */
  #low: { at: number; offsets: Promise<number[]> } | null = null

  constructor(store: Store, limits: HubLimits, metrics: FanoutMetrics, log: Logger) {
    this.#store = store
    this.#limits = limits
    this.#metrics = metrics
    this.#log = log
    this.#gate = new ResumeGate({
      rate: limits.resumeRate,
      queueMax: limits.resumeQueue,
      clock: Date,
      setTimer: (fn, ms) => {
        const t = setTimeout(fn, ms)
        t.unref()
        return () => clearTimeout(t)
      },
      random: Math.random,
    })
  }

  setReplays(replays: KafkaReplays): void {
    this.#replays = replays
  }

  /** Called once the store has caught up: live delivery starts at the current end of history. */
  start(): void {
    const h = this.#store.history
    this.#liveSeq = h.nextSeq
    this.#headO = this.#store.readTo()
    this.#headT = Date.now()
    this.#started = true
    const sweepMs = Math.max(50, Math.min(1000, Math.floor(this.#limits.slowClientMs / 4)))
    this.#sweep = setInterval(() => this.#sweepBlocked(), sweepMs)
    this.#sweep.unref()
    this.schedule()
  }

  stop(): void {
    this.#started = false
    this.#gate.close()
    if (this.#sweep) clearInterval(this.#sweep)
    if (this.#releaseTimer) clearTimeout(this.#releaseTimer)
  }

  get connectionCount(): number {
    return this.#conns.size
  }

  headPosition(): Position {
    return { o: [...this.#headO], t: this.#headT }
  }

  connections(): Iterable<Conn> {
    return this.#conns
  }

  // ---- connections ------------------------------------------------------------------------

  addConnection(audience: Audience, transport: Transport, scope: AudienceScope = unrestricted): Conn {
    const conn: Conn = {
      scope,
      seq: 0,
      gaps: new Map(),
      lastPosition: new Map(),
      shedWhileBlocked: 0,
      relievedLength: 0,
      id: this.#nextConnId++,
      audience,
      transport,
      subs: new Map(),
      pending: [],
      blockedSince: null,
      closed: false,
      nextSubId: 0,
      subscribes: [],
    }
    this.#conns.add(conn)
    this.#metrics.connections.inc({ audience, transport: transport.kind === 'sse' ? 'sse' : 'ws' })
    return conn
  }

  /** The socket is gone (or going): forget it. Idempotent. */
  removeConnection(conn: Conn): void {
    if (!this.#conns.delete(conn)) return
    conn.closed = true
    for (const sub of conn.subs.values()) this.#dropSub(sub)
    conn.subs.clear()
    conn.pending = []
    this.#dirty.delete(conn)
    this.#blocked.delete(conn)
    this.#metrics.connections.dec({ audience: conn.audience, transport: conn.transport.kind === 'sse' ? 'sse' : 'ws' })
  }

  /** Closes with a code and forgets the connection. */
  kill(conn: Conn, code: number, reason: string, retryAfterMs?: number): void {
    if (conn.closed) return
    this.removeConnection(conn)
    conn.transport.close(code, reason, retryAfterMs)
  }

  /**
   * Tells the client when to come back (`reconnect` message, hint in the close reason, SSE
   * `retry:`), writes what is queued, then closes with `code` (1012 restart, 1013 overloaded).
   */
  closeWithRetryHint(conn: Conn, code: number, what: string, retryAfterMs: number, hintInReason = true): void {
    if (conn.closed) return
    const reason = hintInReason ? `${what}; retry after ${retryAfterMs} ms` : what
    conn.pending.push({ key: null, data: conn.transport.frame('reconnect', reconnectMessage(retryAfterMs, what), null) })
    this.#flush(conn, Date.now())
    this.#countSent()
    this.kill(conn, code, reason, retryAfterMs)
  }

  /** A jittered retry hint for clients of this instance told to reconnect because it restarts. */
  restartRetryAfterMs(): number {
    this.#restartCount ??= this.#conns.size
    return restartRetryAfterMs(this.#restartCount, this.#limits.resumeRate, Math.random)
  }

  /** Shutdown: close with 1012 and a jittered hint so reconnects spread out. */
  closeForRestart(conn: Conn): void {
    // The close reason stays 'service restart' (stable); the hint travels in `reconnect`
    this.closeWithRetryHint(conn, 1012, 'service restart', this.restartRetryAfterMs(), false)
  }

  /** Queues a control message (never conflated) and flushes it soon. */
  sendControl(conn: Conn, type: ServerMessageType, json: string, position: string | null = null, sub?: string): void {
    if (conn.closed) return
    conn.pending.push({
      key: null,
      data: conn.transport.frame(type, json, position),
      seq: conn.seq++,
      ...(sub === undefined ? {} : { sub, position }),
    })
    this.#dirty.add(conn)
    this.schedule()
  }

  /** The transport drained below its limit: write what is queued. */
  drained(conn: Conn): void {
    if (conn.closed) return
    if (conn.pending.length > 0 || conn.subs.size > 0) {
      this.#dirty.add(conn)
      this.schedule()
    }
  }

  /** Handles one parsed client message; protocol errors become `error` messages. */
  handle(conn: Conn, msg: ClientMessage): void {
    try {
      if (msg.type === 'ping') this.sendControl(conn, 'pong', pongMessage(msg.id, Date.now()))
      else if (msg.type === 'unsubscribe') {
        const sub = conn.subs.get(msg.id)
        if (!sub) throw new ProtocolError('unknown_subscription', `no subscription '${msg.id}'`, msg.id)
        conn.subs.delete(msg.id)
        this.#dropSub(sub)
        // queued events of that subscription may still go out before this answer
        this.sendControl(conn, 'unsubscribed', unsubscribedMessage(msg.id))
      } else this.subscribe(conn, msg)
    } catch (err) {
      if (err instanceof ProtocolError) this.sendError(conn, err)
      else throw err
    }
  }

  sendError(conn: Conn, err: ProtocolError): void {
    this.sendControl(conn, 'error', errorMessage(err.code, err.message, err.ref))
  }

  /** Over the subscribe rate: the caller closes with 4429. */
  overSubscribeRate(conn: Conn, now: number): boolean {
    conn.subscribes = conn.subscribes.filter((t) => now - t < 10_000)
    conn.subscribes.push(now)
    return conn.subscribes.length > this.#limits.maxSubscribesPer10s
  }

  subscribe(conn: Conn, msg: SubscribeMessage): Sub {
    checkAccess(msg, conn.audience)
    if (msg.id !== null && conn.subs.has(msg.id))
      throw new ProtocolError('duplicate_id', `subscription '${msg.id}' exists; unsubscribe first`, msg.id)
    if (conn.subs.size >= this.#limits.maxSubscriptionsPerConnection) {
      throw new ProtocolError(
        'too_many_subscriptions',
        `at most ${this.#limits.maxSubscriptionsPerConnection} subscriptions per connection`,
        msg.id,
      )
    }
    if (!this.#started) throw new ProtocolError('replay_unavailable', 'the service is not ready', msg.id)
    let id = msg.id
    while (id === null || conn.subs.has(id)) id = `s${++conn.nextSubId}`
    const sub: Sub = {
      id,
      conn,
      channels: msg.channels,
      filter: msg.filter,
      keys: indexKeysOfChannels(msg.channels),
      state: 'pending',
      cursor: { o: [], t: 0 },
      mark: -1,
      stopReplay: null,
      catchUp: msg.catchUp,
      versions: new VersionGate(),
    }
    conn.subs.set(id, sub)
    for (const kind of this.#kindsOf(sub)) this.#metrics.subscriptions.inc({ kind })
    const channels = msg.channels.map((c) => c.name)
    const since = msg.since
    if (since === null) {
      const position = encodePosition(this.headPosition())
      this.sendControl(
        conn,
        'subscribed',
        subscribedMessage({ sub: id, channels, position, replay: 'none' }, this.#snapshot(sub)),
        position,
        id,
      )
      this.#goLive(sub)
      return sub
    }
    if (since.o.length !== this.#store.partitions) {
      this.#reset(sub, 'the position was made for a different partition count')
      return sub
    }
    sub.cursor = { o: [...since.o], t: since.t, ...(since.r ? { r: since.r } : {}) }
    // Reconnect storms: resumes are admitted at a bounded rate so the live stream stays on time
    const admitted = this.#gate.admit(
      () => this.#resume(sub, since, channels),
      () => sub.state === 'gone',
    )
    if ('queued' in admitted) this.#metrics.resumesAdmission.inc({ result: 'queued' })
    else if ('admitted' in admitted) this.#metrics.resumesAdmission.inc({ result: 'admitted' })
    else {
      this.#metrics.resumesAdmission.inc({ result: 'rejected' })
      this.closeWithRetryHint(conn, 1013, 'too many resumes', admitted.retryAfterMs)
    }
    return sub
  }

  #resume(sub: Sub, since: Position, channels: string[]): void {
    if (sub.state !== 'pending' || sub.conn.closed) return
    const position = encodePosition(since)
    if (this.#store.history.covers(since.o)) {
      this.#metrics.replays.inc({ source: 'memory' })
      this.sendControl(
        sub.conn,
        'subscribed',
        subscribedMessage({ sub: sub.id, channels, position, replay: 'memory' }, []),
        position,
        sub.id,
      )
      sub.state = 'memory'
      this.#replaying.add(sub)
      this.schedule()
      return
    }
    this.#startKafkaReplay(sub, channels, position)
  }

  #startKafkaReplay(sub: Sub, channels: string[], position: string): void {
    const replays = this.#replays
    this.#lowWatermarks().then(
      (low) => {
        if (sub.state === 'gone') return
        if (!offsetsAtLeast(sub.cursor.o, low)) {
          this.#reset(sub, 'the position is older than the retention of news.article-events')
          return
        }
        // Joins a shared reader from a nearby position, or starts one (replay.ts); events arrive later
        sub.state = 'kafka'
        const stop = replays?.join(sub, false) ?? null
        if (!stop) {
          sub.state = 'pending'
          this.#failSub(
            sub,
            new ProtocolError('replay_unavailable', 'too many replays from Kafka right now; retry in a few seconds', sub.id),
          )
          return
        }
        sub.stopReplay = stop
        this.#metrics.replays.inc({ source: 'kafka' })
        this.sendControl(
          sub.conn,
          'subscribed',
          subscribedMessage({ sub: sub.id, channels, position, replay: 'kafka' }, []),
          position,
          sub.id,
        )
        // Releases up to now for what the cursor has passed, then events from Kafka at this watermark
        this.#stepReleases(sub)
      },
      (err: unknown) => {
        this.#log.warn({ err }, 'could not read log start offsets for a replay')
        this.#failSub(sub, new ProtocolError('replay_unavailable', 'Kafka is not reachable for a replay; retry later', sub.id))
      },
    )
  }

  #lowWatermarks(): Promise<number[]> {
    const now = Date.now()
    if (this.#low && now - this.#low.at < 1000) return this.#low.offsets
    const offsets = this.#store.lowWatermarks()
    this.#low = { at: now, offsets }
    offsets.catch(() => {
      if (this.#low?.offsets === offsets) this.#low = null
    })
    return offsets
  }

  #failSub(sub: Sub, err: ProtocolError): void {
    if (sub.state === 'gone') return
    sub.conn.subs.delete(sub.id)
    this.#dropSub(sub)
    this.sendError(sub.conn, err)
  }

  #reset(sub: Sub, reason: string): void {
    this.#metrics.replays.inc({ source: 'reset' })
    const position = encodePosition(this.headPosition())
    const channels = sub.channels.map((c) => c.name)
    this.sendControl(sub.conn, 'reset', resetMessage({ sub: sub.id, channels, position, reason }, this.#snapshot(sub)), position, sub.id)
    this.#goLive(sub)
  }

  #kindsOf(sub: Sub): string[] {
    return sub.channels.length === 0 ? ['filter'] : [...new Set(sub.channels.map((c) => c.kind))]
  }

  #goLive(sub: Sub): void {
    this.#replaying.delete(sub)
    sub.state = 'live'
    sub.cursor = { o: [], t: 0 }
    sub.cursorPos = null
    // What the replay delivered is below the cursor; live versions of those articles come later
    // in the log, so they are newer: the replay's memory of versions is not needed any more
    sub.versions = new VersionGate()
    for (const k of sub.keys) {
      let set = this.#index.get(k)
      if (!set) {
        set = new Set()
        this.#index.set(k, set)
      }
      set.add(sub)
    }
  }

  #dropSub(sub: Sub): void {
    if (sub.state === 'gone') return
    sub.state = 'gone'
    sub.stopReplay?.()
    sub.stopReplay = null
    this.#replaying.delete(sub)
    for (const k of sub.keys) {
      const set = this.#index.get(k)
      set?.delete(sub)
      if (set?.size === 0) this.#index.delete(k)
    }
    for (const kind of this.#kindsOf(sub)) this.#metrics.subscriptions.dec({ kind })
  }

  #snapshot(sub: Sub): SnapshotItem[] {
    const n = this.#limits.snapshotSize
    const out: SnapshotItem[] = []
    if (n === 0) return out
    const h = this.#store.history
    const seen = new Set<string>()
    const audience = sub.conn.audience
    const scope = sub.conn.scope
    const t = this.#headT
    for (let seq = this.#liveSeq - 1; seq >= h.firstSeq && out.length < n; seq--) {
      const e = h.get(seq) as Entry
      const id = e.event.article.id
      if (seen.has(id)) continue
      seen.add(id)
      if (!this.#snapshotVisible(audience, scope, e.event.type, e.event.article, t)) continue
      if (matchChannel(sub.channels, sub.filter, e.event.article) === null) continue
      out.push({ embargoed: audience === 'newsroom' && isEmbargoed(e.event.article, t), text: this.#store.entryText(e, eventJson) })
    }
    if (out.length < n) {
      const older = []
      for (const s of this.#store.olderStates()) {
        const a = s.event.article
        if (seen.has(a.id) || !this.#snapshotVisible(audience, scope, s.event.type, a, t)) continue
        if (matchChannel(sub.channels, sub.filter, a) !== null) older.push(s)
      }
      older.sort((x, y) => y.event.ingestedAt - x.event.ingestedAt)
      for (const s of older.slice(0, n - out.length)) {
        s.text ??= eventJson(s.event)
        out.push({ embargoed: audience === 'newsroom' && isEmbargoed(s.event.article, t), text: s.text })
      }
    }
    return out
  }

  #snapshotVisible(audience: Audience, scope: AudienceScope, type: string, a: Entry['event']['article'], t: number): boolean {
    // Withdrawn and canceled articles leave snapshots; a correction replaces what it corrects
    if (type === 'WITHDRAWN' || a.pubStatus === 'canceled') return false
    if (scope !== unrestricted && (!scopeAllows(scope, a) || (!scope.embargo && isEmbargoed(a, t)))) return false
    return audience === 'newsroom' || publicVisible(a, t)
  }

  /** The token's scope lets this delivery through (desks, languages, embargoed content). */
  #scopeAllows(conn: Conn, d: Delivery): boolean {
    const scope = conn.scope
    if (scope === unrestricted) return true
    if (!scopeAllows(scope, d.match)) return false
    return scope.embargo || d.kind !== 'event' || !d.embargoed
  }

  /** Gets embargo releases: the public, and newsroom tokens that may not see embargoed content. */
  #getsReleases(conn: Conn): boolean {
    return conn.audience === 'public' || !conn.scope.embargo
  }

  // ---- the loop -----------------------------------------------------------------------------

  schedule(): void {
    if (!this.#started) return
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = true
    setImmediate(() => {
      this.#run().catch((err: unknown) => {
        this.#running = false
        this.#log.error({ err }, 'fan-out loop failed')
      })
    })
  }

  /** A matching slice is over: write what has waited FLUSH_MS, then let the event loop run. */
  async #breathe(pace: Pace): Promise<void> {
    if (performance.now() - pace.flushed > FLUSH_MS) {
      await this.#flushDirty()
      pace.flushed = performance.now()
    }
    await yieldNow()
    pace.slice = performance.now()
  }

  async #run(): Promise<void> {
    do {
      this.#again = false
      if (!this.#started) break
      const t0 = performance.now()
      const pace: Pace = { slice: t0, flushed: t0 }
      const now = Date.now()
      if (now > this.#headT) {
        for (const r of this.#store.releases(this.#headT, undefined, now)) this.#deliverReleaseLive(r)
        this.#headT = now
      }
      const h = this.#store.history
      if (this.#liveSeq < h.firstSeq) this.#liveFellBehind()
      const end = h.nextSeq
      // Every event available when the pass started is matched, then what is queued goes out in
      // one write per connection (priority messages first within it, lanes.ts). Nothing waits for
      // a timer: breaking items go out at the end of the pass that matched them, so a burst costs
      // one write per connection instead of one per event. Matching yields every SLICE_MS; a long
      // pass writes what has waited FLUSH_MS.
      while (this.#liveSeq < end) {
        const e = h.get(this.#liveSeq) as Entry
        this.#liveSeq++
        this.#deliverEntryLive(e)
        e.text = null
        if (performance.now() - pace.slice > SLICE_MS) await this.#breathe(pace)
      }
      if (this.#liveSeq === h.nextSeq) {
        const readTo = this.#store.readTo()
        for (let p = 0; p < readTo.length; p++) if ((readTo[p] as number) > (this.#headO[p] ?? 0)) this.#headO[p] = readTo[p] as number
      }
      if (this.#replaying.size > 0 && this.#dirty.size > 0) {
        // live messages do not wait for the replays' turn
        await this.#flushDirty()
        pace.flushed = pace.slice = performance.now()
      }
      const stepped: Sub[] = []
      for (const sub of [...this.#replaying]) {
        if (sub.state === 'memory' && this.#stepMemory(sub)) stepped.push(sub)
        if (performance.now() - pace.slice > SLICE_MS) await this.#breathe(pace)
      }
      for (const cache of [this.#replayPositions, this.#replayFrames, this.#replayTails])
        if (this.#replaying.size === 0 || cache.size > REPLAY_CACHE) cache.clear()
      await this.#flushDirty()
      // Replays that stopped at their step budget go on once their queue is written
      if (stepped.some((sub) => sub.state === 'memory' && this.#canTakeMore(sub.conn))) this.#again = true
      const sent = Date.now()
      for (const ingestedAt of this.#latencies) this.#metrics.latency.observe(Math.max(0, sent - ingestedAt) / 1000)
      this.#latencies = []
      this.#metrics.embargoed.set(this.#store.heldCount(now))
      this.#metrics.history.set(h.size)
      this.#armReleaseTimer()
      if (this.#again) await yieldNow()
    } while (this.#again)
    this.#running = false
  }

  /** History evicted events the live loop had not delivered (history too small for the burst): live subscriptions resume by cursor. */
  #liveFellBehind(): void {
    this.#log.warn(
      { liveSeq: this.#liveSeq, firstSeq: this.#store.history.firstSeq },
      'history overran the live loop; live subscriptions replay',
    )
    const cursor = { o: [...this.#headO], t: this.#headT }
    for (const set of this.#index.values()) {
      for (const sub of set) {
        sub.cursor = { o: [...cursor.o], t: cursor.t }
        sub.cursorPos = null
        sub.state = 'memory'
        this.#replaying.add(sub)
      }
    }
    this.#index.clear()
    this.#liveSeq = this.#store.history.firstSeq
    for (const sub of [...this.#replaying]) {
      if (!this.#store.history.covers(sub.cursor.o)) {
        sub.state = 'kafka'
        this.#replaying.delete(sub)
        sub.stopReplay = this.#replays?.join(sub, true) ?? null
      }
    }
  }

  #armReleaseTimer(): void {
    const next = this.#store.nextReleaseAfter(this.#headT)
    if (next === null) return
    if (this.#releaseTimer && this.#releaseAt <= next) return
    if (this.#releaseTimer) clearTimeout(this.#releaseTimer)
    this.#releaseAt = next
    this.#releaseTimer = setTimeout(
      () => {
        this.#releaseTimer = null
        this.schedule()
      },
      Math.max(0, next - Date.now() + 1),
    )
    this.#releaseTimer.unref()
  }

  #candidates(keys: readonly string[], mark: number): Sub[] {
    const out: Sub[] = []
    for (const k of keys) {
      const set = this.#index.get(k)
      if (!set) continue
      for (const sub of set) {
        if (sub.mark === mark) continue
        sub.mark = mark
        out.push(sub)
      }
    }
    return out
  }

  /** Queues one new event to the live subscriptions it matches (written at the end of the pass). */
  #deliverEntryLive(e: Entry): void {
    const p = e.partition
    const a = e.event.article
    const keys = indexKeysOf(a)
    if (e.prevPublic && (e.prevPublic.category !== a.category || e.prevPublic.language !== a.language))
      keys.push(...indexKeysOf(e.prevPublic))
    const subs = this.#candidates(keys, e.seq)
    this.#headO[p] = Math.max(this.#headO[p] ?? 0, e.offset + 1)
    if (!this.#liveVersions.admit(a.id, a.version) || subs.length === 0) return
    const decisions: Partial<Record<Audience, Delivery | null>> = {}
    const frames = new Map<string, Framed>()
    let position: string | null = null
    let deliveries = 0
    for (const sub of subs) {
      const audience = sub.conn.audience
      if (!(audience in decisions)) decisions[audience] = decideDelivery(audience, e.event, e.prevPublic, this.#headT)
      const d = decisions[audience]
      if (!d || !this.#scopeAllows(sub.conn, d)) continue
      const channel = matchChannel(sub.channels, sub.filter, d.match)
      if (channel === null || (d.kind === 'event' && !passesTickerFilter(sub.filter, e.event))) continue
      if (!sub.versions.newer(a.id, a.version)) continue
      position ??= encodePosition({ o: this.#headO, t: this.#headT })
      let fk = sub.frameKey
      if (fk?.channel !== channel) {
        fk = { channel, key: `${sub.conn.transport.kind}|${audience}|${sub.id}|${channel}` }
        sub.frameKey = fk
      }
      const key = fk.key
      let framed = frames.get(key)
      if (!framed) {
        const json =
          d.kind === 'withdrawn'
            ? withdrawnMessage({ sub: sub.id, channel, position, articleId: a.id, version: a.version, reason: d.reason })
            : eventMessage({ sub: sub.id, channel, position, embargoed: d.embargoed }, this.#store.entryText(e, eventJson))
        framed = this.#framed(sub.conn.transport, d.kind, json, position, d.kind === 'withdrawn' ? 'priority' : laneOfArticle(a))
        if (frames.size < 256) frames.set(key, framed)
      }
      this.#enqueueFramed(sub, a.id, framed)
      deliveries++
    }
    if (deliveries > 0) {
      this.#latencies.push(e.event.ingestedAt)
      // One line per event, not per client: the trace id of the ingest request ends here
      this.#log.info(
        {
          traceId: e.event.traceId,
          eventId: e.event.eventId,
          articleId: a.id,
          type: e.event.type,
          partition: p,
          offset: e.offset,
          deliveries,
        },
        'event delivered',
      )
    }
  }

  /** Frames a message once; priority messages can be re-framed with another position (lanes.ts). */
  #framed(transport: Transport, type: 'event' | 'withdrawn', json: string, position: string, lane: Lane): Framed {
    const data = transport.frame(type, json, position)
    if (lane !== 'priority') return { data, lane, position, reframe: undefined }
    const at = json.indexOf(`"position":${JSON.stringify(position)}`)
    const reframe = (other: string) => {
      const moved = `${json.slice(0, at)}"position":${JSON.stringify(other)}${json.slice(at + position.length + 13)}`
      return transport.frame(type, moved, other)
    }
    return { data, lane, position, reframe: at < 0 ? undefined : reframe }
  }

  #enqueueFramed(sub: Sub, key: string, f: Framed): void {
    const conn = sub.conn
    if (conn.closed) return
    conn.pending.push({ key, data: f.data, lane: f.lane, sub: sub.id, position: f.position, seq: conn.seq++, reframe: f.reframe })
    this.#dirty.add(conn)
  }

  /** The release of `r` if it is still the latest, usable version; else null. */
  #releasable(r: Release) {
    const s = this.#store.latest(r.id)
    if (!s || s.event.type === 'WITHDRAWN' || s.event.article.pubStatus !== 'usable') return null
    if (s.event.article.embargoedUntil !== r.at || s.partition !== r.partition) return null
    if (s.offset !== null && s.offset !== r.offset) return null
    return s
  }

  #deliverReleaseLive(r: Release): void {
    const s = this.#releasable(r)
    if (!s) return
    const a = s.event.article
    const subs = this.#candidates(indexKeysOf(a), -2 - r.at)
    let position: string | null = null
    let text: string | null = null
    for (const sub of subs) {
      sub.mark = -1
      if (!this.#getsReleases(sub.conn) || !scopeAllows(sub.conn.scope, a)) continue
      const channel = matchChannel(sub.channels, sub.filter, a)
      if (channel === null || !sub.versions.admit(a.id, a.version)) continue
      position ??= encodePosition({ o: this.#headO, t: r.at, r: [r.partition, r.offset] })
      text ??= s.text ?? eventJson(s.event)
      const json = eventMessage({ sub: sub.id, channel, position, released: true }, text)
      this.#enqueueFramed(sub, a.id, this.#framed(sub.conn.transport, 'event', json, position, laneOfArticle(a)))
    }
  }

  // ---- cursors (resume) ---------------------------------------------------------------------

  /** Embargo releases between the cursor's watermark and the live one, for events the cursor has passed. */
  #stepReleases(sub: Sub): void {
    const c = sub.cursor
    if (c.t > this.#headT || (c.t === this.#headT && !c.r)) return
    for (const r of this.#store.releases(c.t, c.r, this.#headT)) {
      if (r.offset >= (c.o[r.partition] ?? 0)) continue
      const s = this.#releasable(r)
      if (!s || !this.#getsReleases(sub.conn)) continue
      const a = s.event.article
      if (!scopeAllows(sub.conn.scope, a)) continue
      const channel = matchChannel(sub.channels, sub.filter, a)
      if (channel === null || !sub.versions.admit(a.id, a.version)) continue
      const position = encodePosition({ o: c.o, t: r.at, r: [r.partition, r.offset] })
      s.text ??= eventJson(s.event)
      const json = eventMessage({ sub: sub.id, channel, position, released: true }, s.text)
      this.#enqueueFramed(sub, a.id, this.#framed(sub.conn.transport, 'event', json, position, laneOfArticle(a)))
    }
    if (c.t !== this.#headT || c.r) sub.cursorPos = null
    c.t = this.#headT
    delete c.r
  }

  #canTakeMore(conn: Conn): boolean {
    return (
      !conn.closed &&
      conn.pending.length < Math.max(1, this.#limits.maxPending >> 1) &&
      conn.transport.buffered() < this.#limits.maxBufferedBytes
    )
  }

  /** Moves a resuming cursor along memory; true when it stopped with more to do (budget or queue). */
  #stepMemory(sub: Sub): boolean {
    if (!this.#canTakeMore(sub.conn)) return true
    const h = this.#store.history
    const c = sub.cursor
    if (c.t < this.#headT || c.r) this.#stepReleases(sub)
    if (!h.covers(c.o)) {
      // the cursor fell out of memory while the client was slow: continue from Kafka
      sub.state = 'kafka'
      this.#replaying.delete(sub)
      sub.stopReplay = this.#replays?.join(sub, true) ?? null
      return false
    }
    let seq = h.startSeq(c.o)
    let n = 0
    const positions = this.#replayPositions
    while (seq < this.#liveSeq && n < REPLAY_STEP) {
      const e = h.get(seq) as Entry
      n++
      if (e.offset < (c.o[e.partition] ?? 0)) {
        seq++
        continue
      }
      c.o[e.partition] = e.offset + 1
      // Subscriptions at the same cursor share the position after each event, and its frames
      const before = sub.cursorPos ?? null
      const after = before === null ? undefined : positions.get(`${seq}\u0000${before}`)
      sub.cursorPos = after ?? null
      this.#deliverToCursor(sub, e.event, e.prevPublic, e.event.article.id, () => this.#store.entryText(e, eventJson), seq)
      if (after === undefined && before !== null && sub.cursorPos !== null) positions.set(`${seq}\u0000${before}`, sub.cursorPos)
      seq++
    }
    if (seq < this.#liveSeq) return true
    // The cursor has passed everything the live loop has: join it unless it is ahead of it
    // (a position from an instance that has read further, or a later watermark)
    if (!offsetsAtLeast(this.#headO, c.o)) return false
    if (c.t > this.#headT) {
      setTimeout(() => this.schedule(), c.t - Date.now() + 1).unref()
      return false
    }
    this.#goLive(sub)
    return false
  }

  /** Delivers one event to a resuming subscription at its cursor (already advanced past the event). */
  #deliverToCursor(
    sub: Sub,
    event: Entry['event'],
    prevPublic: Entry['prevPublic'],
    articleId: string,
    text: () => string,
    seq?: number,
  ): void {
    const c = sub.cursor
    // A later version the cursor will reach supersedes this one (retraction, or catchUp: latest)
    if (supersededInReplay(event, this.#store.latest(articleId)?.event, sub.catchUp)) return
    const d = decideDelivery(sub.conn.audience, event, prevPublic, c.t)
    if (!d || !this.#scopeAllows(sub.conn, d)) return
    const channel = matchChannel(sub.channels, sub.filter, d.match)
    if (channel === null || (d.kind === 'event' && !passesTickerFilter(sub.filter, event))) return
    const a = event.article
    if (!sub.versions.admit(a.id, a.version)) return
    sub.cursorPos ??= encodePosition({ o: c.o, t: c.t })
    const position = sub.cursorPos
    // From memory (`seq` known) the message depends only on the event, the audience, the
    // subscription id, the channel and the position: subscriptions at the same cursor share it
    const key = seq === undefined ? null : `${seq}|${sub.conn.transport.kind}|${sub.conn.audience}|${sub.id}|${channel}|${position}`
    let framed = key === null ? undefined : this.#replayFrames.get(key)
    if (!framed) {
      const transport = sub.conn.transport
      const lane = d.kind === 'withdrawn' ? 'priority' : laneOfArticle(a)
      if (d.kind === 'event' && transport.frameEvent) {
        // The event's JSON is encoded once per event; each cursor only adds its own head
        const head = eventMessageHead({ sub: sub.id, channel, position, embargoed: d.embargoed })
        let tail = seq === undefined ? undefined : this.#replayTails.get(seq)
        if (!tail) {
          const t = eventMessageTail(text())
          tail = { text: t, data: Buffer.from(t) }
          if (seq !== undefined) this.#replayTails.set(seq, tail)
        }
        const tailText = tail.text
        const reframe = (other: string) =>
          transport.frame('event', eventMessageHead({ sub: sub.id, channel, position: other, embargoed: d.embargoed }) + tailText, other)
        framed = { data: transport.frameEvent(head, tail.data), lane, position, reframe: lane === 'priority' ? reframe : undefined }
      } else {
        const json =
          d.kind === 'withdrawn'
            ? withdrawnMessage({ sub: sub.id, channel, position, articleId: a.id, version: a.version, reason: d.reason })
            : eventMessage({ sub: sub.id, channel, position, embargoed: d.embargoed }, text())
        framed = this.#framed(transport, d.kind, json, position, lane)
      }
      if (key !== null) this.#replayFrames.set(key, framed)
    }
    this.#enqueueFramed(sub, articleId, framed)
  }

  // ---- used by replay.ts --------------------------------------------------------------------

  /** One event read from Kafka for a replaying subscription; false when the subscription is gone. */
  replayEvent(sub: Sub, partition: number, offset: number, event: Entry['event']): boolean {
    if (sub.state !== 'kafka') return false
    const c = sub.cursor
    if (offset < (c.o[partition] ?? 0)) return true
    c.o[partition] = offset + 1
    sub.cursorPos = null
    // Earlier versions are not at hand here: a withdrawal is sent (undefined = maybe seen)
    this.#deliverToCursor(sub, event, undefined, event.article.id, () => eventJson(event))
    this.#dirty.add(sub.conn)
    return true
  }

  /** The Kafka reader has read partition `p` up to `next` (markers included). */
  replayProgress(sub: Sub, partition: number, next: number): void {
    if (sub.state !== 'kafka') return
    const c = sub.cursor
    if (next > (c.o[partition] ?? 0)) {
      c.o[partition] = next
      sub.cursorPos = null
    }
  }

  /** Hand over to memory when it covers the cursor; synchronous, so nothing falls in between. */
  replayMaybeDone(sub: Sub): boolean {
    if (sub.state !== 'kafka') return true
    if (!this.#store.history.covers(sub.cursor.o)) return false
    sub.stopReplay = null
    sub.state = 'memory'
    this.#replaying.add(sub)
    this.schedule()
    return true
  }

  /**
   * Resolves when the connections of a shared reader's subscriptions can take more (or are gone),
   * or after `maxMs`: one slow member does not hold the others back for long; its own queue is
   * then relieved by lanes (conflated, shed) or it is dropped as a slow consumer.
   */
  async replayWait(subs: Iterable<Sub>, maxMs = 1000): Promise<void> {
    this.schedule()
    const until = Date.now() + maxMs
    const waiting = () => {
      for (const sub of subs) if (sub.state === 'kafka' && !this.#canTakeMore(sub.conn)) return true
      return false
    }
    while (waiting() && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
  }

  replayFailed(sub: Sub, err: unknown): void {
    this.#log.warn({ err }, 'Kafka replay failed')
    this.#failSub(sub, new ProtocolError('replay_unavailable', 'the replay from Kafka failed; resume again', sub.id))
  }

  // ---- writing ------------------------------------------------------------------------------

  async #flushDirty(): Promise<void> {
    if (this.#dirty.size === 0) return
    let conns = [...this.#dirty]
    this.#dirty.clear()
    if (this.#blocked.size > 0) {
      // Connections that were behind go last: theirs are the big catch-up writes, and everyone
      // else's breaking item should not wait behind them
      const behind = conns.filter((c) => this.#blocked.has(c))
      if (behind.length > 0) conns = [...conns.filter((c) => !this.#blocked.has(c)), ...behind]
    }
    let now = Date.now()
    let slice = performance.now()
    for (let i = 0; i < conns.length; i++) {
      this.#flush(conns[i] as Conn, now)
      // yield on time, not on a socket count: one write costs 5–70 µs depending on load
      if ((i & 31) === 31 && performance.now() - slice > WRITE_SLICE_MS) {
        this.#countSent()
        await yieldNow()
        slice = performance.now()
        now = Date.now()
      }
    }
    this.#countSent()
  }

  /** Metrics of what #flush wrote, added once per flush rather than per connection. */
  #countSent(): void {
    for (const [transport, sent] of [
      ['ws', this.#sentWs],
      ['sse', this.#sentSse],
    ] as const) {
      if (sent.messages === 0) continue
      this.#metrics.messages.inc({ transport }, sent.messages)
      this.#metrics.bytes.inc({ transport }, sent.bytes)
      sent.messages = sent.bytes = 0
    }
  }

  #flush(conn: Conn, now: number): void {
    if (conn.closed || conn.pending.length === 0) return
    const buffered = conn.transport.buffered()
    if (buffered < this.#limits.maxBufferedBytes) {
      const queue = conn.pending
      conn.pending = []
      conn.blockedSince = null
      conn.shedWhileBlocked = 0
      conn.relievedLength = 0
      this.#blocked.delete(conn)
      const gaps = conn.gaps.size > 0 ? this.#gapFrames(conn, queue) : null
      const frames = writeOrder(queue, conn.lastPosition)
      if (gaps) for (const g of gaps) frames.push(g)
      let bytes = 0
      for (const f of frames) bytes += f.length
      conn.transport.write(frames)
      const sent = conn.transport.kind === 'sse' ? this.#sentSse : this.#sentWs
      sent.messages += frames.length
      sent.bytes += bytes
      return
    }
    // Behind: routine messages are conflated, then shed (counted for a `gap`); priority ones stay.
    // Relief scans the whole queue, so it runs once the queue has grown by a stretch, not on
    // every event: per event, 100 blocked connections spent a third of the fan-out's CPU on it.
    const budget = this.#routineBudget()
    if (conn.pending.length >= conn.relievedLength + Math.max(1, budget >> 3) || conn.pending.length > this.#limits.maxPending) {
      const r = relieve(conn.pending, budget, conn.gaps)
      conn.pending = r.queue
      conn.relievedLength = r.queue.length
      if (r.conflated > 0) this.#metrics.conflated.inc(r.conflated)
      if (r.shed > 0) this.#metrics.shed.inc({ lane: 'routine' }, r.shed)
      conn.shedWhileBlocked += r.shed
    }
    conn.blockedSince ??= now
    this.#blocked.add(conn)
    const pending = conn.pending.length
    if (slowVerdict(buffered, pending, conn.blockedSince, now, this.#limits) === 'drop' || conn.shedWhileBlocked > this.#limits.maxPending)
      this.#dropSlow(conn, pending, now)
  }

  #routineBudget(): number {
    return Math.max(1, this.#limits.maxPending >> 1)
  }

  /** `gap` messages for what was dropped, each at the newest position of its subscription. */
  #gapFrames(conn: Conn, queue: readonly QueuedMessage[]): Buffer[] {
    const out: Buffer[] = []
    for (const [subId, g] of conn.gaps) {
      if (!conn.subs.has(subId)) continue
      let position = g.position
      let seq = g.seq
      for (const m of queue) {
        if (m.sub === subId && m.position && (m.seq ?? -1) > seq) {
          seq = m.seq ?? -1
          position = m.position
        }
      }
      if (position !== null) conn.lastPosition.set(subId, position)
      out.push(conn.transport.frame('gap', gapMessage({ sub: subId, position, shed: g.shed, conflated: g.conflated }), position))
      this.#metrics.gaps.inc()
    }
    conn.gaps.clear()
    return out
  }

  #dropSlow(conn: Conn, pending: number, now: number): void {
    this.#metrics.slowDisconnects.inc()
    const blockedMs = now - (conn.blockedSince ?? now)
    const shed = conn.shedWhileBlocked
    this.#log.info({ conn: conn.id, pending, shed, blockedMs }, 'slow client dropped')
    this.kill(
      conn,
      4008,
      pending > this.#limits.maxPending
        ? `slow consumer: ${pending} messages pending`
        : shed > this.#limits.maxPending
          ? `slow consumer: ${shed} routine messages shed`
          : `slow consumer: blocked ${blockedMs} ms`,
    )
  }

  #sweepBlocked(): void {
    const now = Date.now()
    for (const conn of [...this.#blocked]) {
      if (conn.closed) {
        this.#blocked.delete(conn)
        continue
      }
      if (conn.transport.buffered() < this.#limits.maxBufferedBytes) {
        this.#dirty.add(conn)
        this.schedule()
      } else this.#flush(conn, now)
    }
    this.#countSent()
  }
}
