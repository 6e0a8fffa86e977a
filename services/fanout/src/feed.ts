// The fan-out's reading of Kafka: creates the topics if needed, loads the latest state of every
// article and every live-story entry from news.articles, reads the newest part of news.article-events into the store's
// history and tails it from there, and opens readers of older parts for replays. Every instance
// reads every partition itself (createTail: a group of its own that never commits).
import {
  createTail,
  EARLIER_STATUSES_HEADER,
  EARLIER_VIEWS_HEADER,
  earlierStatusesOf,
  earlierViewsOf,
  ensureTopics,
  entryStateKey,
  isEntryEvent,
  partitionOf,
  retrying,
} from '@newswire/shared'
import type {
  Admin,
  Codec,
  EarlierStatuses,
  EarlierViews,
  IHeaders,
  Kafka,
  KafkaConfig,
  Logger,
  NewswireEvent,
  PoisonRecord,
  Tail,
  TopicNames,
} from '@newswire/shared'
import type { OpenReader, ReplayRecord } from './replay.ts'
import { inSlices, yieldNow } from './slices.ts'
import { deletionOf, entryHoldOf, holdOf, killOf, standsFor } from './unreadable.ts'
import type { RecordAt, Unreadable } from './unreadable.ts'
import { Store } from './store.ts'
import type { LogBounds, Tombstone } from './store.ts'

/** Applying fetched events yields to the event loop after this much time. */
const APPLY_SLICE_MS = 10

/**
 * How often the feed asks where the log ends, to tell the store it has read up to there
 * (Store.fresh), while an embargo is due within this time or held back; otherwise every
 * FRESH_IDLE_MS: each check costs two Kafka requests (about a third of an idle process's CPU at
 * 250 ms), and the clock is only needed close to a release.
 */
const FRESH_MS = 250
const FRESH_IDLE_MS = 2000

/** How long one freshness check waits for the tail to read up to the ends it was told. */
const FRESH_WAIT_MS = 30_000

export interface FeedMetrics {
  lag(partition: number, lag: number): void
  /** An undecodable record in news.articles (counted, skipped; read again at every start, so not dead-lettered). */
  decodeErrors(err: unknown): void
  /** A news.articles record whose earlier-views or earlier-statuses header could not be read (the record is kept). */
  undecodableHeader(header: string): void
}

export interface FeedOptions {
  kafka: Kafka
  kafkaConfig: KafkaConfig
  codec: Codec
  historySize: number
  instanceId: string
  log: Logger
  /** New events (or read positions) are in the store. */
  onAppend: () => void
  onFatal: (err: unknown) => void
  /**
   * An undecodable record in news.article-events: counted, dead-lettered and skipped (poison.ts);
   * `erased`: its key was erased (read at start), so it is not copied. Must not throw.
   */
  onPoison: (record: PoisonRecord, err: unknown, erased: boolean) => void
  metrics: FeedMetrics
}

export interface Feed {
  store: Store
  topics: TopicNames
  bounds: LogBounds
  /** Readers of news.article-events from given offsets, for replays (replay.ts). */
  openReader: OpenReader
  close(): Promise<void>
}

/** Retries what fails while freshly created topics are still being propagated (retriable Kafka errors). */
export async function startFeed(o: FeedOptions): Promise<Feed> {
  const { kafka, log, codec } = o
  const admin: Admin = kafka.admin()
  await admin.connect()
  let tail: Tail | null = null
  let markers: NodeJS.Timeout | null = null
  let closed = false
  const close = async () => {
    closed = true
    if (markers) clearInterval(markers)
    const t = tail
    tail = null
    if (t) await t.close()
    await admin.disconnect()
  }
  try {
    const topics = await retrying(() => ensureTopics(admin, o.kafkaConfig, log.child({ component: 'topics' })))
    const meta = await retrying(() => admin.fetchTopicMetadata({ topics: [topics.events] }))
    const partitions = meta.topics[0]?.partitions.length ?? 0
    if (partitions === 0) throw new Error(`topic ${topics.events} has no partitions`)
    // History: the last historySize/partitions events of every partition
    const ends = await retrying(() => admin.fetchTopicOffsets(topics.events))
    const perPartition = Math.ceil(o.historySize / partitions)
    const from = new Array<number>(partitions).fill(0)
    for (const e of ends) from[e.partition] = Math.max(Number(e.low), Number(e.high) - perPartition)
    const store = new Store({ partitions, historySize: o.historySize, from })

    const t0 = performance.now()
    const loaded = await loadArticles(o, topics.articles, store)
    log.info({ articles: loaded, seconds: (performance.now() - t0) / 1000 }, 'latest state loaded from news.articles')

    const events = createTail({
      kafka,
      topic: topics.events,
      groupId: `${o.kafkaConfig.topicPrefix}newswire-fanout-${o.instanceId}`,
      log: log.child({ component: 'events-tail' }),
      from: new Map(from.map((off, p) => [p, String(off)])),
      onFatal: o.onFatal,
      onBatch: async ({ partition, messages, highWatermark }) => {
        let last = -1
        const read = () => {
          if (last >= 0) store.markRead(partition, last + 1)
        }
        // A fetch can hold thousands of events (a backlog after a pause): applied in slices, each
        // as if Kafka had fetched it alone (read up to there, then the live loop runs)
        await inSlices(
          messages,
          (m) => {
            const offset = Number(m.offset)
            last = offset
            if (m.value === null) return
            let event: NewswireEvent
            try {
              event = codec.decode(m.value)
            } catch (err) {
              const erased = m.key !== null && m.key !== undefined && store.erasedAtStart(m.key.toString('utf8'))
              o.onPoison(
                { topic: topics.events, partition, offset: m.offset, key: m.key ?? null, value: m.value, headers: m.headers },
                err,
                erased,
              )
              // it fails closed by its headers (unreadable.ts): a kill, a hold, an entry's deletion or hold
              if (m.key) store.appendUnreadable(partition, offset, m.key.toString('utf8'), standsFor(m.headers), Number(m.timestamp))
              else store.markRead(partition, offset + 1)
              return
            }
            store.append(partition, offset, event)
          },
          () => {
            read()
            o.onAppend()
          },
          { sliceMs: APPLY_SLICE_MS, now: () => performance.now(), pause: yieldNow },
        )
        read()
        if (last >= 0) o.metrics.lag(partition, Math.max(0, Number(highWatermark) - last - 1))
        o.onAppend()
      },
    })
    tail = events
    await events.start()
    const caughtUpFrom = Date.now()
    const caughtUpMono = performance.now()
    await retrying(() => events.catchUp(120_000))
    store.fresh(caughtUpFrom, caughtUpMono)
    // Batches holding only transaction markers move read positions without a record
    markers = setInterval(() => {
      let moved = false
      for (const [p, next] of events.positions()) {
        if (Number(next) > (store.readTo()[p] ?? 0)) {
          store.markRead(p, Number(next))
          moved = true
        }
      }
      if (moved) o.onAppend()
    }, 250)
    markers.unref()
    for (const [p, next] of events.positions()) store.markRead(p, Number(next))
    log.info({ partitions, history: store.history.size, from }, 'event history caught up')
    void keepFresh(
      {
        ends: async () => (await admin.fetchTopicOffsets(topics.events)).map((e) => [e.partition, BigInt(e.offset)] as const),
        waitFor: (p, end) => events.waitFor(p, end, FRESH_WAIT_MS),
        fresh: (at, mono) => {
          store.fresh(at, mono)
          o.onAppend()
        },
        monotonic: () => performance.now(),
        closed: () => closed,
        nextRelease: () => store.nextRelease(),
        log,
      },
      FRESH_MS,
      FRESH_IDLE_MS,
    )

    const offsets = async (which: 'low' | 'high') => {
      const got = await admin.fetchTopicOffsets(topics.events)
      const out = new Array<number>(partitions).fill(0)
      for (const x of got) out[x.partition] = Number(which === 'low' ? x.low : x.high)
      return out
    }
    const openReader: OpenReader = ({ id, from: start, onBatch, onFatal }) => {
      const r = createTail({
        kafka,
        topic: topics.events,
        groupId: `${o.kafkaConfig.topicPrefix}newswire-fanout-replay-${o.instanceId}-${id}`,
        log: log.child({ component: 'replay', reader: id }),
        from: new Map(start.map((off, p) => [p, String(off)])),
        maxBytesPerPartition: 256 * 1024,
        onFatal,
        onBatch: async ({ partition, messages }) => {
          const records: ReplayRecord[] = []
          for (const m of messages) {
            let event: NewswireEvent | null = null
            if (m.value !== null) {
              try {
                event = codec.decode(m.value)
              } catch (err) {
                o.metrics.decodeErrors(err)
                log.warn({ err, partition, offset: m.offset }, 'undecodable event skipped in replay')
                // what it stood for live (unreadable.ts), as the ledger knows it now
                const key = m.key?.toString('utf8')
                if (key !== undefined) event = store.replayedUnreadable(partition, Number(m.offset), key, standsFor(m.headers))
              }
            }
            records.push({ offset: Number(m.offset), event })
          }
          await onBatch(partition, records)
        },
      })
      return {
        start: () => r.start(),
        positions: () => [...r.positions()].map(([p, next]): [number, number] => [p, Number(next)]),
        close: () => r.close(),
      }
    }
    return { store, topics, bounds: { lowWatermarks: () => offsets('low'), highWatermarks: () => offsets('high') }, openReader, close }
  } catch (err) {
    await close().catch(() => undefined)
    throw err
  }
}

export interface FreshnessDeps {
  /** Where each partition of news.article-events ends now (its last stable offset). */
  ends(): Promise<(readonly [number, bigint])[]>
  /** Resolves once partition `p` is read (and applied) up to `end`. */
  waitFor(p: number, end: bigint): Promise<void>
  /** `mono`: the moment `at` by the monotonic clock, when `monotonic` is given (Store.fresh). */
  fresh(at: number, mono?: number): void
  closed(): boolean
  /**
   * The server time the next embargo not yet released falls due (Store.nextRelease), perhaps
   * passed already (held back); null: none. Absent: a check every `everyMs`.
   */
  nextRelease?(): number | null
  log: Logger
  now?: () => number
  /** A clock no step of the host's moves (performance.now): a check's moment, whatever the host clock does meanwhile. */
  monotonic?: () => number
  sleep?: (ms: number) => Promise<void>
}

/**
 * Tells the store the time as of which it has read the whole log (Store.fresh): the ends asked at
 * `t`, once read, hold every record committed before `t`. Every `everyMs` while a release is due
 * within that time (or held back), and once more just after its embargo (so it waits a Kafka round
 * trip, not a loop); after a check that failed; or once `idleMs` passed since the last that
 * worked. A check that fails (Kafka unreachable, the tail behind) tells nothing: the ledger's
 * clock waits.
 */
export async function keepFresh(d: FreshnessDeps, everyMs: number, idleMs = everyMs): Promise<void> {
  const now = d.now ?? Date.now
  const sleep = d.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  let told = Number.NEGATIVE_INFINITY
  while (!d.closed()) {
    const t = now()
    const mono = d.monotonic?.()
    const next = d.nextRelease ? d.nextRelease() : null
    // how long since the last check, by the monotonic clock when there is one: after a step back
    // the host clock would say none for the step's length, and the ledger's clock waits at the
    // last check as the clock reads it now (Store.liveClock, red20)
    if ((mono ?? t) - told >= idleMs || !d.nextRelease || (next !== null && next <= t + everyMs)) {
      try {
        const ends = await d.ends()
        await Promise.all(ends.map(([p, end]) => d.waitFor(p, end)))
        if (d.closed()) return
        d.fresh(t, mono)
        told = mono ?? t
      } catch (err) {
        if (d.closed()) return
        told = Number.NEGATIVE_INFINITY
        d.log.warn({ err }, 'could not confirm the event log is read to its end; embargo releases wait')
      }
    }
    // an embargo before the next loop: wake just past it
    const at = now()
    await sleep(next !== null && next >= at && next < at + everyMs ? next - at + 1 : everyMs)
  }
}

/** A latest state read from news.articles, with what ingest carried of its earlier versions (earlier-views.ts). */
interface Loaded {
  offset: number
  partition: number
  event: NewswireEvent
  views: EarlierViews | null
  statuses: EarlierStatuses | null
}

/**
 * `seen` replaced by `stand`, the stand-in of the news.articles record at `where` (unreadable.ts):
 * the state it replaces counts as possibly seen in its own view too (not among the earlier views
 * or statuses it carries).
 */
function replacedBy(seen: Loaded, stand: NewswireEvent, where: RecordAt): Loaded {
  const views = seen.views ? { ...seen.views, complete: false } : null
  const statuses = seen.statuses ? { ...seen.statuses, complete: false } : null
  return { ...seen, offset: where.offset, event: stand, views, statuses }
}

/**
 * An article's loaded state killed by the news.articles record at `where` (a tombstone, or an
 * undecodable kill); null for an entry's state or one killed already.
 */
function killedOver(seen: Loaded, where: RecordAt, at: number): Loaded | null {
  const kill = isEntryEvent(seen.event) ? null : killOf(seen.event, where, at)
  return kill && replacedBy(seen, kill, where)
}

/**
 * The loaded state that an undecodable news.articles record at `where` stands over `seen` as
 * (unreadable.ts); null when that changes nothing. The record's key names its state: under an
 * entry's key, anything but that entry's deletion stands as its hold.
 */
function standOver(seen: Loaded, what: Unreadable, where: RecordAt, at: number): Loaded | null {
  let stand: NewswireEvent | null
  if (!isEntryEvent(seen.event)) stand = (what.kind === 'kill' ? killOf : holdOf)(seen.event, where, at)
  else {
    const deletion = what.kind === 'entryDeleted' && what.entryId === seen.event.entry.id
    stand = (deletion ? deletionOf : entryHoldOf)(seen.event, undefined, where, at)
  }
  return stand && replacedBy(seen, stand, where)
}

/** A record of news.articles as the load reads it (a kafkajs message). */
export interface StateRecord {
  key: Buffer | null
  value: Buffer | null
  offset: string
  timestamp: string
  headers?: IHeaders
}

/**
 * The load of news.articles at start, record by record in log order (take), then into the store
 * (into): the latest state per key (an article id, or `<story>/entries/<entry>` for an entry's),
 * and the keys erased by a tombstone. Pure: no I/O.
 *
 * Records of one key are ordered only within one partition: a tombstone may sit on another
 * partition than the key's records (an operator's tool places it by the hash of its key, ingest
 * an entry's state on its story's partition), and the partitions are read in any order. A
 * tombstone on any partition erases its key, unless a record follows it on its own partition (as
 * once compaction removes it); the erasure is applied in `into`, once every partition is read,
 * so the order they were read in changes nothing. Ingest writes nothing over an erased key (409),
 * so no later write of its is hidden by this.
 */
export class StateLoad {
  readonly #o: Pick<FeedOptions, 'codec' | 'metrics' | 'log'>
  /** The latest record per key, ordered within its partition (a tombstone's kill is applied in `into`). */
  readonly #latest = new Map<string, Loaded>()
  /** Per key, the partitions whose latest record of it is a tombstone (an operator's erasure). */
  readonly #erased = new Map<string, Map<number, Tombstone>>()

  constructor(o: Pick<FeedOptions, 'codec' | 'metrics' | 'log'>) {
    this.#o = o
  }

  take(partition: number, m: StateRecord): void {
    const o = this.#o
    const latest = this.#latest
    const offset = Number(m.offset)
    const where: RecordAt = { topic: 'articles', partition, offset }
    if (m.value === null) {
      // a tombstone is a kill of the article, or the deletion of the entry its key names
      // (schemas/README.md): over a state before it not compacted away yet, that kill
      // (unreadable.ts); alone (compaction removed what was before it), an erasure all the same:
      // what history brings of it is erased at goLive (Store.erase)
      const key = m.key?.toString('utf8')
      if (key === undefined) return
      const on = this.#erased.get(key) ?? new Map<number, Tombstone>()
      this.#erased.set(key, on.set(partition, { where, at: Number(m.timestamp) }))
      return
    }
    try {
      const event = o.codec.decode(m.value)
      // An entry's latest state has a key of its own (<story>/entries/<entry>), never the story's
      const key = isEntryEvent(event) ? entryStateKey(event.article.id, event.entry.id) : event.article.id
      const seen = latest.get(key)
      if (seen !== undefined && seen.partition === partition && seen.offset > offset) return
      // a record after a tombstone on its partition is its key's latest state (as once compaction
      // removes the tombstone); a tombstone on another partition is not before it: it stands
      const on = this.#erased.get(key)
      if ((on?.get(partition)?.where.offset ?? offset) < offset) on?.delete(partition)
      // what ingest carried of earlier versions, read now: header values are slices of the
      // fetched batch, and holding them would hold every batch until the load ends
      const name = isEntryEvent(event) ? EARLIER_STATUSES_HEADER : EARLIER_VIEWS_HEADER
      const header = m.headers?.[name]
      const carried = isEntryEvent(event)
        ? { views: null, statuses: earlierStatusesOf(header) }
        : { views: earlierViewsOf(header), statuses: null }
      if (header !== undefined && carried.views === null && carried.statuses === null) {
        // read as if absent (the latest view counts as possibly public): safe, but ingest wrote what this release cannot read
        o.metrics.undecodableHeader(name)
        o.log.warn(
          { partition, offset: m.offset, header: name },
          'unreadable header in news.articles: its earlier versions count as unknown',
        )
      }
      latest.set(key, { offset, partition, event, ...carried })
    } catch (err) {
      o.metrics.decodeErrors(err)
      o.log.warn({ err, partition, offset: m.offset }, 'undecodable record in news.articles skipped')
      // what it stands for by its headers, over the state before it in its partition (not
      // compacted away yet): fails closed (unreadable.ts); after a tombstone there, the erasure stands
      const key = m.key?.toString('utf8')
      const seen = key === undefined ? undefined : latest.get(key)
      if (key === undefined || this.#erased.get(key)?.has(partition)) return
      if (seen && (seen.partition !== partition || seen.offset < offset)) {
        const over = standOver(seen, standsFor(m.headers), where, Number(m.timestamp))
        if (over) latest.set(key, over)
      }
    }
  }

  /** Into the store; returns how many states it loaded. */
  into(store: Store): number {
    const latest = this.#latest
    // Every partition read: each erased key's tombstone (on the lowest partition holding one, so
    // every instance names its kill alike) kills its article's state, deletes its entry's
    for (const [key, on] of this.#erased) {
      const tombstone = on.get(Math.min(...on.keys()))
      if (tombstone === undefined) continue
      store.erase(key, tombstone)
      const seen = latest.get(key)
      if (seen === undefined) continue
      // compaction never removes a record under a tombstone on another partition: once the
      // tombstone expires (delete.retention.ms) the record is all there is, live again
      if (!on.has(seen.partition))
        this.#o.log.warn(
          { key, tombstone: [...on.keys()], record: seen.partition },
          `an erasure in news.articles sits on another partition than its key's record: write the tombstone to partition ${seen.partition} too (deploy/README.md)`,
        )
      const killed = killedOver(seen, tombstone.where, tombstone.at)
      if (killed) latest.set(key, killed)
      else if (isEntryEvent(seen.event)) latest.delete(key)
    }
    // Stories first: an entry's state is judged with its story's
    for (const { partition, event, views } of latest.values()) if (!isEntryEvent(event)) store.load(partition, event, views)
    // An entry's state is keyed <story>/entries/<entry> in news.articles, but its events sit in its
    // story's partition of news.article-events: where its releases and catch-up clock are
    for (const { event, statuses } of latest.values())
      if (isEntryEvent(event)) store.loadEntry(partitionOf(event.article.id, store.partitions), event, statuses)
    return latest.size
  }
}

async function loadArticles(o: FeedOptions, topic: string, store: Store): Promise<number> {
  const load = new StateLoad(o)
  const tail = createTail({
    kafka: o.kafka,
    topic,
    groupId: `${o.kafkaConfig.topicPrefix}newswire-fanout-state-${o.instanceId}`,
    log: o.log.child({ component: 'articles-tail' }),
    onFatal: o.onFatal,
    onBatch: ({ partition, messages }) => {
      for (const m of messages) load.take(partition, m)
    },
  })
  try {
    await tail.start()
    await retrying(() => tail.catchUp(120_000))
  } finally {
    await tail.close()
  }
  return load.into(store)
}
