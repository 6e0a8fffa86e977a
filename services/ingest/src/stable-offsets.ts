// Waits until news.article-events' last stable offsets pass this instance's commits. Kafka answers
// a commit before it writes the commit markers, and writes them to each partition's leader on its
// own: this instance's tail reading a commit back from news.articles says nothing of the events'
// partition (another leader, a slow broker). A fan-out's release clock takes the log, read to its
// last stable offsets asked at time t, to hold every write acknowledged before t: a kill answered
// before an embargo, not yet stable in news.article-events, let a fan-out release the draft at the
// embargo and read the kill after (red17 attack run, 2026-12-06).
import type { Committed, NewswireEvent } from '@newswire/shared'
import { isEntryEvent } from '@newswire/shared'

/**
 * Whether a fan-out's release clock must be able to see `e` once it is answered: anything but a
 * write public as it stands (usable, under no embargo, neither a kill nor a deletion) over a version
 * not under an embargo still to pass. Such a write hides nothing, and a fan-out applies it in log
 * order; a kill, a hold, an embargo set or moved, an entry's deletion, hold or embargo, or a change
 * to a story under embargo, each written before an embargo passes, must be in what a fan-out takes
 * as read by then. So must a version public at once that replaces one under embargo
 * (`replacedEmbargo`: the article's, or for an entry event the entry's, latest version is under one
 * not passed a minute before, batch-plan.ts): a fan-out that has not read it releases the replaced
 * draft at its instant (red18b attack run, 2026-12-06). The rest skip the wait (an offsets request
 * per commit cost about a tenth of ingest's CPU per record).
 */
export function releaseClockMustSee(e: NewswireEvent, replacedEmbargo: boolean): boolean {
  if (e.type === 'WITHDRAWN' || e.type === 'ENTRY_DELETED' || replacedEmbargo) return true
  if (e.article.pubStatus !== 'usable' || e.article.embargoedUntil !== null) return true
  return isEntryEvent(e) && (e.entry.pubStatus !== 'usable' || e.entry.embargoedUntil !== null)
}

interface Waiter {
  ends: readonly Committed[]
  resolve: (stable: boolean) => void
  timer: NodeJS.Timeout
}

export interface StableOffsetsOptions {
  /** The last stable offset of each partition of news.article-events now. */
  fetch: () => Promise<ReadonlyMap<number, bigint>>
  /** Between two asks while a commit waits (Kafka writes the markers within milliseconds). */
  pauseMs?: number
  /** After an ask that failed. */
  failedPauseMs?: number
  onError?: (err: unknown) => void
}

export class StableOffsets {
  readonly #o: Required<Omit<StableOffsetsOptions, 'onError'>> & Pick<StableOffsetsOptions, 'onError'>
  /** The highest last stable offset seen per partition: it never goes back. */
  readonly #known = new Map<number, bigint>()
  readonly #waiters = new Set<Waiter>()
  #running = false

  constructor(o: StableOffsetsOptions) {
    this.#o = { pauseMs: 2, failedPauseMs: 100, ...o }
  }

  /** Resolves true once every end is stable, false after `maxMs` (one ask serves every waiter). */
  until(ends: readonly Committed[], maxMs: number): Promise<boolean> {
    if (this.#stable(ends)) return Promise.resolve(true)
    return new Promise((resolve) => {
      const w: Waiter = {
        ends,
        resolve,
        timer: setTimeout(() => {
          this.#waiters.delete(w)
          resolve(false)
        }, maxMs),
      }
      this.#waiters.add(w)
      void this.#run()
    })
  }

  /** Commits still waiting (tests). */
  get waiting(): number {
    return this.#waiters.size
  }

  #stable(ends: readonly Committed[]): boolean {
    return ends.every((e) => (this.#known.get(e.partition) ?? -1n) >= e.next)
  }

  async #run(): Promise<void> {
    if (this.#running) return
    this.#running = true
    try {
      while (this.#waiters.size > 0) {
        let pause = this.#o.pauseMs
        try {
          for (const [p, o] of await this.#o.fetch()) if (o > (this.#known.get(p) ?? -1n)) this.#known.set(p, o)
        } catch (err) {
          this.#o.onError?.(err)
          pause = this.#o.failedPauseMs
        }
        for (const w of [...this.#waiters]) {
          if (!this.#stable(w.ends)) continue
          clearTimeout(w.timer)
          this.#waiters.delete(w)
          w.resolve(true)
        }
        if (this.#waiters.size > 0) await new Promise((r) => setTimeout(r, pause))
      }
    } finally {
      this.#running = false
    }
  }
}
