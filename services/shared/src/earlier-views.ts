// Where an article's earlier versions were, carried with its latest state in news.articles (the
// `earlier-views` header). The fan-out keeps where a story was seen so that a kill reaches every
// reader who saw it; an instance that starts after those versions left its history would otherwise
// know only the latest one (a reader who saw the story on another desk would miss its kill).
// Ingest decides every version, so it carries them: facts only (the view, the pubStatus, how long
// before its embargo a version was replaced); who could see what is the fan-out's rule. Pure.
import type { Article, PubStatus } from './article.ts'
import { pubStatuses } from './article.ts'

export const EARLIER_VIEWS_HEADER = 'earlier-views'

/** Distinct views kept, as the fan-out keeps (exposure.ts): past it, the newest kept is replaced. */
export const MAX_EARLIER_VIEWS = 1024

/** A view (what channels, filters and scopes match on) one or more earlier versions were in. */
export interface EarlierView {
  category: string | null
  language: string
  urgency: number
  breaking: boolean
  /** `canceled` for a kill (a withdrawn article is canceled). */
  pubStatus: PubStatus
  /**
   * Of the versions in this view and status, the least time (ms) between their replacement and
   * their embargo: 0 when one had no embargo left (it was public, or may have been).
   */
  embargoLeftMs: number
}

const sameGroup = (a: EarlierView, b: EarlierView): boolean =>
  a.category === b.category &&
  a.language === b.language &&
  a.urgency === b.urgency &&
  a.breaking === b.breaking &&
  a.pubStatus === b.pubStatus

/** The view of version `a`, replaced at `replacedAt` (the next version's ingest time). A kill is canceled. */
export function earlierViewOf(
  a: Pick<Article, 'category' | 'language' | 'urgency' | 'breaking' | 'pubStatus' | 'embargoedUntil'>,
  replacedAt: number,
): EarlierView {
  const left = a.embargoedUntil === null ? 0 : Math.max(0, a.embargoedUntil - replacedAt)
  return {
    category: a.category,
    language: a.language,
    urgency: a.urgency,
    breaking: a.breaking,
    pubStatus: a.pubStatus,
    embargoLeftMs: left,
  }
}

/** `views` with `view` added: a new array, or `views` itself when it already says as much. */
export function withEarlierView(views: readonly EarlierView[], view: EarlierView): readonly EarlierView[] {
  const kept = views.find((v) => sameGroup(v, view))
  if (kept !== undefined && kept.embargoLeftMs <= view.embargoLeftMs) return views
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
  const i = out.findIndex((v) => sameGroup(v, view))
  if (i >= 0) {
    const kept = out[i] as EarlierView
    if (view.embargoLeftMs < kept.embargoLeftMs) out[i] = { ...kept, embargoLeftMs: view.embargoLeftMs }
  } else if (out.length < MAX_EARLIER_VIEWS) out.push(view)
  else out[MAX_EARLIER_VIEWS - 1] = view
}

// Short keys: the header rides on every article state record
type Wire = [category: string | null, language: string, urgency: number, breaking: 0 | 1, status: number, embargoLeftMs: number]

export function encodeEarlierViews(views: readonly EarlierView[]): string {
  const wire: Wire[] = views.map((v) => [
    v.category,
    v.language,
    v.urgency,
    v.breaking ? 1 : 0,
    pubStatuses.indexOf(v.pubStatus),
    v.embargoLeftMs,
  ])
  return JSON.stringify(wire)
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0

function fromWire(x: unknown): EarlierView | null {
  if (!Array.isArray(x) || x.length !== 6) return null
  const [category, language, urgency, breaking, status, left] = x as unknown[]
  if (category !== null && typeof category !== 'string') return null
  if (typeof language !== 'string' || !isCount(urgency) || (breaking !== 0 && breaking !== 1)) return null
  const pubStatus = isCount(status) ? pubStatuses[status] : undefined
  if (pubStatus === undefined || !isCount(left)) return null
  return { category, language, urgency, breaking: breaking === 1, pubStatus, embargoLeftMs: left }
}

/** The header's views; null when it is not what ingest writes (the reader falls back to not knowing). */
export function decodeEarlierViews(text: string): EarlierView[] | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return null
  }
  if (!Array.isArray(parsed) || parsed.length > MAX_EARLIER_VIEWS) return null
  const out: EarlierView[] = []
  for (const x of parsed) {
    const v = fromWire(x)
    if (v === null) return null
    out.push(v)
  }
  return out
}

/** The header as a Kafka client hands it over; null when absent or not what ingest writes. */
export function earlierViewsOf(header: Buffer | string | (Buffer | string)[] | undefined): EarlierView[] | null {
  if (header === undefined || Array.isArray(header)) return null
  return decodeEarlierViews(header.toString())
}
