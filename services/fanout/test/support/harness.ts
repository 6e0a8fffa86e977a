// The hub in-process, without Kafka: a store fed directly, the log as an array (for replays older
// than memory), a fake clock for server time and timers, and fake transports that decode what the
// hub writes. Tests and the model-based test drive it in milliseconds.
import type { Credential } from '../../src/revocations.ts'
import type { NewswireEvent, TimerClock } from '@newswire/shared'
import { createLogger, createRegistry } from '@newswire/shared'
import type { AudienceScope } from '../../src/audience.ts'
import { unrestricted } from '../../src/audience.ts'
import { Hub } from '../../src/hub.ts'
import { createFanoutMetrics } from '../../src/metrics.ts'
import type { Conn, HubLimits, Transport } from '../../src/model.ts'
import type { EntriesRouteDeps } from '../../src/http/entries.ts'
import type { SnapshotRouteDeps } from '../../src/http/snapshot.ts'
import { PageCursorCodec } from '../../src/page-cursor.ts'
import { PositionCodec } from '../../src/position.ts'
import { sseFrame } from '../../src/messages.ts'
import type { ServerMessageType } from '../../src/messages.ts'
import type { OpenReader, ReplayRecord } from '../../src/replay.ts'
import { Store } from '../../src/store.ts'
import type { Unreadable } from '../../src/unreadable.ts'
import type { Audience } from '../../src/visibility.ts'

/** Server time and timers under the test's control. */
export class FakeClock implements TimerClock {
  #now: number
  #next = 1
  readonly #timers = new Map<number, { at: number; fn: () => void }>()
  /**
   * `monotonic`: timers run on a clock of their own, as Node's do, which a step does not move: a
   * timer set before a step fires when its delay has run, whatever the host clock reads then.
   * Otherwise a timer keeps its due time on the stepped clock.
   */
  readonly monotonic: boolean
  /** Monotonic: how far the host clock has been stepped (its reading less the timers' clock). */
  #off = 0

  constructor(now: number, monotonic = false) {
    this.#now = now
    this.monotonic = monotonic
  }

  now(): number {
    return this.#now
  }

  setTimeout(fn: () => void, ms: number): unknown {
    if (!(ms >= 0 && ms <= 2 ** 31 - 1)) throw new RangeError(`timer delay out of range: ${ms}`)
    const id = this.#next++
    this.#timers.set(id, { at: this.#now - this.#off + ms, fn })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number)
  }

  /** The timers' clock (monotonic: a step does not move it; else the host clock), ms. */
  monotonicNow(): number {
    return this.#now - this.#off
  }

  get pending(): number {
    return this.#timers.size
  }

  /**
   * The host's clock steps (an NTP step, forwards or back) without time passing: no timer fires.
   * (Real timers are monotonic, as with `monotonic`; else a timer keeps its due time on the stepped clock.)
   */
  step(ms: number): void {
    this.#now += ms
    if (this.monotonic) this.#off += ms
  }

  /** Moves time forward, firing due timers in time order. */
  advance(ms: number): void {
    const until = this.#now - this.#off + ms
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | null = null
      for (const t of this.#timers) if (t[1].at <= until && (due === null || t[1].at < due[1].at)) due = t
      if (due === null) break
      this.#timers.delete(due[0])
      this.#now = Math.max(this.#now, due[1].at + this.#off)
      due[1].fn()
    }
    this.#now = until + this.#off
  }
}

export type Message = Record<string, unknown> & { type: string }

/** Server time each frame was made at, by whichever connection's transport framed it (frames are shared). */
const framedTimes = new WeakMap<Buffer, number>()

/** A client connection: the messages the hub wrote to it, decoded, and how it was closed. */
export class FakeTransport implements Transport {
  /** `sse`: frames as /v1/sse writes them (messages.ts sseFrame), read back as an EventSource reads them. */
  readonly kind: 'ws' | 'sse'
  readonly messages: Message[] = []
  /** SSE: each message's `id:` line (a position), null when it had none; what a browser sends back as Last-Event-ID. */
  readonly ids: (string | null)[] = []
  /** Server time each message was written at. */
  readonly at: number[] = []
  /** Server time each message was framed at: what it says was decided then (a slow socket writes it later). */
  readonly framedAt: number[] = []
  /** Whether each message came in a broadcast group's shared write (the only kind a transport may compress). */
  readonly group: boolean[] = []
  /**
   * What the process had read of each partition when it made each message (with `read`): when it
   * framed it here, else (a frame shared with other connections) when it wrote it.
   */
  readonly readTo: (readonly number[])[] = []
  readonly #clock: { now(): number }
  readonly #read: (() => readonly number[]) | null
  readonly #framedAt = new WeakMap<Buffer, readonly number[]>()

  constructor(clock: { now(): number }, read: (() => readonly number[]) | null = null, kind: 'ws' | 'sse' = 'ws') {
    this.#clock = clock
    this.#read = read
    this.kind = kind
  }
  closed: { code: number; reason: string } | null = null
  /** Bytes the socket pretends it could not send yet (slow clients). */
  backlog = 0
  /** What `framedAt` reads (the host clock unless set): a model's server time, the latest of its processes' clocks. */
  serverTime: (() => number) | null = null

  buffered(): number {
    return this.backlog
  }

  frame(type: ServerMessageType, json: string, position: string | null = null): Buffer {
    const b = this.kind === 'sse' ? sseFrame(type, json, position) : Buffer.from(json)
    if (this.#read) this.#framedAt.set(b, [...this.#read()])
    framedTimes.set(b, this.serverTime?.() ?? this.#clock.now())
    return b
  }

  write(frames: Buffer[], group = false): number {
    if (this.closed) throw new Error('write after close')
    let bytes = 0
    for (const f of frames) {
      bytes += f.length
      const { id, data } = this.kind === 'sse' ? readSse(f.toString('utf8')) : { id: null, data: f.toString('utf8') }
      this.messages.push(JSON.parse(data) as Message)
      this.ids.push(id)
      this.at.push(this.#clock.now())
      this.framedAt.push(framedTimes.get(f) ?? this.serverTime?.() ?? this.#clock.now())
      this.group.push(group)
      if (this.#read) this.readTo.push(this.#framedAt.get(f) ?? [...this.#read()])
    }
    return bytes
  }

  close(code: number, reason: string): void {
    this.closed ??= { code, reason }
  }
}

/** One SSE event as an EventSource reads it: its `id:` (null: none) and its one `data:` line; throws on anything else. */
function readSse(text: string): { id: string | null; data: string } {
  let id: string | null = null
  let data: string | null = null
  if (!text.endsWith('\n\n')) throw new Error(`an SSE event not ended by a blank line: ${JSON.stringify(text)}`)
  for (const line of text.slice(0, -2).split('\n')) {
    if (line.startsWith('id: ')) id = line.slice(4)
    else if (line.startsWith('data: ') && data === null) data = line.slice(6)
    else if (!line.startsWith('event: ')) throw new Error(`an SSE line an EventSource would misread: ${JSON.stringify(line)}`)
  }
  if (data === null) throw new Error(`an SSE event without data: ${JSON.stringify(text)}`)
  return { id, data }
}

export const defaultLimits: HubLimits = {
  maxSubscriptionsPerConnection: 20,
  maxBufferedBytes: 1024 * 1024,
  maxPending: 1000,
  slowClientMs: 10_000,
  snapshotSize: 50,
  maxSubscribesPer10s: 100,
  resumeRate: 1_000_000,
  resumeQueue: 1000,
}

export const POSITION_KEY = 'test-position-key-16+'

export interface HarnessOptions {
  partitions?: number
  historySize?: number
  limits?: Partial<HubLimits>
  start?: number
  /** Per partition, where history starts (a restarted instance: older events only in the log). */
  from?: readonly number[]
  /** Replays from the log that may run at once (4). */
  maxReplays?: number
  /** Kafka trouble: reading the log breaks (`read`), or even its start offsets cannot be had (`offsets`). */
  kafkaFails?: 'read' | 'offsets'
  /** Per partition, the log's first offset: retention deleted what lies before it (0). */
  low?: readonly number[]
  /**
   * Passes settle() gives the hub while it stays busy (50). A resume from a position ahead of the
   * clock keeps it busy until the clock gets there: a model stepping the clock spends less.
   */
  settleRounds?: number
  /** The keys positions are signed (the first) and verified with ([POSITION_KEY]): a key rotation rolling out. */
  positionKeys?: readonly string[]
  /**
   * The feed's freshness (feed.ts keepFresh): the ledger's clock stops where the log was last known
   * read to its end; each settle() that finds every partition read up to the log's end says so now.
   * Off: the ledger's clock is the host's (Store.liveClock), as before the red14 fix.
   */
  fresh?: boolean
  /** Timers run on a monotonic clock a step of the host clock does not move (FakeClock `monotonic`), as Node's do. */
  monotonicTimers?: boolean
}

export class Harness {
  readonly clock: FakeClock
  readonly store: Store
  readonly hub: Hub
  readonly metrics: ReturnType<typeof createFanoutMetrics>
  readonly positions: PositionCodec
  readonly cursors = new PageCursorCodec([POSITION_KEY])
  /** What the snapshot routes read (http/snapshot.ts answerPage, answerCounts), over this hub. */
  routeDeps(defaultLimit: number, maxScan?: number): SnapshotRouteDeps {
    return {
      store: this.store,
      head: (who) => (who ? this.hub.headAt(who) : this.hub.head()),
      cursors: this.cursors,
      positions: this.positions,
      defaultLimit,
      now: () => this.clock.now(),
      maxScan,
    }
  }
  /** What GET /v1/stories/<id>/entries reads (http/entries.ts answerEntries), over this hub. */
  get entriesDeps(): EntriesRouteDeps {
    return {
      store: this.store,
      head: (who) => (who ? this.hub.headAt(who) : this.hub.head()),
      positions: this.positions,
      now: () => this.clock.now(),
    }
  }
  /** The whole log, per partition: what Kafka would still hold. */
  readonly log: NewswireEvent[][]
  /** Records of the log nobody can decode (`p:offset`: their key and what their headers say); the log holds a placeholder. */
  readonly unreadable = new Map<string, { key: string; what: Unreadable }>()
  readonly partitions: number
  readonly #settleRounds: number
  readonly #fresh: boolean
  /** The next replay reader to read more than this many records of a partition at once delivers that many, then fails (null: none). */
  kafkaBreak: number | null = null
  /** Replays broken by `kafkaBreak`. */
  kafkaBroke = 0
  /** The next replay reader opened reads nothing, ever, and reports no failure (a fetch that hangs). */
  kafkaStall = false
  /** Replay readers opened stalled by `kafkaStall`. */
  kafkaStalled = 0
  /** Stalled replay readers not closed yet: the hub stays busy while they hold their members, and settle() gives it a few passes only. */
  #stalledOpen = 0
  /** With `fresh`: the feed's freshness check stalls (Kafka's admin slow or failing), so settle() tells the store nothing. */
  stalled = false

  constructor(o: HarnessOptions = {}) {
    this.#fresh = o.fresh === true
    this.partitions = o.partitions ?? 2
    this.positions = new PositionCodec(o.positionKeys ?? [POSITION_KEY])
    this.#settleRounds = o.settleRounds ?? 50
    this.clock = new FakeClock(o.start ?? 1_800_000_000_000, o.monotonicTimers === true)
    this.log = Array.from({ length: this.partitions }, () => [])
    this.store = new Store({
      partitions: this.partitions,
      historySize: o.historySize ?? 1000,
      ...(o.from ? { from: o.from } : {}),
      now: () => this.clock.now(),
      monotonic: () => this.clock.monotonicNow(),
    })
    // as startFeed does before the hub goes live (the log read to its end at start): a release clock
    // never falls back to the host's, which a check completing late would then take back (red16)
    if (this.#fresh) this.store.fresh(this.clock.now())
    const registry = createRegistry('test')
    this.metrics = createFanoutMetrics(registry)
    const openReader: OpenReader = ({ from, onBatch, onFatal }) => {
      let stopped = false
      let pumping = false
      let tail: NodeJS.Timeout | undefined
      // a position before the log's start reads from its start, as a consumer's offset reset does
      const read = Array.from({ length: this.partitions }, (_, p) => Math.max(from[p] ?? 0, o.low?.[p] ?? 0))
      // a reader that stalls: it joins and fetches nothing for good (kafkajs retrying a coordinator or leader it cannot reach)
      const stall = this.kafkaStall
      this.kafkaStall = false
      if (stall) {
        this.kafkaStalled++
        this.#stalledOpen++
      }
      // reads what the log holds past its position, as a consumer's fetch does, then keeps tailing it
      const pump = async () => {
        if (pumping || stall) return
        pumping = true
        try {
          for (let p = 0; p < this.partitions && !stopped; p++) {
            const records: ReplayRecord[] = []
            const log = this.log[p] as NewswireEvent[]
            const end = log.length
            for (let off = read[p] as number; off < end; off++) {
              // an undecodable record reads as feed.ts's replay reads it
              const bad = this.unreadable.get(`${p}:${off}`)
              const event = bad ? this.store.replayedUnreadable(p, off, bad.key, bad.what) : (log[off] as NewswireEvent)
              records.push({ offset: off, event })
            }
            // a replay that breaks midway (a broker gone, a fetch timed out): what it read is delivered, then it fails
            const breakAt = this.kafkaBreak
            if (breakAt !== null && records.length > breakAt) {
              this.kafkaBreak = null
              this.kafkaBroke++
              if (breakAt > 0) await onBatch(p, records.slice(0, breakAt))
              throw new Error('the broker went away midway through a replay')
            }
            if (records.length > 0) await onBatch(p, records)
            // as kafkajs reports it (END_BATCH_PROCESS): a batch's position moves once the batch was handled
            read[p] = end
          }
        } finally {
          pumping = false
        }
      }
      return {
        start: async () => {
          if (o.kafkaFails === 'read') throw new Error('the broker went away')
          await pump()
          // closed while it read (every member left): a tail set now would pump for good, and each
          // such reader left behind slowed every later run of a model (red25b)
          if (stopped) return
          tail = setInterval(() => pump().catch(onFatal), 5)
          tail.unref()
        },
        positions: () => read.map((n, p): [number, number] => [p, n]),
        close: async () => {
          if (stall && !stopped) this.#stalledOpen--
          stopped = true
          clearInterval(tail)
        },
      }
    }
    this.hub = new Hub({
      store: this.store,
      limits: { ...defaultLimits, ...o.limits },
      metrics: this.metrics,
      log: createLogger('hub-test', 'silent'),
      positions: this.positions,
      cursors: this.cursors,
      bounds: {
        lowWatermarks: async () => {
          if (o.kafkaFails === 'offsets') throw new Error('no broker answers')
          return Array.from({ length: this.partitions }, (_, p) => o.low?.[p] ?? 0)
        },
        // one admin call gets either (feed.ts offsets): the broker's trouble takes both
        highWatermarks: async () => {
          if (o.kafkaFails === 'offsets') throw new Error('no broker answers')
          return this.log.map((l) => l.length)
        },
      },
      openReader,
      maxReplays: o.maxReplays ?? 4,
      replayGatherMs: 0,
      clock: this.clock,
      random: () => 0.5,
    })
  }

  /** Appends an event to the log and to the store, as the feed would. */
  append(event: NewswireEvent, partition = this.partitionOf(event.article.id)): void {
    const log = this.log[partition] as NewswireEvent[]
    log.push(event)
    this.store.append(partition, log.length - 1, event)
    this.hub.schedule()
  }

  /**
   * Puts a record in the log without this process's consumer reading it (Kafka has it; a process
   * behind another has not read it yet): readOn reads it.
   */
  inKafka(event: NewswireEvent, partition = this.partitionOf(event.article.id)): void {
    ;(this.log[partition] as NewswireEvent[]).push(event)
  }

  /** The consumer reads on: up to `n` more records of `partition` past what the store has read (readable ones, from inKafka). */
  readOn(partition: number, n = Number.POSITIVE_INFINITY): void {
    const log = this.log[partition] as NewswireEvent[]
    const from = this.store.readTo()[partition] ?? 0
    for (let off = from; off < Math.min(log.length, from + n); off++) this.store.append(partition, off, log[off] as NewswireEvent)
    this.hub.schedule()
  }

  /**
   * Reads on every partition the records ingested at or before `due`, in log order (a process that
   * lags another by under a minute, as the race allowance assumes, has read what is that old).
   */
  readIngestedBy(due: number): void {
    for (const [partition, log] of this.log.entries()) {
      const from = this.store.readTo()[partition] ?? 0
      let n = 0
      while (from + n < log.length && (log[from + n] as NewswireEvent).ingestedAt <= due) n++
      this.readOn(partition, n)
    }
  }

  /** Appends a record of article `key` nobody can decode (its headers say `what`), as the feed would meet it. */
  appendUnreadable(key: string, what: Unreadable, at = this.clock.now(), partition = this.partitionOf(key)): void {
    const log = this.log[partition] as NewswireEvent[]
    const offset = log.length
    // its place in the log; what a replay reads there is what the store makes of it
    log.push(log[offset - 1] as NewswireEvent)
    this.unreadable.set(`${partition}:${offset}`, { key, what })
    this.store.appendUnreadable(partition, offset, key, what, at)
    this.hub.schedule()
  }

  partitionOf(id: string): number {
    let h = 0
    for (const c of id) h = (h * 31 + (c.codePointAt(0) ?? 0)) >>> 0
    return h % this.partitions
  }

  start(): void {
    this.hub.start()
  }

  connect(
    audience: Audience = 'public',
    scope: AudienceScope = unrestricted,
    expiresAt: number | null = null,
    credential: Credential | null = null,
  ): { conn: Conn; t: FakeTransport } {
    const t = new FakeTransport(this.clock, () => this.store.readTo())
    return { conn: this.hub.conns.add(audience, t, scope, expiresAt, credential), t }
  }

  /** A /v1/sse stream's connection (its subscription comes from its URL: http/sse.ts sseSubscription). */
  connectSse(
    audience: Audience = 'public',
    scope: AudienceScope = unrestricted,
    expiresAt: number | null = null,
    credential: Credential | null = null,
  ): { conn: Conn; t: FakeTransport } {
    const t = new FakeTransport(this.clock, () => this.store.readTo(), 'sse')
    return { conn: this.hub.conns.add(audience, t, scope, expiresAt, credential), t }
  }

  /** Lets the hub run until nothing is left to do (including replays and their readers). */
  async settle(): Promise<void> {
    if (this.#fresh && !this.stalled && this.log.every((l, p) => (this.store.readTo()[p] ?? 0) >= l.length))
      this.store.fresh(this.clock.now())
    const rounds = this.#stalledOpen > 0 ? Math.min(5, this.#settleRounds) : this.#settleRounds
    for (let i = 0; i < rounds; i++) {
      this.hub.schedule()
      await this.hub.idle()
      await new Promise((r) => setImmediate(r))
      await new Promise((r) => setTimeout(r, 0))
      if (!this.hub.busy) return
    }
  }

  /** Advances server time and lets the hub react. */
  async tick(ms: number): Promise<void> {
    this.clock.advance(ms)
    await this.settle()
  }
}

/**
 * Two processes over one log (the workers of FANOUT_WORKERS, instances behind a balancer), started:
 * what is appended reaches both, except that while `lagging` B's consumer leaves it in Kafka.
 */
export function processPair(o: HarnessOptions = {}) {
  const a = new Harness(o)
  const b = new Harness(o)
  a.start()
  b.start()
  const pair = {
    a,
    b,
    lagging: false,
    clock: a.clock,
    append(e: NewswireEvent, partition?: number): void {
      a.append(e, partition)
      if (pair.lagging) b.inKafka(e, partition)
      else b.append(e, partition)
    },
  }
  return pair
}
