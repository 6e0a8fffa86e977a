// The ledger's embargo schedule (ledger.ts): every latest version of an article, and of a live
// story's entry, that carries an embargo, in release order (time, then partition, then offset:
// position.ts), past ones kept for resumes. Its own module because it is an index with rules of
// its own (where a release of unknown offset sits, which releases a resume has yet to consider)
// and no say over the states it lists: the ledger decides what is released, this keeps when and
// in what order. Pure: no I/O.
import { compareReleaseKeys, releaseAfter } from './position.ts'
import type { ReleaseKey } from './position.ts'

export interface Release extends ReleaseKey {
  /** The article; for an entry's release, its story. */
  id: string
  /** The entry whose own embargo is released; null for the article's. */
  entry: string | null
  /** Its event's offset is unknown (a state loaded from news.articles), so no cursor can tell whether it passed it. */
  loaded?: true
}

export class EmbargoSchedule {
  /** Sorted by compareReleaseKeys; an unknown offset is -1 here. */
  readonly #list: Release[] = []
  /** The first offset of each partition still in memory (history.ts). */
  readonly #memStart: (partition: number) => number

  constructor(memStart: (partition: number) => number) {
    this.#memStart = memStart
  }

  /** Lists the embargo at `at` of article `id`'s latest version (`entry` null) or of its entry's. */
  add(at: number, partition: number, offset: number | null, id: string, entry: string | null): void {
    const r: Release = { at, partition, offset: offset ?? -1, id, entry }
    this.#list.splice(this.#lowerBound(r), 0, r)
  }

  /** Unlists the embargo at `at` of article `id` (`entry` null) or of its entry. */
  remove(at: number, id: string, entry: string | null): void {
    for (let i = this.#lowerBound({ at, partition: -1, offset: -2 }); i < this.#list.length; i++) {
      const r = this.#list[i] as Release
      if (r.at !== at) break
      if (r.id === id && r.entry === entry) {
        this.#list.splice(i, 1)
        return
      }
    }
  }

  /** The embargoes due from `from` to `until` (both included), in release order. */
  *due(from: number, until: number): Generator<Release> {
    for (let i = this.#lowerBound({ at: from, partition: -1, offset: -2 }); i < this.#list.length; i++) {
      const r = this.#list[i] as Release
      if (r.at > until) return
      yield r
    }
  }

  /**
   * `r` as a release made: ordered by its offset, or, unknown (`loaded`), just below memory, a
   * key that means something on this instance only (position.ts watermarkAfter).
   */
  made(r: Release): Release {
    const offset = r.offset >= 0 ? r.offset : this.#memStart(r.partition) - 1
    return { at: r.at, partition: r.partition, offset, id: r.id, entry: r.entry, ...(r.offset < 0 ? { loaded: true } : {}) }
  }

  /**
   * The releases made (`released`) after watermark (t, r) and at or before `until`, in release
   * order: what a resume from it has yet to consider.
   */
  after(t: number, r: readonly [number, number] | undefined, until: number, released: (e: Release) => boolean): Release[] {
    const out: Release[] = []
    for (const e of this.due(t, until)) {
      if (!released(e)) continue
      const m = this.made(e)
      if (releaseAfter(m, t, r)) out.push(m)
    }
    return out.sort(compareReleaseKeys)
  }

  /** The next embargo time after `t`. */
  nextAfter(t: number): number | null {
    return this.#list[this.#lowerBound({ at: t + 1, partition: -1, offset: -2 })]?.at ?? null
  }

  /** How many embargoes fall after `t`. */
  countAfter(t: number): number {
    return this.#list.length - this.#lowerBound({ at: t + 1, partition: -1, offset: -2 })
  }

  #lowerBound(k: ReleaseKey): number {
    let lo = 0
    let hi = this.#list.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareReleaseKeys(this.#list[mid] as Release, k) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
