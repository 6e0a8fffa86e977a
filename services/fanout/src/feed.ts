// The fan-out's reading of Kafka: creates the topics if needed, loads the latest state of every
// article and every live-story entry from news.articles, reads the newest part of news.article-events into the store's
// history and tails it from there, and opens readers of older parts for replays. Every instance
// reads every partition itself (createTail: a group of its own that never commits).
import { connectChecked, createTail, ensureTopics, retrying } from '@newswire/shared'
import type { Admin, Codec, Kafka, KafkaConfig, Logger, NewswireEvent, PoisonRecord, Tail, TopicNames } from '@newswire/shared'
import type { OpenReader, ReplayRecord } from './replay.ts'
import { inSlices, yieldNow } from './slices.ts'
import { standsFor } from './unreadable.ts'
import { StateLoad } from './state-load.ts'
import { Store } from './store.ts'
import type { LogBounds } from './store.ts'

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
  // a wrong password or an untrusted certificate fails here, named (kafka-connect.ts)
  await connectChecked(admin, o.kafkaConfig)
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

// tests and older imports name it here
export { StateLoad } from './state-load.ts'
export type { StateRecord } from './state-load.ts'

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
