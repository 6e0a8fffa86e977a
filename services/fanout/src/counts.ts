// Stories per category over a recent window by editorial time (the dashboard's "last hour"), over
// the whole store, for one client: only what it may see now (the same rules as snapshot.ts), killed
// stories left out. The articles counted are listed with their version and editorial time, so a
// client can keep the counts right from the live stream (an update moves a story, a kill removes
// it, time ages it out) without asking again. Pure: no I/O; time is passed in.
import type { Article } from '@newswire/shared'
import type { SubView } from './deliver.ts'
import { editorialAt } from './desk-index.ts'
import type { DeskSource, Watermark } from './snapshot.ts'
import { listsFor, MAX_SCAN, visibleIn } from './snapshot.ts'
import type { Clearance } from './visibility.ts'
import { isKill } from './visibility.ts'

export interface CountsQuery {
  clearance: Clearance
  view: SubView
  /** The reader's stream watermark: what this process released after it is not counted (snapshot.ts releasedSince). */
  releasedBy?: Watermark | null
  /** Stories with an editorial time at or after this (epoch ms) are counted, later ones too. */
  since: number
  /** Articles listed at most; beyond, the counts still count and `truncated` says the list is cut. */
  maxArticles: number
  /**
   * Articles looked at most, as a page (snapshot.ts MAX_SCAN): a public request must not walk a
   * week of a wire desk on the loop that delivers kills (red6 attack run). Beyond, the window
   * starts later (`since` of the answer) and `truncated` says so.
   */
  maxScan?: number
}

export interface CategoryCount {
  /** null: stories without a category. */
  category: string | null
  label: string | null
  count: number
}

export interface CountedArticle {
  id: string
  version: number
  category: string | null
  /** Editorial time, epoch ms. */
  at: number
}

export interface Counts {
  categories: CategoryCount[]
  articles: CountedArticle[]
  truncated: boolean
  /**
   * Where the window counted starts: the query's `since`, or when the scan stopped the editorial
   * time of the oldest story counted (null: none), never of one the client may not see (rev33 review).
   */
  since: number | null
}

export function countRecent(src: DeskSource, q: CountsQuery): Counts {
  const byCategory = new Map<string | null, CategoryCount>()
  const articles: CountedArticle[] = []
  let truncated = false
  let since: number | null = q.since
  let oldest: number | null = null
  const count = (a: Article, at: number) => {
    const c = byCategory.get(a.category) ?? { category: a.category, label: a.categoryLabel, count: 0 }
    c.count++
    byCategory.set(a.category, c)
    oldest = oldest === null ? at : Math.min(oldest, at)
    if (articles.length < q.maxArticles) articles.push({ id: a.id, version: a.version, category: a.category, at })
    else truncated = true
  }
  // Stories of one editorial time are counted together, so a scan cut short counts exactly those
  // from `since` on
  let group: [Article, number][] = []
  let groupAt = Number.NaN
  let scanned = 0
  const maxScan = q.maxScan ?? MAX_SCAN
  const walk = src.desk.walk(listsFor(src.desk, q.view), null)
  for (let k = walk.next(); k !== undefined && k.at >= q.since; k = walk.next()) {
    if (k.at !== groupAt) {
      for (const [a, at] of group) count(a, at)
      group = []
      groupAt = k.at
    }
    if (++scanned > maxScan) {
      // newest first: every story after k.at is counted, those at k.at are not
      group = []
      since = oldest
      truncated = true
      break
    }
    const s = src.ledger.latest(k.id)
    const a = s ? visibleIn(s, q) : null
    if (s !== undefined && a !== null && !isKill(s.event)) group.push([a, editorialAt(s.event)])
  }
  for (const [a, at] of group) count(a, at)
  const categories = [...byCategory.values()].sort((x, y) => y.count - x.count || String(x.category).localeCompare(String(y.category)))
  return { categories, articles, truncated, since }
}
