// Owns connections, subscriptions and delivery. One live loop per tick: embargo releases up to
// now, then every new event once — serialized once, framed once per (transport, subscription id,
// channel), queued to each matching live subscription — then one write per connection, in
// chunks so the event loop never stalls. Subscriptions resuming from an older position follow
// their own cursor (memory, else Kafka via replay.ts) and join the live loop when they reach it.
import type { Logger } from '@newswire/shared'
import type { Channel, Filter } from './channels.ts'
import { indexKeysOf, indexKeysOfChannels, matchChannel, passesTickerFilter } from './channels.ts'
import type { Entry } from './history.ts'
import type { ServerMessageType, SnapshotItem } from './messages.ts'
import {
  errorMessage,
  eventJson,
  eventMessage,
  pongMessage,
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
import type { QueuedMessage } from './queue.ts'
import { conflate, slowVerdict } from './queue.ts'
import type { KafkaReplays } from './replay.ts'
import type { Release, Store } from './store.ts'
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
  close(code: number, reason: string): void
}

export interface HubLimits {
  maxSubscriptionsPerConnection: number
  maxBufferedBytes: number
  maxPending: number
  slowClientMs: number
  snapshotSize: number
  maxSubscribesPer10s: number
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
}

const CHUNK = 1000
const SLICE_MS = 20
const REPLAY_STEP = 2000

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

  constructor(store: Store, limits: HubLimits, metrics: FanoutMetrics, log: Logger) {
    this.#store = store
    this.#limits = limits
    this.#metrics = metrics
    this.#log = log
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

  addConnection(audience: Audience, transport: Transport): Conn {
    const conn: Conn = {
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
  kill(conn: Conn, code: number, reason: string): void {
    if (conn.closed) return
    this.removeConnection(conn)
    conn.transport.close(code, reason)
  }

  /** Queues a control message (never conflated) and flushes it soon. */
  sendControl(conn: Conn, type: ServerMessageType, json: string, position: string | null = null): void {
    if (conn.closed) return
    conn.pending.push({ key: null, data: conn.transport.frame(type, json, position) })
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
      )
      this.#goLive(sub)
      return sub
    }
    if (since.o.length !== this.#store.partitions) {
      this.#reset(sub, 'the position was made for a different partition count')
      return sub
    }
    sub.cursor = { o: [...since.o], t: since.t, ...(since.r ? { r: since.r } : {}) }
    const position = encodePosition(since)
    if (this.#store.history.covers(since.o)) {
      this.#metrics.replays.inc({ source: 'memory' })
      this.sendControl(conn, 'subscribed', subscribedMessage({ sub: id, channels, position, replay: 'memory' }, []), position)
      sub.state = 'memory'
      this.#replaying.add(sub)
      this.schedule()
      return sub
    }
    this.#startKafkaReplay(sub, channels, position)
    return sub
  }

  #startKafkaReplay(sub: Sub, channels: string[], position: string): void {
    const replays = this.#replays
    this.#store.lowWatermarks().then(
      (low) => {
        if (sub.state === 'gone') return
        if (!offsetsAtLeast(sub.cursor.o, low)) {
          this.#reset(sub, 'the position is older than the retention of news.article-events')
          return
        }
        if (!replays?.available()) {
          this.#failSub(
            sub,
            new ProtocolError('replay_unavailable', 'too many replays from Kafka right now; retry in a few seconds', sub.id),
          )
          return
        }
        this.#metrics.replays.inc({ source: 'kafka' })
        this.sendControl(sub.conn, 'subscribed', subscribedMessage({ sub: sub.id, channels, position, replay: 'kafka' }, []), position)
        sub.state = 'kafka'
        // Releases up to now for what the cursor has passed, then events from Kafka at this watermark
        this.#stepReleases(sub)
        sub.stopReplay = replays.start(sub)
      },
      (err: unknown) => {
        this.#log.warn({ err }, 'could not read log start offsets for a replay')
        this.#failSub(sub, new ProtocolError('replay_unavailable', 'Kafka is not reachable for a replay; retry later', sub.id))
      },
    )
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
    this.sendControl(sub.conn, 'reset', resetMessage({ sub: sub.id, channels, position, reason }, this.#snapshot(sub)), position)
    this.#goLive(sub)
  }

  #kindsOf(sub: Sub): string[] {
    return sub.channels.length === 0 ? ['filter'] : [...new Set(sub.channels.map((c) => c.kind))]
  }

  #goLive(sub: Sub): void {
    this.#replaying.delete(sub)
    sub.state = 'live'
    sub.cursor = { o: [], t: 0 }
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
    const t = this.#headT
    for (let seq = this.#liveSeq - 1; seq >= h.firstSeq && out.length < n; seq--) {
      const e = h.get(seq) as Entry
      const id = e.event.article.id
      if (seen.has(id)) continue
      seen.add(id)
      if (!this.#snapshotVisible(audience, e.event.type, e.event.article, t)) continue
      if (matchChannel(sub.channels, sub.filter, e.event.article) === null) continue
      out.push({ embargoed: audience === 'newsroom' && isEmbargoed(e.event.article, t), text: this.#store.entryText(e, eventJson) })
    }
    if (out.length < n) {
      const older = []
      for (const s of this.#store.olderStates()) {
        const a = s.event.article
        if (seen.has(a.id) || !this.#snapshotVisible(audience, s.event.type, a, t)) continue
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

  #snapshotVisible(audience: Audience, type: string, a: Entry['event']['article'], t: number): boolean {
    if (type === 'WITHDRAWN' || a.pubStatus === 'canceled') return false
    return audience === 'newsroom' || publicVisible(a, t)
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

  async #run(): Promise<void> {
    do {
      this.#again = false
      if (!this.#started) break
      let slice = performance.now()
      const now = Date.now()
      if (now > this.#headT) {
        for (const r of this.#store.releases(this.#headT, undefined, now)) this.#deliverReleaseLive(r)
        this.#headT = now
      }
      const h = this.#store.history
      if (this.#liveSeq < h.firstSeq) this.#liveFellBehind()
      const end = h.nextSeq
      while (this.#liveSeq < end) {
        const e = h.get(this.#liveSeq) as Entry
        this.#liveSeq++
        this.#deliverEntryLive(e)
        e.text = null
        if (performance.now() - slice > SLICE_MS) {
          await this.#flushDirty()
          await yieldNow()
          slice = performance.now()
        }
      }
      if (this.#liveSeq === h.nextSeq) {
        const readTo = this.#store.readTo()
        for (let p = 0; p < readTo.length; p++) if ((readTo[p] as number) > (this.#headO[p] ?? 0)) this.#headO[p] = readTo[p] as number
      }
      const stepped: Sub[] = []
      for (const sub of [...this.#replaying]) {
        if (sub.state === 'memory' && this.#stepMemory(sub)) stepped.push(sub)
        if (performance.now() - slice > SLICE_MS) {
          await this.#flushDirty()
          await yieldNow()
          slice = performance.now()
        }
      }
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
        sub.stopReplay = this.#replays?.start(sub) ?? null
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

  #deliverEntryLive(e: Entry): void {
    const p = e.partition
    const a = e.event.article
    const keys = indexKeysOf(a)
    if (e.prevPublic && (e.prevPublic.category !== a.category || e.prevPublic.language !== a.language))
      keys.push(...indexKeysOf(e.prevPublic))
    const subs = this.#candidates(keys, e.seq)
    this.#headO[p] = Math.max(this.#headO[p] ?? 0, e.offset + 1)
    if (subs.length === 0) return
    const decisions: Partial<Record<Audience, Delivery | null>> = {}
    const frames = new Map<string, Buffer>()
    let position: string | null = null
    let delivered = false
    for (const sub of subs) {
      const audience = sub.conn.audience
      if (!(audience in decisions)) decisions[audience] = decideDelivery(audience, e.event, e.prevPublic, this.#headT)
      const d = decisions[audience]
      if (!d) continue
      const channel = matchChannel(sub.channels, sub.filter, d.match)
      if (channel === null || (d.kind === 'event' && !passesTickerFilter(sub.filter, e.event))) continue
      position ??= encodePosition({ o: this.#headO, t: this.#headT })
      const key = `${sub.conn.transport.kind}|${audience}|${sub.id}|${channel}`
      let frame = frames.get(key)
      if (!frame) {
        frame = this.#frameFor(sub, e, d, channel, position)
        if (frames.size < 256) frames.set(key, frame)
      }
      this.#enqueue(sub.conn, a.id, frame)
      delivered = true
    }
    if (delivered) this.#latencies.push(e.event.ingestedAt)
  }

  #frameFor(sub: Sub, e: Entry, d: Delivery, channel: string, position: string): Buffer {
    const a = e.event.article
    if (d.kind === 'withdrawn') {
      const json = withdrawnMessage({ sub: sub.id, channel, position, articleId: a.id, version: a.version, reason: d.reason })
      return sub.conn.transport.frame('withdrawn', json, position)
    }
    const json = eventMessage({ sub: sub.id, channel, position, embargoed: d.embargoed }, this.#store.entryText(e, eventJson))
    return sub.conn.transport.frame('event', json, position)
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
      if (sub.conn.audience !== 'public') continue
      const channel = matchChannel(sub.channels, sub.filter, a)
      if (channel === null) continue
      position ??= encodePosition({ o: this.#headO, t: r.at, r: [r.partition, r.offset] })
      text ??= s.text ?? eventJson(s.event)
      const json = eventMessage({ sub: sub.id, channel, position, released: true }, text)
      this.#enqueue(sub.conn, a.id, sub.conn.transport.frame('event', json, position))
    }
  }

  #enqueue(conn: Conn, key: string | null, data: Buffer): void {
    if (conn.closed) return
    conn.pending.push({ key, data })
    this.#dirty.add(conn)
  }

  // ---- cursors (resume) ---------------------------------------------------------------------

  /** Embargo releases between the cursor's watermark and the live one, for events the cursor has passed. */
  #stepReleases(sub: Sub): void {
    const c = sub.cursor
    if (c.t > this.#headT || (c.t === this.#headT && !c.r)) return
    for (const r of this.#store.releases(c.t, c.r, this.#headT)) {
      if (r.offset >= (c.o[r.partition] ?? 0)) continue
      const s = this.#releasable(r)
      if (!s || sub.conn.audience !== 'public') continue
      const channel = matchChannel(sub.channels, sub.filter, s.event.article)
      if (channel === null) continue
      const position = encodePosition({ o: c.o, t: r.at, r: [r.partition, r.offset] })
      s.text ??= eventJson(s.event)
      const json = eventMessage({ sub: sub.id, channel, position, released: true }, s.text)
      this.#enqueue(sub.conn, s.event.article.id, sub.conn.transport.frame('event', json, position))
    }
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
      sub.stopReplay = this.#replays?.start(sub) ?? null
      return false
    }
    let seq = h.startSeq(c.o)
    let n = 0
    while (seq < this.#liveSeq && n < REPLAY_STEP) {
      const e = h.get(seq) as Entry
      seq++
      n++
      if (e.offset < (c.o[e.partition] ?? 0)) continue
      c.o[e.partition] = e.offset + 1
      this.#deliverToCursor(sub, e.event, e.prevPublic, e.event.article.id, () => this.#store.entryText(e, eventJson))
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
  #deliverToCursor(sub: Sub, event: Entry['event'], prevPublic: Entry['prevPublic'], articleId: string, text: () => string): void {
    const c = sub.cursor
    const d = decideDelivery(sub.conn.audience, event, prevPublic, c.t)
    if (!d) return
    const channel = matchChannel(sub.channels, sub.filter, d.match)
    if (channel === null || (d.kind === 'event' && !passesTickerFilter(sub.filter, event))) return
    const position = encodePosition({ o: c.o, t: c.t })
    const a = event.article
    const json =
      d.kind === 'withdrawn'
        ? withdrawnMessage({ sub: sub.id, channel, position, articleId: a.id, version: a.version, reason: d.reason })
        : eventMessage({ sub: sub.id, channel, position, embargoed: d.embargoed }, text())
    this.#enqueue(sub.conn, articleId, sub.conn.transport.frame(d.kind, json, position))
  }

  // ---- used by replay.ts --------------------------------------------------------------------

  /** One event read from Kafka for a replaying subscription; false when the subscription is gone. */
  replayEvent(sub: Sub, partition: number, offset: number, event: Entry['event']): boolean {
    if (sub.state !== 'kafka') return false
    const c = sub.cursor
    if (offset < (c.o[partition] ?? 0)) return true
    c.o[partition] = offset + 1
    // Earlier versions are not at hand here: a withdrawal is sent (undefined = maybe seen)
    this.#deliverToCursor(sub, event, undefined, event.article.id, () => eventJson(event))
    this.#dirty.add(sub.conn)
    return true
  }

  /** The Kafka reader has read partition `p` up to `next` (markers included). */
  replayProgress(sub: Sub, partition: number, next: number): void {
    if (sub.state !== 'kafka') return
    const c = sub.cursor
    if (next > (c.o[partition] ?? 0)) c.o[partition] = next
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

  /** Resolves when a replaying subscription's connection can take more (or is gone). */
  async replayWait(sub: Sub): Promise<void> {
    this.schedule()
    while (sub.state === 'kafka' && !this.#canTakeMore(sub.conn)) await new Promise((r) => setTimeout(r, 10))
  }

  replayFailed(sub: Sub, err: unknown): void {
    this.#log.warn({ err }, 'Kafka replay failed')
    this.#failSub(sub, new ProtocolError('replay_unavailable', 'the replay from Kafka failed; resume again', sub.id))
  }

  // ---- writing ------------------------------------------------------------------------------

  async #flushDirty(): Promise<void> {
    if (this.#dirty.size === 0) return
    const conns = [...this.#dirty]
    this.#dirty.clear()
    const now = Date.now()
    for (let i = 0; i < conns.length; i++) {
      this.#flush(conns[i] as Conn, now)
      if (i % CHUNK === CHUNK - 1) await yieldNow()
    }
  }

  #flush(conn: Conn, now: number): void {
    if (conn.closed || conn.pending.length === 0) return
    const buffered = conn.transport.buffered()
    if (buffered < this.#limits.maxBufferedBytes) {
      const frames = conn.pending
      conn.pending = []
      conn.blockedSince = null
      this.#blocked.delete(conn)
      let bytes = 0
      for (const f of frames) bytes += f.data.length
      conn.transport.write(frames.map((f) => f.data))
      const transport = conn.transport.kind === 'sse' ? 'sse' : 'ws'
      this.#metrics.messages.inc({ transport }, frames.length)
      this.#metrics.bytes.inc({ transport }, bytes)
      return
    }
    const { queue, dropped } = conflate(conn.pending)
    conn.pending = queue
    if (dropped > 0) this.#metrics.conflated.inc(dropped)
    conn.blockedSince ??= now
    this.#blocked.add(conn)
    if (slowVerdict(buffered, queue.length, conn.blockedSince, now, this.#limits) === 'drop') this.#dropSlow(conn, queue.length, now)
  }

  #dropSlow(conn: Conn, pending: number, now: number): void {
    this.#metrics.slowDisconnects.inc()
    const blockedMs = now - (conn.blockedSince ?? now)
    this.#log.info({ conn: conn.id, pending, blockedMs }, 'slow client dropped')
    this.kill(
      conn,
      4008,
      pending > this.#limits.maxPending ? `slow consumer: ${pending} messages pending` : `slow consumer: blocked ${blockedMs} ms`,
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
  }
}
