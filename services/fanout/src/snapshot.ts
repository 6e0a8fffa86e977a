// Snapshots and older pages: the articles a client may see now, newest editorial time first
// (desk-index.ts), so a backfill of old stories cannot push today's desk out of a snapshot. Every
// item is decided like the stream decides: the ledger's latest version visible to the client's
// clearance (visibility.ts), in its channels, filter and token scope (deliver.ts channelFor), in
// its states (states.ts). A correction replaces what it corrects; killed articles leave public
// snapshots and stay in the newsroom's, as killed.
//
// Older pages leave out what changed after the first page was taken (the cursor's position): the
// stream has brought or will bring those changes to the client, so snapshot and pages together
// hold each article at most once. Pure: no I/O.
import type { Article, ArticleEvent } from '@newswire/shared'
import type { SubView } from './deliver.ts'
import { channelFor } from './deliver.ts'
import type { DeskIndex, DeskKey } from './desk-index.ts'
import type { ArticleState, Ledger } from './ledger.ts'
import type { SnapshotItem } from './messages.ts'
import { releaseAfter } from './position.ts'
import type { Position } from './position.ts'
import { statesAllow } from './states.ts'
import type { Clearance } from './visibility.ts'
import { isKill, visibleVersion } from './visibility.ts'

/** Articles looked at per page at most: a sparse view gets a short page and a cursor, not a scan of the store. */
export const MAX_SCAN = 20_000

/** Where the store stands: the index to walk and the ledger that decides. */
export interface DeskSource {
  desk: DeskIndex
  ledger: Ledger
}

export interface PageQuery {
  clearance: Clearance
  /** Channels, filter (states included) and token scope: the subscription's, or the request's. */
  view: SubView
  limit: number
  /** Start after this article (exclusive); null: from the newest. */
  from: DeskKey | null
  /** Leave out articles changed after this stream position (older pages); null: the state now. */
  asOf: { o: readonly number[]; t: number } | null
  /**
   * The release watermark of the reader's stream (a page's `at`): what this process released after
   * it is left out (releasedSince); null or absent: every release this process made.
   */
  releasedBy?: Watermark | null
  maxScan?: number
}

/** Where a stream stands in release order (Position `t` and `r`). */
export type Watermark = Pick<Position, 't' | 'r'>

/**
 * Where a reader's stream is, from a page's `at` (http/reader-at.ts): its release watermark, to
 * hold the page to, and its offsets, from which on what this process read the stream brings
 * (null fields: no `at`).
 */
export interface ReaderStream {
  releasedBy: Watermark | null
  readTo: readonly number[] | null
}

/**
 * A version (an article's or an entry's) this process released after watermark `w`. Another
 * process, the stream's, may not have released it yet (its releases wait to have read the log up
 * to them) and may read its kill first: it then never tells a reader of a story a page from here
 * showed (two-processes-model, seed 219292800). A release of unknown offset (a state loaded from
 * news.articles) counts from the millisecond before its time, as watermarkAfter does.
 */
export function releasedSince(
  v: { released: boolean; partition: number; offset: number | null },
  embargoedUntil: number | null,
  w: Watermark | null | undefined,
): boolean {
  if (!w || !v.released || embargoedUntil === null) return false
  if (v.offset === null) return embargoedUntil > w.t
  return releaseAfter({ at: embargoedUntil, partition: v.partition, offset: v.offset }, w.t, w.r)
}

export interface Page {
  items: SnapshotItem[]
  /** Where the next page starts (the last article returned or looked at), when there may be more. */
  next: DeskKey | null
}

/**
 * The index lists worth walking for a view: every article it can match is in one of them (null:
 * every article). Of its channels, filter and scope (each a condition all matches meet), the
 * narrowest.
 */
export function listsFor(desk: DeskIndex, view: SubView): string[] | null {
  const options: string[][] = []
  const ch = view.channels
  if (ch.length > 0 && !ch.some((c) => c.kind === 'all')) options.push(ch.map((c) => c.name))
  const f = view.filter
  const s = view.conn.scope
  for (const cats of [f.categories, s.categories]) if (cats) options.push(cats.map((c) => `category:${c}`))
  for (const langs of [f.languages, s.languages]) if (langs) options.push(langs.map((l) => `lang:${l}`))
  let best: string[] | null = null
  let bestSize = desk.size
  for (const keys of options) {
    const size = keys.reduce((n, k) => n + desk.sizeOf(k), 0)
    if (size < bestSize) {
      best = keys
      bestSize = size
    }
  }
  return best
}

/** The version of `s` this query may show now, or null. */
export function visibleIn(s: ArticleState | undefined, q: Pick<PageQuery, 'clearance' | 'view' | 'releasedBy'>): Article | null {
  if (!s) return null
  // the newsroom sees a story under embargo as well: nothing a release changes to hold back
  if (q.clearance !== 'all' && !isKill(s.event) && releasedSince(s, s.event.article.embargoedUntil, q.releasedBy)) return null
  const a = visibleVersion(s, q.clearance)
  if (a === null || channelFor(q.view, a) === null || !statesAllow(q.view.filter.states, s)) return null
  return a
}

/** The article's state changed after the stream position: a new version read, or its embargo released. */
export function changedAfter(s: ArticleState, asOf: { o: readonly number[]; t: number }): boolean {
  if (s.offset !== null && s.offset >= (asOf.o[s.partition] ?? 0)) return true
  const at = s.event.article.embargoedUntil
  return s.released && !isKill(s.event) && at !== null && at > asOf.t
}

/** The page holds `s`: visible to the query now and, for an older page, unchanged since the first. */
function onPage(s: ArticleState | undefined, q: PageQuery): s is ArticleState {
  return s !== undefined && visibleIn(s, q) !== null && (q.asOf === null || !changedAfter(s, q.asOf))
}

/**
 * After a full page: whether the walk holds another article for this page, looked for within the
 * page's scan bound (reached: there may be). Not whether it holds any article: a view of
 * `article:<id>` channels is a list of ids the reader names, and a cursor after its last public
 * story said whether a named story it may not see exists, and how old it is (red14 attack run).
 */
function moreOnPages(walk: { next(): DeskKey | undefined }, src: DeskSource, q: PageQuery, scanned: number, maxScan: number): boolean {
  for (let k = walk.next(); k !== undefined; k = walk.next()) {
    if (onPage(src.ledger.latest(k.id), q)) return true
    if (++scanned >= maxScan) return true
  }
  return false
}

/** One page in editorial order. `text` serializes an event (cached on the ledger's state). */
export function page(src: DeskSource, q: PageQuery, text: (e: ArticleEvent) => string): Page {
  const items: SnapshotItem[] = []
  if (q.limit <= 0) return { items, next: null }
  const walk = src.desk.walk(listsFor(src.desk, q.view), q.from)
  const maxScan = q.maxScan ?? MAX_SCAN
  let scanned = 0
  for (let k = walk.next(); k !== undefined; k = walk.next()) {
    const s = src.ledger.latest(k.id)
    if (onPage(s, q)) {
      s.text ??= text(s.event)
      items.push({ embargoed: q.clearance === 'all' && !s.released, text: s.text })
      if (items.length >= q.limit) return { items, next: moreOnPages(walk, src, q, scanned + 1, maxScan) ? k : null }
    }
    // a view that matches little stops here: the client pages on from this article
    if (++scanned >= maxScan) return { items, next: walk.next() === undefined ? null : k }
  }
  return { items, next: null }
}
