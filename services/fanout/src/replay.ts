// Replays from Kafka for positions older than the in-memory history. Subscriptions resuming from
// nearby positions share one reader (a tail of its own): a new reader waits `gatherMs` for others
// to join and starts at the lowest of their cursors; a running reader takes any subscription whose
// cursor it has not passed yet and is at most `joinWindow` events ahead of it. Every event is
// decoded once and offered to each member, which skips what is below its own cursor. A member
// leaves through a synchronous handover to memory (hub.replayMaybeDone) once memory covers its
// cursor, so nothing falls between Kafka and memory; the reader stops when no member is left.
import { createCodec, createTail, loadSchemas } from '@newswire/shared'
import type { ArticleEvent, Logger, Tail } from '@newswire/shared'
import type { Kafka } from 'kafkajs'
import type { Hub, Sub } from './hub.ts'

export interface KafkaReplaysOptions {
  kafka: Kafka
  topic: string
  groupPrefix: string
  log: Logger
  /** Readers running at once (FANOUT_MAX_KAFKA_REPLAYS). */
  max: number
  onDecodeError: (err: unknown) => void
  /** +1 when a reader starts, -1 when it stops (metrics). */
  onReader?: (delta: number) => void
  /** How long a new reader waits for more subscriptions to join before it reads. Default 100 ms. */
  gatherMs?: number
  /** How far ahead of a running reader (events summed over partitions) a cursor may be to join it. Default 100000. */
  joinWindow?: number
}

interface Reader {
  id: number
  members: Set<Sub>
  /** Next offset the reader offers, per partition (its start while gathering). */
  pos: number[]
  state: 'gathering' | 'running' | 'stopped'
  tail: Tail | null
  stop: () => void
}

export class KafkaReplays {
  readonly #o: KafkaReplaysOptions
  readonly #codec = createCodec(loadSchemas())
  readonly #readers = new Set<Reader>()
  #hub: Hub | null = null
  #n = 0

  constructor(options: KafkaReplaysOptions) {
    this.#o = options
  }

  attach(hub: Hub): void {
    this.#hub = hub
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
   * false and FANOUT_MAX_KAFKA_REPLAYS readers run already.
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
    const hub = this.#hub
    if (!hub) throw new Error('replays not attached to a hub')
    const { log } = this.#o
    let check: NodeJS.Timeout | null = null
    const reader: Reader = {
      id: ++this.#n,
      members: new Set(),
      pos: [...cursor],
      state: 'gathering',
      tail: null,
      stop: () => {
        if (reader.state === 'stopped') return
        reader.state = 'stopped'
        this.#readers.delete(reader)
        this.#o.onReader?.(-1)
        if (check) clearInterval(check)
        clearTimeout(gather)
        reader.tail?.close().catch((err: unknown) => log.warn({ err }, 'closing a replay tail failed'))
      },
    }
    this.#readers.add(reader)
    this.#o.onReader?.(1)
    const fail = (err: unknown) => {
      if (reader.state === 'stopped') return
      const members = [...reader.members]
      reader.members.clear()
      reader.stop()
      for (const sub of members) hub.replayFailed(sub, err)
    }
    /** Members whose cursor memory now covers leave for memory; the reader stops when none is left. */
    const handOver = () => {
      for (const sub of [...reader.members]) if (hub.replayMaybeDone(sub)) reader.members.delete(sub)
      if (reader.members.size === 0) reader.stop()
    }
    const start = () => {
      if (reader.state !== 'gathering') return
      reader.state = 'running'
      const tail = createTail({
        kafka: this.#o.kafka,
        topic: this.#o.topic,
        groupId: `${this.#o.groupPrefix}-${reader.id}`,
        log: log.child({ component: 'replay', reader: reader.id }),
        from: new Map(reader.pos.map((o, p) => [p, String(o)])),
        maxBytesPerPartition: 256 * 1024,
        onFatal: fail,
        onBatch: async ({ partition, messages }) => {
          if (reader.state !== 'running') return
          for (const m of messages) {
            const offset = Number(m.offset)
            if (offset < (reader.pos[partition] ?? 0)) continue
            reader.pos[partition] = offset + 1
            if (m.value === null) continue
            let event: ArticleEvent
            try {
              event = this.#codec.decode(m.value)
            } catch (err) {
              this.#o.onDecodeError(err)
              log.warn({ err, partition, offset: m.offset }, 'undecodable event skipped in replay')
              continue
            }
            for (const sub of reader.members) if (!hub.replayEvent(sub, partition, offset, event)) reader.members.delete(sub)
          }
          const last = messages.at(-1)
          if (last) for (const sub of reader.members) hub.replayProgress(sub, partition, Number(last.offset) + 1)
          handOver()
          if (reader.state === 'running') await hub.replayWait(reader.members)
        },
      })
      reader.tail = tail
      // Batches holding only transaction markers advance positions without messages
      check = setInterval(() => {
        if (reader.state !== 'running') return
        for (const [p, next] of tail.positions()) {
          if (Number(next) > (reader.pos[p] ?? 0)) reader.pos[p] = Number(next)
          for (const sub of reader.members) hub.replayProgress(sub, p, Number(next))
        }
        handOver()
      }, 100)
      check.unref()
      tail.start().catch(fail)
    }
    const gather = setTimeout(start, this.#o.gatherMs ?? 100)
    gather.unref()
    return reader
  }

  closeAll(): void {
    for (const r of [...this.#readers]) r.stop()
  }
}
