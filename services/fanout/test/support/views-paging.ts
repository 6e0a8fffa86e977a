// The pages of red25b-views-shed-model.test.ts's readers (GET /v1/snapshot, `before` their cursor,
// `at` their position, as the SDK's older() asks), from process A or B, with the same process's
// counts beside each, judged as they are answered and merged as the SDK merges them.
import assert from 'node:assert/strict'
import type { ArticleEvent } from '@newswire/shared'
import type { Harness } from './harness.ts'
import { type Sent, sentOf } from './two-process-reader.ts'
import type { Behind } from './views-behind.ts'
import { countedOn, nextPage, type Page } from './views-pages.ts'
import { RequestError } from '../../src/http/snapshot.ts'
import { admissionOf } from './views-readers.ts'
import type { Slot } from './views-slots.ts'
import { stats } from './views-stats.ts'

/** What the pages read of a run. */
export interface PagingRun {
  h: Harness
  behind: Behind
  slots: Slot[]
  written: ReadonlyMap<string, ArticleEvent[]>
  /** What was written, in short: a page taken after more was reads across changes. */
  trace: readonly string[]
  snapshotSize: number
  maxScan: number | null
  judge: (i: number) => (e: Sent, now: number, w: string) => void
  why: (i: number) => string
}

/**
 * A page of A, or 'not_ready': A too refuses a cursor sealed by B while it owes a release B's clock,
 * ahead, made before it (README "`at`", red16), until its own clock gets there.
 */
function ofA(ask: () => Page): Page | 'not_ready' {
  try {
    return ask()
  } catch (err) {
    if (err instanceof RequestError && err.code === 'not_ready') return 'not_ready'
    throw err
  }
}

/** A run's page(i, late, b, noAt, newest) (whether it was answered) and merge(i). */
export function paging(run: PagingRun) {
  const { h, behind, slots, written, trace, snapshotSize, maxScan, judge, why } = run
  /**
   * Reader `i` takes its next older page, connected or away (older() is a request beside the stream).
   * `noAt` (red28a): asked of A without the stream's position; `newest`: the newest page, no cursor.
   */
  const page = async (i: number, late = false, b: number | null = null, noAt = false, newest = false) => {
    const s = slots[i] as Slot
    const cursor = newest ? null : s.more
    // (the SDK asks no page before its stream has a position: it waits for one, client requests.ts)
    if ((cursor === null && !newest) || s.late !== null || (newest && s.reader.position === null)) return false
    // without `at`, a page of B is its state now, which may hold what A's stream took back (README Known limits)
    const at = noAt && b === null ? null : s.reader.position
    if (at === null && s.reader.position !== null) stats.pagesWithoutAt++
    if (newest) stats.newestPages++
    const { page: p, behind: was } =
      b === null
        ? { page: ofA(() => nextPage(h, s.view, cursor, at, snapshotSize, maxScan ?? undefined, admissionOf(s.kind))), behind: false }
        : await behind.page(h.clock.now(), b, s.view, cursor, at, snapshotSize, maxScan ?? undefined, admissionOf(s.kind))
    if (was) stats.pagesFromBehind++
    // refused: the SDK asks again later
    if (p === 'not_ready') {
      stats.pagesRefusedBehind++
      return false
    }
    // README "`at`": a process that has not read as far as the reader's stream answers not_ready
    // (the position's offsets read with the wire codec; what the process read, from its consumer)
    if (b !== null && s.reader.position !== null) {
      const at = h.positions.decode(s.reader.position).o
      const read = behind.b.store.readTo()
      assert.ok(
        at.every((o, p) => (read[p] ?? 0) >= o),
        `S. process B answered a page behind the reader's stream (read ${read}, at ${at}): ${why(i)}`,
      )
      stats.pagesOfBAnswered++
    }
    if (s.kind.token !== null) stats.newsroomPages++
    if (s.moreToken !== JSON.stringify(s.kind.token)) stats.pagesOtherToken++
    // the same process's counts, beside the page: only stories the requester may see, in its view
    for (const c of countedOn(b === null ? h : behind.b, s.view, at, admissionOf(s.kind)) ?? []) {
      const e = written.get(c.id)?.[c.version - 1]
      assert.ok(e, `S. counts name ${c.id} v${c.version}, never written: ${why(i)}`)
      judge(i)(sentOf(e), h.clock.now(), `counts: ${why(i)}`)
      stats.counted++
    }
    if (maxScan !== null) stats.scanCutPages++
    // judged as it is answered: visible now, in the view, each story at its latest version (a page
    // leaves out what changed since the first page: the stream brings that)
    for (const e of p.items) {
      judge(i)(e, h.clock.now(), `a page: ${why(i)}`)
      // (process B's: the latest it has read, at or past the reader's position: the stream brings the rest)
      const latest = b === null ? written.get(e.article.id)?.length : behind.latestRead(e.article.id)
      assert.equal(e.article.version, latest, `S. a page holds ${e.article.id} v${e.article.version}, not its latest v${latest}: ${why(i)}`)
    }
    stats.pages++
    if (trace.length > s.pagedFrom) stats.pagesAcrossChanges++
    s.late = { page: p, reader: s.reader, snapshots: s.reader.snapshots }
    if (!late) merge(i)
    return true
  }
  /** The SDK merges the page it was answered, unless its stream started over meanwhile (delivery.ts refuseIfReset: it asks again). */
  const merge = (i: number) => {
    const s = slots[i] as Slot
    const late = s.late
    if (late === null) return
    s.late = null
    const { page: p } = late
    if (late.reader !== s.reader || late.snapshots !== s.reader.snapshots) return
    if (p.items.length > 0 && s.reader.got.length > 0 && !s.reader.got.at(-1)?.startsWith('page')) stats.pagesMergedLate++
    s.reader.got.push(`page:[${p.items.map((e) => `${e.article.id}@${e.article.version}`).join(',')}]`)
    // judged when it was answered (page), taken now through the SDK's filter: a kill that came first wins
    for (const e of p.items) {
      s.shown.add(e.article.id)
      s.reader.take(e, h.clock.now(), `a page: ${why(i)}`, { snapshot: true, page: true, late: true })
    }
    s.more = p.next
  }
  return { page, merge }
}
