// In-memory event history: a ring buffer in arrival order plus, per partition, an offset index
// to find where a cursor resumes. Article events and the entry events of live stories share it, in
// log order. Pure data structure, no I/O.
import { isEntryEvent } from '@newswire/shared'
import type { ArticleEvent, EntryEvent, NewswireEvent } from '@newswire/shared'
import type { EntryLatest } from './entry-visibility.ts'
import type { Latest } from './visibility.ts'

export interface Entry {
  seq: number
  partition: number
  offset: number
  event: ArticleEvent
  /**
   * Set when the ledger applies the event (ledger.ts): whether it became the article's latest
   * version (false: a duplicate or older version, or history from before the ledger's state),
   * the state it replaced, and whether this version has been visible past its embargo.
   */
  applied: boolean
  prev: Latest | undefined
  /** History seq of the version `prev` is, when it came through history (a story's versions, walked back by stories.ts). */
  prevSeq: number | null
  released: boolean
  /** eventJson(event), made lazily and dropped once live delivery is done (memory). */
  text: string | null
}

/** An entry event of a live story in history, with what the ledger noted when it applied it (entries.ts). */
export interface EntryEventRecord {
  seq: number
  partition: number
  offset: number
  event: EntryEvent
  /** It became the entry's latest version (false: a duplicate or an older version). */
  applied: boolean
  /** The entry's state it replaced. */
  prev: EntryLatest | undefined
  /** The entry's own embargo has passed on the server's clock. */
  released: boolean
  /** The story's state when the entry event was applied: its visibility in log order. */
  story: Latest | undefined
  /** The `entry` message's JSON tail, made lazily (stories.ts). */
  text: string | null
}

/** Anything history holds: an article's version or an entry event. */
export type HistoryRecord = Entry | EntryEventRecord

export const isEntryRecord = (r: HistoryRecord): r is EntryEventRecord => isEntryEvent(r.event)

class PartitionIndex {
  offsets: number[] = []
  seqs: number[] = []
  start = 0

  push(offset: number, seq: number): void {
    this.offsets.push(offset)
    this.seqs.push(seq)
  }

  shift(): void {
    this.start++
    if (this.start > 1024 && this.start * 2 > this.offsets.length) {
      this.offsets = this.offsets.slice(this.start)
      this.seqs = this.seqs.slice(this.start)
      this.start = 0
    }
  }

  /** Seq of the first entry with offset >= target, or null when there is none. */
  lowerBound(target: number): number | null {
    let lo = this.start
    let hi = this.offsets.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.offsets[mid] as number) < target) lo = mid + 1
      else hi = mid
    }
    return lo < this.offsets.length ? (this.seqs[lo] as number) : null
  }
}

export class History {
  readonly capacity: number
  readonly #buf: (HistoryRecord | undefined)[]
  readonly #index: PartitionIndex[]
  /** Per partition: every event at or above this offset is in memory. */
  readonly #memStart: number[]
  #first = 0
  #next = 0

  constructor(capacity: number, startOffsets: readonly number[]) {
    this.capacity = capacity
    this.#buf = new Array(capacity)
    this.#index = startOffsets.map(() => new PartitionIndex())
    this.#memStart = [...startOffsets]
  }

  get firstSeq(): number {
    return this.#first
  }

  get nextSeq(): number {
    return this.#next
  }

  get size(): number {
    return this.#next - this.#first
  }

  memStart(partition: number): number {
    return this.#memStart[partition] ?? 0
  }

  memStarts(): number[] {
    return [...this.#memStart]
  }

  get(seq: number): HistoryRecord | undefined {
    if (seq < this.#first || seq >= this.#next) return undefined
    return this.#buf[seq % this.capacity]
  }

  append(partition: number, offset: number, event: NewswireEvent): HistoryRecord {
    if (this.#next - this.#first === this.capacity) {
      const old = this.#buf[this.#first % this.capacity] as HistoryRecord
      this.#buf[this.#first % this.capacity] = undefined
      this.#first++
      this.#index[old.partition]?.shift()
      this.#memStart[old.partition] = old.offset + 1
    }
    const base = { seq: this.#next, partition, offset, applied: false, prev: undefined, released: false, text: null }
    const entry: HistoryRecord = isEntryEvent(event) ? { ...base, event, story: undefined } : { ...base, event, prevSeq: null }
    this.#buf[this.#next % this.capacity] = entry
    this.#index[partition]?.push(offset, this.#next)
    this.#next++
    return entry
  }

  /** True when every event a cursor at `offsets` still needs is in memory. */
  covers(offsets: readonly number[]): boolean {
    for (let p = 0; p < this.#memStart.length; p++) if ((offsets[p] ?? 0) < (this.#memStart[p] as number)) return false
    return true
  }

  /** First seq a cursor at `offsets` has to look at (entries before it are all below the cursor). */
  startSeq(offsets: readonly number[]): number {
    let seq = this.#next
    for (let p = 0; p < this.#index.length; p++) {
      const s = this.#index[p]?.lowerBound(offsets[p] ?? 0)
      if (s !== null && s !== undefined && s < seq) seq = s
    }
    return Math.max(seq, this.#first)
  }
}
