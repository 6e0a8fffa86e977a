// Where an article's earlier versions were, carried with its latest state in news.articles (the
// `earlier-views` header). The fan-out keeps where a story was seen so that a kill reaches every
// reader who saw it; an instance that starts after those versions left its history would otherwise
// know only the latest one (a reader who saw the story on another desk would miss its kill).
// Ingest decides every version, so it carries them: facts only (the view, its statuses, how long
// before their embargo versions were replaced); who could see what is the fan-out's rule. Pure.
import type { Article } from './article.ts'

export const EARLIER_VIEWS_HEADER = 'earlier-views'

/** Distinct views kept, as the fan-out keeps (exposure.ts): past it, the newest kept is replaced. */
export const MAX_EARLIER_VIEWS = 1024

/**
 * What earlier versions showed outside the newsroom: per status that can be shown there, the
 * least time (ms) a version with it still had before its embargo when it was replaced: 0 when one
 * had none left (it was public, or may have been); null when no version had that status. Every
 * version was the newsroom's.
 */
export interface Shown {
  usableLeftMs: number | null
  withheldLeftMs: number | null
}

/** A view (what channels, filters and scopes match on) one or more earlier versions were in. */
export interface EarlierView extends Shown {
  category: string | null
  language: string
  urgency: number
  breaking: boolean
}

/** The views of every version before one; `complete` false when some are not known (see README). */
export interface EarlierViews {
  views: readonly EarlierView[]
  complete: boolean
}

/** A first version's: nothing came before it. */
export const NONE_EARLIER: EarlierViews = { views: [], complete: true }
/** Versions came before that nobody recorded (a record older than the header, or one left out). */
export const UNKNOWN_EARLIER: EarlierViews = { views: [], complete: false }

const sameView = (a: EarlierView, b: EarlierView): boolean =>
  a.category === b.category && a.language === b.language && a.urgency === b.urgency && a.breaking === b.breaking

const least = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b))

/** What version `v` showed, replaced at `replacedAt` (the next version's ingest time). */
export function shownOf(v: { pubStatus: Article['pubStatus']; embargoedUntil: number | null }, replacedAt: number): Shown {
  const left = v.embargoedUntil === null ? 0 : Math.max(0, v.embargoedUntil - replacedAt)
  // a canceled version (a kill, a deletion) was shown to nobody outside the newsroom
  return { usableLeftMs: v.pubStatus === 'usable' ? left : null, withheldLeftMs: v.pubStatus === 'withheld' ? left : null }
}

type ViewOf = Pick<Article, 'category' | 'language' | 'urgency' | 'breaking'>
const viewKey = (v: ViewOf): string => JSON.stringify([v.category, v.language, v.urgency, v.breaking])

/**
 * Whether moving an article that was in the `earlier` views and is now in `current`'s to `next`'s
 * would take it past MAX_EARLIER_VIEWS distinct views. Ingest refuses such a move: past the bound
 * the fan-out replaced a view it kept, and a reader who saw the story there was never told of its
 * kill (red24b attack run). Where the earlier views are not all known (`complete` false: a state
 * too big to carry them, once news.articles is compacted; a record older than the header), any
 * view not known to have held it is past the bound: counted from the ones known, a restart made
 * room for a thousand more each time (red24e attack run).
 */
export function passesViewBound(earlier: EarlierViews, current: ViewOf, next: ViewOf): boolean {
  const seen = new Set(earlier.views.map(viewKey)).add(viewKey(current))
  return !seen.has(viewKey(next)) && (!earlier.complete || seen.size >= MAX_EARLIER_VIEWS)
}

/** What either showed. */
export const bothShown = (a: Shown, b: Shown): Shown => ({
  usableLeftMs: least(a.usableLeftMs, b.usableLeftMs),
  withheldLeftMs: least(a.withheldLeftMs, b.withheldLeftMs),
})

const showsNoMore = (a: Shown, b: Shown): boolean =>
  least(a.usableLeftMs, b.usableLeftMs) === a.usableLeftMs && least(a.withheldLeftMs, b.withheldLeftMs) === a.withheldLeftMs

/** The view of version `a`, replaced at `replacedAt` (the next version's ingest time). */
export function earlierViewOf(
  a: Pick<Article, 'category' | 'language' | 'urgency' | 'breaking' | 'pubStatus' | 'embargoedUntil'>,
  replacedAt: number,
): EarlierView {
  return { category: a.category, language: a.language, urgency: a.urgency, breaking: a.breaking, ...shownOf(a, replacedAt) }
}

/** `views` with `view` added: a new array, or `views` itself when it already says as much. */
export function withEarlierView(views: readonly EarlierView[], view: EarlierView): readonly EarlierView[] {
  const kept = views.find((v) => sameView(v, view))
  if (kept !== undefined && showsNoMore(kept, view)) return views
  const out = views.slice()
  add(out, view)
  return out
}

/** Every view of both lists, once (the least embargo time left of each). */
export function mergeEarlierViews(a: readonly EarlierView[], b: readonly EarlierView[]): EarlierView[] {
  const out = a.slice()
  for (const v of b) add(out, v)
  return out
}

function add(out: EarlierView[], view: EarlierView): void {
  const i = out.findIndex((v) => sameView(v, view))
  if (i >= 0) out[i] = { ...(out[i] as EarlierView), ...bothShown(out[i] as EarlierView, view) }
  else if (out.length < MAX_EARLIER_VIEWS) out.push(view)
  else out[MAX_EARLIER_VIEWS - 1] = view
}

// Short: the header rides on every article state record
type Wire = [
  category: string | null,
  language: string,
  urgency: number,
  breaking: 0 | 1,
  usableLeftMs: number | null,
  withheldLeftMs: number | null,
]

export function encodeEarlierViews(e: EarlierViews): string {
  const views: Wire[] = e.views.map((v) => [v.category, v.language, v.urgency, v.breaking ? 1 : 0, v.usableLeftMs, v.withheldLeftMs])
  return JSON.stringify({ complete: e.complete, views })
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
const isLeft = (x: unknown): x is number | null => x === null || isCount(x)

function fromWire(x: unknown): EarlierView | null {
  if (!Array.isArray(x) || x.length !== 6) return null
  const [category, language, urgency, breaking, usableLeftMs, withheldLeftMs] = x as unknown[]
  if (category !== null && typeof category !== 'string') return null
  if (typeof language !== 'string' || !isCount(urgency) || (breaking !== 0 && breaking !== 1)) return null
  if (!isLeft(usableLeftMs) || !isLeft(withheldLeftMs)) return null
  return { category, language, urgency, breaking: breaking === 1, usableLeftMs, withheldLeftMs }
}

/** A JSON object's fields, or null for anything else (not JSON, an array, null, a scalar). */
function jsonObject(text: string): Record<string, unknown> | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return null
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null
}

type Header = Buffer | string | (Buffer | string)[] | undefined

/** A header's text as a Kafka client hands it over; null when absent or repeated. */
const headerText = (header: Header): string | null => (header === undefined || Array.isArray(header) ? null : header.toString())

/** The header's views; null when it is not what ingest writes (the reader falls back to not knowing). */
export function decodeEarlierViews(text: string): EarlierViews | null {
  const o = jsonObject(text)
  if (o === null) return null
  const { complete, views } = o
  if (typeof complete !== 'boolean' || !Array.isArray(views) || views.length > MAX_EARLIER_VIEWS) return null
  const out: EarlierView[] = []
  for (const x of views) {
    const v = fromWire(x)
    if (v === null) return null
    out.push(v)
  }
  return { views: out, complete }
}

/** The header as a Kafka client hands it over; null when absent or not what ingest writes. */
export function earlierViewsOf(header: Header): EarlierViews | null {
  const text = headerText(header)
  return text === null ? null : decodeEarlierViews(text)
}

// A live-story entry is seen only through its story, whose views its state carries: an entry's
// state carries only what its own earlier versions showed (the `earlier-statuses` header).

export const EARLIER_STATUSES_HEADER = 'earlier-statuses'

/** What an entry's versions before one showed; `complete` false when some are not known. */
export interface EarlierStatuses extends Shown {
  complete: boolean
}

/** A first version's (ENTRY_CREATED): nothing came before it. */
export const NONE_SHOWN: EarlierStatuses = { usableLeftMs: null, withheldLeftMs: null, complete: true }
/** Versions came before that nobody recorded. */
export const UNKNOWN_SHOWN: EarlierStatuses = { usableLeftMs: null, withheldLeftMs: null, complete: false }

export function encodeEarlierStatuses(e: EarlierStatuses): string {
  return JSON.stringify({ complete: e.complete, usable: e.usableLeftMs, withheld: e.withheldLeftMs })
}

/** The header's statuses; null when absent or not what ingest writes. */
export function earlierStatusesOf(header: Header): EarlierStatuses | null {
  const text = headerText(header)
  const o = text === null ? null : jsonObject(text)
  if (o === null) return null
  const { complete, usable, withheld } = o
  if (typeof complete !== 'boolean' || !isLeft(usable) || !isLeft(withheld)) return null
  return { usableLeftMs: usable, withheldLeftMs: withheld, complete }
}
