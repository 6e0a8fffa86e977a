// Replays for positions older than the in-memory history. Subscriptions resuming from nearby
// positions share one reader of the log: a new reader waits `gatherMs` for others to join and
// starts at the lowest of their cursors; a running reader takes any subscription whose cursor it
// has not passed yet and is at most `joinWindow` events ahead of it. Every event is decoded once
// and offered to each member, which skips what is below its own cursor. A member leaves through a
// synchronous handover to memory (ReplaySink.replayMaybeDone) once memory covers its cursor, so
// nothing falls between the log and memory; the reader stops when no member is left. The log is
// reached through `open` (feed.ts reads Kafka; tests read an array). A reader that reads nothing
// for a while (below) fails like one that breaks: its members start over from a fresh snapshot.
import type { Logger, NewswireEvent, TimerClock } from '@newswire/shared'
import type { Sub } from './model.ts'

/** One record of news.article-events (an article's version or a live story's entry event); `event` null when it is not one (skipped, the cursor moves past it). */
export interface ReplayRecord {
  offset: number
  event: NewswireEvent | null
}

export interface ReplayReader {
  start(): Promise<void>
  /** Next offset per partition, transaction markers included. */
  positions(): Iterable<[number, number]>
  close(): Promise<void>
}

export type OpenReader = (o: {
  id: number
  from: readonly number[]
  onBatch: (partition: number, records: ReplayRecord[]) => Promise<void>
  onFatal: (err: unknown) => void
}) => ReplayReader

/** What replays deliver into (the hub). */
export interface ReplaySink {
  /** One event read for a replaying subscription; false when the subscription no longer replays from the log. */
  replayEvent(sub: Sub, partition: number, offset: number, event: NewswireEvent | null): boolean
  /** The reader has read partition `p` up to `next` (markers included). */
  replayProgress(sub: Sub, partition: number, next: number): void
  /** Hands over to memory when it covers the cursor; synchronous, so nothing falls in between. */
  replayMaybeDone(sub: Sub): boolean
  /** Null when this instance's live consumer has read `offset` of `partition` (its ledger can judge the record); else resolves once it has. */
  replayReadable(partition: number, offset: number, stopped: () => boolean): Promise<void> | null
  /** Resolves when the members' connections can take more (or after `maxMs`). */
  replayWait(subs: Iterable<Sub>, maxMs?: number): Promise<void>
  replayFailed(sub: Sub, err: unknown): void
}

export interface ReplaysOptions {
  open: OpenReader
  sink: ReplaySink
  log: Logger
  /** Readers running at once (FANOUT_MAX_KAFKA_REPLAYS). */
  max: number
  /** +1 when a reader starts, -1 when it stops (metrics). */
  onReader?: (delta: number) => void
  /** How long a new reader waits for more subscriptions to join before it reads. Default 100 ms. */
  gatherMs?: number
  /** How far ahead of a running reader (events summed over partitions) a cursor may be to join it. Default 100000. */
  joinWindow?: number
  /**
   * A running reader that reads nothing (no batch, no record, no position moved) for a whole
   * `stallMs` (once or twice that since its last read), unless it waits for the live loop (which
   * has its own limit) or its members' sockets, fails (ReplayStalledError). Default 15000.
   */
  stallMs?: number
  /** The timers of that check (the hub's clock). */
  clock?: Pick<TimerClock, 'setTimeout' | 'clearTimeout'>
}

/** The default stall limit: a new replay group's join takes a few seconds (the broker's initial rebalance delay is 3 s). */
export const REPLAY_STALL_MS = 15_000

const nodeTimers: Pick<TimerClock, 'setTimeout' | 'clearTimeout'> = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
}

/**
 * A replay reader that read nothing for its stall limit. kafkajs retries a group coordinator or a
 * partition leader it cannot reach and restarts itself on retriable errors without a CRASH the
 * owner sees, so a replay could wait for good, its members out of the live stream: the kill of a
 * story a resuming reader showed never reached it (red26b attack run, 2026-12-07).
 */
export class ReplayStalledError extends Error {
  readonly code = 'replay_stalled'
  constructor(ms: number) {
    super(`the replay from Kafka read nothing for ${ms} ms`)
  }
}

interface Reader {
  id: number
  members: Set<Sub>
  /** Next offset the reader offers, per partition (its start while gathering). */
  pos: number[]
  state: 'gathering' | 'running' | 'stopped'
  reader: ReplayReader | null
  stop: () => void
}

export class LogReplays {
  readonly #o: ReplaysOptions
  readonly #readers = new Set<Reader>()
  #n = 0

  constructor(options: ReplaysOptions) {
    this.#o = options
  }

  /** Readers running or gathering. */
  get readers(): number {
    return this.#readers.size
  }

  available(): boolean {
    return this.#readers.size < this.#o.max
  }

  /**
   * Adds `sub` (state `kafka`, cursor set) to a reader near its cursor, or starts one. Returns a
   * function that takes it out (idempotent), or null when no reader can take it and `force` is
   * false and the maximum number of readers run already.
   */
  join(sub: Sub, force: boolean): (() => void) | null {
    const reader = this.#nearest(sub.cursor.o) ?? (force || this.available() ? this.#create(sub.cursor.o) : null)
    if (!reader) return null
    if (reader.state === 'gathering') {
      for (let p = 0; p < reader.pos.length; p++) reader.pos[p] = Math.min(reader.pos[p] ?? 0, sub.cursor.o[p] ?? 0)
    }
    reader.members.add(sub)
    return () => this.#leave(reader, sub)
  }

  #nearest(cursor: readonly number[]): Reader | null {
    const window = this.#o.joinWindow ?? 100_000
    let best: Reader | null = null
    let bestDistance = Number.POSITIVE_INFINITY
    for (const r of this.#readers) {
      if (r.state === 'stopped') continue
      let distance = 0
      let ok = true
      for (let p = 0; p < r.pos.length; p++) {
        const d = (cursor[p] ?? 0) - (r.pos[p] ?? 0)
        // a running reader cannot go back for a cursor it has passed
        if (d < 0 && r.state === 'running') ok = false
        distance += Math.abs(d)
      }
      if (ok && distance <= window && distance < bestDistance) {
        best = r
        bestDistance = distance
      }
    }
    return best
  }

  #leave(reader: Reader, sub: Sub): void {
    if (!reader.members.delete(sub)) return
    if (reader.members.size === 0) reader.stop()
  }

  #create(cursor: readonly number[]): Reader {
    const { log, sink } = this.#o
    const timers = this.#o.clock ?? nodeTimers
    const stallMs = this.#o.stallMs ?? REPLAY_STALL_MS
    let check: NodeJS.Timeout | null = null
    /** What it has read (batches, records, positions moved), and whether it waits for the live loop or its members' sockets. */
    let reads = 0
    let waits = false
    let watch: unknown = null
    const reader: Reader = {
      id: ++this.#n,
      members: new Set(),
      pos: [...cursor],
      state: 'gathering',
      reader: null,
      stop: () => {
        if (reader.state === 'stopped') return
        reader.state = 'stopped'
        this.#readers.delete(reader)
        this.#o.onReader?.(-1)
        if (check) clearInterval(check)
        if (watch !== null) timers.clearTimeout(watch)
        clearTimeout(gather)
        reader.reader?.close().catch((err: unknown) => log.warn({ err }, 'closing a replay reader failed'))
      },
    }
    this.#readers.add(reader)
    this.#o.onReader?.(1)
    const fail = (err: unknown) => {
      if (reader.state === 'stopped') return
      const members = [...reader.members]
      reader.members.clear()
      reader.stop()
      for (const sub of members) sink.replayFailed(sub, err)
    }
    /** Members whose cursor memory now covers leave for memory; the reader stops when none is left. */
    const handOver = () => {
      for (const sub of [...reader.members]) if (sink.replayMaybeDone(sub)) reader.members.delete(sub)
      if (reader.members.size === 0) reader.stop()
    }
    /** Fails the reader when it read nothing since `seen`, a whole stallMs ago; else looks again in stallMs. */
    const watchdog = (seen: number) => {
      watch = timers.setTimeout(() => {
        watch = null
        if (reader.state !== 'running') return
        if (reads === seen && !waits) fail(new ReplayStalledError(stallMs))
        else watchdog(reads)
      }, stallMs)
    }
    /** Waits on the live loop or the members' sockets: not a stall while it lasts. */
    const waiting = async (p: Promise<unknown>) => {
      waits = true
      try {
        await p
      } finally {
        waits = false
      }
    }
    const progress = (partition: number, next: number) => {
      if (next > (reader.pos[partition] ?? 0)) {
        reader.pos[partition] = next
        reads++
      }
      for (const sub of reader.members) sink.replayProgress(sub, partition, next)
    }
    const start = () => {
      if (reader.state !== 'gathering') return
      reader.state = 'running'
      const r = this.#o.open({
        id: reader.id,
        from: reader.pos,
        onFatal: fail,
        onBatch: async (partition, records) => {
          if (reader.state !== 'running') return
          reads++
          for (const m of records) {
            if (m.offset < (reader.pos[partition] ?? 0)) continue
            const readable = sink.replayReadable(partition, m.offset, () => reader.state !== 'running')
            if (readable) {
              try {
                await waiting(readable)
              } catch (err) {
                // the live loop is stuck: the members start over rather than wait on kafkajs' retries
                fail(err)
                return
              }
              if (reader.state !== 'running') return
            }
            reads++
            reader.pos[partition] = m.offset + 1
            for (const sub of reader.members) if (!sink.replayEvent(sub, partition, m.offset, m.event)) reader.members.delete(sub)
          }
          const last = records.at(-1)
          if (last) progress(partition, last.offset + 1)
          handOver()
          if (reader.state === 'running') await waiting(sink.replayWait(reader.members))
        },
      })
      reader.reader = r
      // Batches holding only transaction markers advance positions without records
      check = setInterval(() => {
        if (reader.state !== 'running') return
        for (const [p, next] of r.positions()) progress(p, next)
        handOver()
      }, 100)
      check.unref()
      watchdog(reads)
      r.start().catch(fail)
    }
    const gather = setTimeout(start, this.#o.gatherMs ?? 100)
    gather.unref()
    if (this.#o.gatherMs === 0) queueMicrotask(start)
    return reader
  }

  closeAll(): void {
    for (const r of [...this.#readers]) r.stop()
  }
}
