// What red25b-views-shed-model.test.ts's readers do beside the stream: pages of older items as the
// SDK's older() fetches them; what changed between versions (what a ticker's filter reads); and E,
// what a reader may show in the end, written apart from the production code they check.
import assert from 'node:assert/strict'
import type { Article, ArticleEvent } from '@newswire/shared'
import type { Admission } from '../../src/http/access.ts'
import { answerCounts, answerPage, RequestError } from '../../src/http/snapshot.ts'
import type { Harness } from './harness.ts'
import { type Sent, visible } from './two-process-reader.ts'
import { isTicker, TICKER_FIELDS, type View, viewMatches, viewQuery } from './views-commands.ts'

/** The fields the model's writes change, as ingest lists them in `changedFields` (decide.ts). */
const FIELDS = [...TICKER_FIELDS, 'body'] as const

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** The fields `next` changes of `prev`. */
export function changedFieldsOf(prev: Article, next: Article): string[] {
  return FIELDS.filter((f) => !same(prev[f], next[f]))
}

/** Whether version `shown` shows what a ticker shows of version `latest` (its fields, README `tickerFieldsOnly`). */
export function tickerShowsLatest(shown: Article, latest: Article): boolean {
  return TICKER_FIELDS.every((f) => same(shown[f], latest[f]))
}

/** A page as GET /v1/snapshot answers it. */
export interface Page {
  items: Sent[]
  next: string | null
}

/**
 * The page after `cursor` of `view`, for a public reader whose stream is at `at` (the SDK sends its
 * latest position); a refusal (`not_ready`, `invalid_cursor`) is thrown as the route's RequestError.
 * `maxScan`: the route looks at no more articles than that (20,000), a page that stops there ends
 * on the last one it looked at, which may be one the reader must not see (README "Older pages").
 */
export function nextPage(
  h: Harness,
  view: View,
  cursor: string | null,
  at: string | null,
  limit: number,
  maxScan?: number,
  admission: Admission = { audience: 'public', expiresAt: null, reject: null },
): Page {
  const q = viewQuery(view)
  // none: the newest page (the SDK's older(client, null))
  if (cursor !== null) q.set('before', cursor)
  if (at !== null) q.set('at', at)
  const body = answerPage(new URL(`http://f/v1/snapshot?${q}`), admission, h.routeDeps(limit, maxScan))
  return JSON.parse(body) as Page
}

/**
 * The stories GET /v1/counts counts for the view on `h` (an hour's window), for a requester whose
 * stream is at `at`: each id and the version counted; null when it refuses (`not_ready`).
 */
export function countedOn(h: Harness, view: View, at: string | null, admission: Admission): { id: string; version: number }[] | null {
  const q = viewQuery(view)
  if (at !== null) q.set('at', at)
  try {
    const body = answerCounts(new URL(`http://f/v1/counts?${q}`), admission, h.routeDeps(50))
    return (JSON.parse(body) as { articles: { id: string; version: number }[] }).articles
  } catch (err) {
    if (err instanceof RequestError && err.code === 'not_ready') return null
    throw err
  }
}

/**
 * E: in the end, a reader of `view` shows no story outside what the public may see in it now, each
 * at most at its latest version (a ticker's: showing what that version shows); and, unless
 * `partial` (a `gap` shed updates, a ticker's snapshot was cut), exactly those stories, each at its
 * latest version (a ticker's at one showing what it shows). Returns whether it was exact.
 */
export function checkEnd(
  view: View,
  shows: ReadonlyMap<string, number>,
  written: ReadonlyMap<string, ArticleEvent[]>,
  now: number,
  partial: boolean,
  who: string,
  w: string,
): boolean {
  const may = new Map<string, number>()
  for (const [id, vs] of written) {
    const v = visible(vs, now)
    if (v !== null && viewMatches(view, (vs.at(-1) as ArticleEvent).article)) may.set(id, v)
  }
  for (const [id, v] of shows) {
    const latest = may.get(id)
    assert.ok(latest !== undefined && latest >= v, `E. ${who} shows ${id} v${v}: ${w}`)
    if (!isTicker(view) || latest === v) continue
    // a ticker skips updates that change nothing it shows: what it shows is the latest's all the same
    const vs = written.get(id) as ArticleEvent[]
    const [shown, last] = [(vs[v - 1] as ArticleEvent).article, (vs[latest - 1] as ArticleEvent).article]
    assert.ok(tickerShowsLatest(shown, last), `E. ticker ${who} shows ${id} v${v}, not what v${latest} shows: ${w}`)
  }
  if (partial) return false
  const ids = (m: ReadonlyMap<string, number>) => [...m.keys()].sort()
  if (isTicker(view)) assert.deepEqual(ids(shows), ids(may), `E. ticker ${who} shows other stories than the public may see: ${w}`)
  else assert.deepEqual(new Map([...shows].sort()), new Map([...may].sort()), `E. ${who} shows other than the public may see: ${w}`)
  return true
}
