// GET /v1/snapshot (pages of a view, newest editorial time first, older ones by cursor) and
// GET /v1/counts (stories per category over a recent window). The view comes from the query as on
// /v1/sse (query.ts), the audience from the token as on the stream (access.ts), and every item is
// decided by snapshot.ts with the stream's rules. Public answers may be stored by shared caches
// but are revalidated every time (`no-cache` + ETag), so a kill is never served from a cache;
// newsroom answers are `private, no-store`.
import { problemCatalogue } from '@newswire/shared'
import type { ProblemCode } from '@newswire/shared'
import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type AudienceScope, unrestricted } from '../audience.ts'
import type { SubView } from '../deliver.ts'
import { countRecent } from '../counts.ts'
import { pageBody, eventJson } from '../messages.ts'
import { CursorError } from '../page-cursor.ts'
import type { PageCursorCodec } from '../page-cursor.ts'
import { checkAccess, ProtocolError } from '../protocol.ts'
import { page } from '../snapshot.ts'
import { offsetsAtLeast } from '../position.ts'
import type { Position, PositionCodec } from '../position.ts'
import { readerAt } from './reader-at.ts'
import type { ReaderStream } from '../snapshot.ts'
import type { Store } from '../store.ts'
import { clearanceOf } from '../visibility.ts'
import type { Clearance } from '../visibility.ts'
import type { Admission } from './access.ts'
import { sendProblem } from './problem.ts'
import { viewFromQuery } from './query.ts'

/** Items per page at most. */
export const MAX_PAGE = 200
/** Articles a counts answer lists at most. */
export const MAX_COUNTED = 10_000
const DEFAULT_WINDOW_S = 3600
const MAX_WINDOW_S = 7 * 86_400

export interface SnapshotRouteDeps {
  store: Store
  /**
   * The stream's position for `who` (Hub.headAt; without `who`, only its offsets are read): older
   * pages leave out what changes after it. Not the ledger's clock, which moves at every pass, one
   * just after a hidden story's embargo among them: a first page's cursor, sealed alike every time,
   * changed then (red17 attack run).
   */
  head: (who?: Who) => { o: number[]; t: number }
  /** Seals and opens the `next` / `before` cursors. */
  cursors: PageCursorCodec
  /** Opens the reader's stream position a page may carry (`at`, reader-at.ts). */
  positions: PositionCodec
  /** Articles a page looks at before it stops with a cursor (snapshot.ts MAX_SCAN; tests cut pages sooner). */
  maxScan?: number
  /** Items of a page when the request does not say (FANOUT_SNAPSHOT_SIZE). */
  defaultLimit: number
  now: () => number
}

/** An error of the request: a problem code of the catalogue (services/shared/problem.ts), which says its status. */
export class RequestError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.code = code
  }

  /** The HTTP status the catalogue gives the code (a code it does not list is a 400). */
  get status(): number {
    return Object.hasOwn(problemCatalogue, this.code) ? problemCatalogue[this.code as ProblemCode].status : 400
  }
}

function intParam(q: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const raw = q.get(name)
  if (raw === null || raw === '') return fallback
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new RequestError('bad_message', `${name} must be an integer from ${min} to ${max}`)
  return n
}

function viewOf(url: URL, admission: Admission): SubView {
  const ref = url.pathname
  try {
    const v = viewFromQuery(url.searchParams, ref, false)
    if (v.filter.tickerFieldsOnly)
      throw new ProtocolError('bad_message', 'tickerFieldsOnly is for streams; pages carry whole versions', ref)
    checkAccess({ id: ref, ...v }, admission.audience)
    return { ...v, conn: { scope: admission.scope ?? unrestricted } }
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err
    throw new RequestError(err.code, err.message)
  }
}

/**
 * A release this process has yet to make that `who` may see (reader-at.ts), due at or before the
 * stream's watermark and by its host clock, or, `signed` (a position this process could verify),
 * past its host clock, of a record the stream's process had read (Ledger.owesRelease).
 */
export function owesFor(d: Pick<SnapshotRouteDeps, 'store' | 'now'>, who: Who): (p: Pick<Position, 'o' | 't'>, signed: boolean) => boolean {
  return (p, signed) => d.store.ledger.owesRelease(Math.min(p.t, d.now()), who.clearance, who.scope, signed ? p : undefined)
}

/** Whom a page is for: the clearance and token scope (releases owed are those it may see). */
export interface Who {
  clearance: Clearance
  scope: AudienceScope
}

/**
 * Where the reader's stream is (`at`), to hold the page to; throws RequestError when that stream is
 * past what this process has read or released (reader-at.ts).
 */
export function refuseIfAhead(
  q: URLSearchParams,
  d: Pick<SnapshotRouteDeps, 'positions' | 'store' | 'head' | 'now'>,
  who: Who,
): ReaderStream {
  const r = readerAt(q.get('at'), {
    positions: d.positions,
    partitions: d.store.partitions,
    head: d.head,
    owes: owesFor(d, who),
    now: d.now,
  })
  if ('refused' in r) throw new RequestError(r.refused.code, r.refused.message)
  return r
}

/** A refusal as a problem; `not_ready` says when to come back (this process reads on meanwhile). */
export function sendRequestError(res: ServerResponse, err: RequestError): void {
  sendProblem(res, err.code, err.message, err.code === 'not_ready' ? { 'retry-after': '1' } : {})
}

/** The body of a GET /v1/snapshot answer; throws RequestError. */
export function answerPage(url: URL, admission: Admission, d: SnapshotRouteDeps): string {
  const q = url.searchParams
  const view = viewOf(url, admission)
  const limit = intParam(q, 'limit', 1, MAX_PAGE, Math.min(d.defaultLimit, MAX_PAGE))
  const scope = admission.scope ?? unrestricted
  const clearance = clearanceOf(admission.audience, scope)
  const who = { clearance, scope }
  const { releasedBy } = refuseIfAhead(q, d, who)
  const before = q.get('before')
  let start: { from: { at: number; id: string } | null; o: number[]; t: number }
  if (before === null || before === '') {
    const head = d.head(who)
    start = { from: null, o: head.o, t: head.t }
  } else {
    try {
      const c = d.cursors.decode(before, d.store.partitions)
      start = { from: c.key, o: c.o, t: c.t }
      // Sealed by an instance (a worker) that had read further than this one: what this one holds
      // may be older than what the cursor has seen (a kill, a hold), and the stream at the cursor's
      // position would never retract it (red9). Let the client retry, here or elsewhere. Or one that
      // had released further: this one would leave out for good what it has yet to release (red16).
      if (!offsetsAtLeast(d.head().o, c.o) || owesFor(d, who)(c, true))
        throw new RequestError('not_ready', 'this instance is behind the cursor; retry')
    } catch (err) {
      if (err instanceof CursorError) throw new RequestError('invalid_cursor', err.message)
      throw err
    }
  }
  // The first page is the state now; later ones leave out what changed after the first
  const asOf = start.from === null ? null : { o: start.o, t: start.t }
  const { items, next } = page(d.store, { clearance, view, limit, from: start.from, asOf, releasedBy, maxScan: d.maxScan }, eventJson)
  return pageBody(items, next === null ? null : d.cursors.encode({ key: next, o: start.o, t: start.t }))
}

/** The body of a GET /v1/counts answer; throws RequestError. */
export function answerCounts(url: URL, admission: Admission, d: SnapshotRouteDeps): string {
  return countsAnswer(url, admission, d).body
}

/** The counts, and what they are without their window (`from`, `to` move every millisecond): a weak validator. */
function countsAnswer(url: URL, admission: Admission, d: SnapshotRouteDeps): { body: string; counted: string } {
  const view = viewOf(url, admission)
  const windowS = intParam(url.searchParams, 'window', 60, MAX_WINDOW_S, DEFAULT_WINDOW_S)
  const scope = admission.scope ?? unrestricted
  const clearance = clearanceOf(admission.audience, scope)
  const { releasedBy } = refuseIfAhead(url.searchParams, d, { clearance, scope })
  const now = d.now()
  const since = now - windowS * 1000
  const c = countRecent(d.store, {
    clearance,
    view,
    releasedBy,
    since,
    maxArticles: MAX_COUNTED,
    ...(d.maxScan === undefined ? {} : { maxScan: d.maxScan }),
  })
  const counted = JSON.stringify({
    categories: c.categories,
    articles: c.articles.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
    truncated: c.truncated,
  })
  const window = JSON.stringify({ from: new Date(c.since ?? now).toISOString(), to: new Date(now).toISOString() })
  return { body: `${window.slice(0, -1)},${counted.slice(1)}`, counted }
}

/** Serves GET /v1/snapshot or /v1/counts for an admitted request (origin and token checked). */
export function handleSnapshotRoute(req: IncomingMessage, res: ServerResponse, url: URL, admission: Admission, d: SnapshotRouteDeps): void {
  let body: string
  let validator: string | undefined
  try {
    if (url.pathname === '/v1/counts') {
      const a = countsAnswer(url, admission, d)
      body = a.body
      validator = a.counted
    } else body = answerPage(url, admission, d)
  } catch (err) {
    if (!(err instanceof RequestError)) throw err
    sendRequestError(res, err)
    return
  }
  sendCacheable(req, res, admission, body, validator)
}

/**
 * A JSON answer as every page route sends it: the newsroom's `private, no-store`; the public's
 * storable by shared caches but revalidated every time (`no-cache` + ETag, 304 when unchanged),
 * so a kill or a deletion is never served from a cache. `validator`: what the body says apart from
 * details that move on their own (counts' window), for a weak ETag: the same counts revalidate.
 */
export function sendCacheable(
  req: IncomingMessage,
  res: ServerResponse,
  admission: Pick<Admission, 'audience'>,
  body: string,
  validator?: string,
): void {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }
  if (admission.audience === 'newsroom') {
    res.writeHead(200, { ...headers, 'cache-control': 'private, no-store' })
    res.end(body)
    return
  }
  const tag = `"${createHash('sha256')
    .update(validator ?? body)
    .digest('base64url')
    .slice(0, 27)}"`
  const etag = validator === undefined ? tag : `W/${tag}`
  const cacheHeaders = { 'cache-control': 'public, no-cache', etag, vary: 'Authorization, Origin' }
  const match = req.headers['if-none-match']
  // weak comparison (RFC 9110 13.1.2), as If-None-Match asks
  if (match?.split(',').some((t) => t.trim().replace(/^W\//, '') === tag)) {
    res.writeHead(304, cacheHeaders)
    res.end()
    return
  }
  res.writeHead(200, { ...headers, ...cacheHeaders })
  res.end(body)
}
