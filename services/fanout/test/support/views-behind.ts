// Process B of red25b-views-shed-model.test.ts (red27a, 2026-12-07): a second fan-out over the same
// log that answers a reader's page requests while its stream comes from process A, and reads the
// log behind A (follow), or further when a page step says (a process behind A's, as the balancer
// may pick: README "`at`: the reader's stream position"). It must answer as of the reader's position or refuse with `not_ready`. Its
// clock may run `skew` ms ahead of A's: what it released after the stream's watermark, a page or
// count beside that stream leaves out (README "Who sees what", races with the clock).
import type { NewswireEvent } from '@newswire/shared'
import type { Admission } from '../../src/http/access.ts'
import { RequestError } from '../../src/http/snapshot.ts'
import { Harness, type HarnessOptions } from './harness.ts'
import { nextPage, type Page } from './views-pages.ts'
import type { View } from './views-commands.ts'

export class Behind {
  readonly b: Harness
  readonly #skew: number

  constructor(o: HarnessOptions, skew = 0) {
    this.b = new Harness(o)
    this.#skew = skew
    this.b.start()
  }

  /** What A appended reaches the log; B reads it later. */
  write(e: NewswireEvent): void {
    this.b.inKafka(e)
  }

  /** The latest version of story `id` among the records B has read (undefined: none). */
  latestRead(id: string): number | undefined {
    let v: number | undefined
    for (const [p, log] of this.b.log.entries())
      for (const e of log.slice(0, this.b.store.readTo()[p] ?? 0)) if (e.article.id === id) v = Math.max(v ?? 0, e.article.version)
    return v
  }

  /** B's clock reads `now`, and it reads what was ingested `lag` ms before (a consumer lagging A's). */
  follow(now: number, lag: number): void {
    this.b.clock.advance(Math.max(0, now + this.#skew - this.b.clock.now()))
    this.b.readIngestedBy(now - lag)
  }

  /**
   * B reads on `readOn` more records of each partition (null: to the log's end), its clock at
   * `now` (its timers fired), then answers the page ('not_ready' when it refuses), and whether it
   * had not read the whole log then.
   */
  async page(
    now: number,
    readOn: number | null,
    view: View,
    cursor: string | null,
    at: string | null,
    limit: number,
    maxScan: number | undefined,
    admission: Admission,
  ): Promise<{ page: Page | 'not_ready'; behind: boolean }> {
    for (let p = 0; p < this.b.partitions; p++) this.b.readOn(p, readOn ?? Number.POSITIVE_INFINITY)
    await this.b.tick(Math.max(0, now + this.#skew - this.b.clock.now()))
    const behind = this.b.log.some((l, p) => (this.b.store.readTo()[p] ?? 0) < l.length)
    this.pages++
    if (this.#racing(now)) this.racingPages++
    try {
      return { page: nextPage(this.b, view, cursor, at, limit, maxScan, admission), behind }
    } catch (err) {
      if (err instanceof RequestError && err.code === 'not_ready') return { page: 'not_ready', behind }
      throw err
    }
  }

  /** Pages B answered or refused while a story it had read was released by its clock, not yet by A's. */
  racingPages = 0
  /** Pages asked of B. */
  pages = 0

  /** Whether the latest version B read of some story has an embargo passed on B's clock and not at `now`. */
  #racing(now: number): boolean {
    const latest = new Map<string, NewswireEvent>()
    for (const [p, log] of this.b.log.entries()) for (const e of log.slice(0, this.b.store.readTo()[p] ?? 0)) latest.set(e.article.id, e)
    return [...latest.values()].some((e) => {
      const until = e.article.embargoedUntil
      return until !== null && until > now && until <= this.b.clock.now()
    })
  }

  stop(): void {
    this.b.hub.stop()
  }
}
