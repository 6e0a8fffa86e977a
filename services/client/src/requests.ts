// Requests beside the stream: pages of older items (GET /v1/snapshot) and counts (GET /v1/counts).
// The token goes in the Authorization header (never the URL); a public answer may come from the
// browser's cache after revalidation (the server's ETag), a newsroom one never. Problems (RFC 9457
// problem+json) become a ClientError carrying the server's detail.
import { ClientError, errorMessage } from './errors.ts'
import { countsUrl, type Endpoints, snapshotUrl } from './protocol.ts'
import type { Clock, FetchLike, NewsEventMessage, OlderPage, PageCursor, RecentCounts, StreamFilter, StreamReaderLike } from './types.ts'

/** What a request needs of the client: where, as whom, which view. */
export interface RequestContext {
  endpoints: Endpoints
  view: { channels: string[]; filter: StreamFilter | undefined }
  fetch: FetchLike | undefined
  token: string | undefined
  timeoutMs: number
  clock: Clock
}

async function readText(reader: StreamReaderLike): Promise<string> {
  const decoder = new TextDecoder()
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text + decoder.decode()
    if (value) text += decoder.decode(value, { stream: true })
  }
}

const fail = (what: string, message: string, details: Record<string, unknown> = {}) =>
  new ClientError('NEWSWIRE_ERR_CLIENT_REQUEST', `${what}: ${message}`, { details })

/** GETs `url` and parses its JSON; rejects with NEWSWIRE_ERR_CLIENT_REQUEST (details.status, details.serverCode). */
export async function getJson(
  fetchFn: FetchLike,
  url: string,
  o: { token: string | undefined; timeoutMs: number; clock: Clock },
): Promise<unknown> {
  const what = `GET ${new URL(url).pathname}`
  const abort = new AbortController()
  const timer = o.timeoutMs > 0 ? o.clock.setTimeout(() => abort.abort(), o.timeoutMs) : null
  try {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`
    let res: Awaited<ReturnType<FetchLike>>
    try {
      res = await fetchFn(url, { headers, signal: abort.signal, cache: o.token === undefined ? 'no-cache' : 'no-store' })
    } catch (err) {
      throw fail(what, abort.signal.aborted ? `no answer within ${o.timeoutMs} ms` : errorMessage(err))
    }
    const text = res.body ? await readText(res.body.getReader()) : ''
    let body: unknown
    try {
      body = text === '' ? null : JSON.parse(text)
    } catch {
      throw fail(what, `the answer is not JSON (HTTP ${res.status})`, { status: res.status })
    }
    if (!res.ok) {
      const p = (typeof body === 'object' && body !== null ? body : {}) as { detail?: unknown; code?: unknown }
      const detail = typeof p.detail === 'string' ? p.detail : `${res.status} ${res.statusText}`.trim()
      throw fail(what, `HTTP ${res.status}: ${detail}`, {
        status: res.status,
        ...(typeof p.code === 'string' ? { serverCode: p.code } : {}),
      })
    }
    return body
  } finally {
    if (timer !== null) o.clock.clearTimeout(timer)
  }
}

function fetchOf(ctx: RequestContext): FetchLike {
  if (!ctx.fetch) throw new TypeError('older() and counts() need fetch: pass { fetch } to connect()')
  return ctx.fetch
}

/** GET /v1/snapshot; `accept` keeps the items the client has not had (Delivery.acceptPage). */
export async function requestOlder(
  ctx: RequestContext,
  cursor: PageCursor | null,
  limit: number | undefined,
  accept: (items: readonly unknown[]) => NewsEventMessage[],
): Promise<OlderPage> {
  if (cursor !== null && (typeof cursor !== 'string' || cursor === ''))
    throw new TypeError('cursor must be a string from more or next, or null')
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 200))
    throw new TypeError('limit must be an integer from 1 to 200')
  const body = (await getJson(fetchOf(ctx), snapshotUrl(ctx.endpoints.snapshot, ctx.view, cursor, limit), ctx)) as {
    items?: unknown
    next?: unknown
  } | null
  if (!body || !Array.isArray(body.items)) throw fail('GET /v1/snapshot', 'the answer has no items')
  return { items: accept(body.items), next: typeof body.next === 'string' ? body.next : null }
}

/** GET /v1/counts over `windowSeconds` (default: the server's hour). */
export async function requestCounts(ctx: RequestContext, windowSeconds: number | undefined): Promise<RecentCounts> {
  const w = windowSeconds
  if (w !== undefined && (!Number.isInteger(w) || w < 60 || w > 604_800))
    throw new TypeError('windowSeconds must be an integer from 60 to 604800')
  const body = (await getJson(fetchOf(ctx), countsUrl(ctx.endpoints.counts, ctx.view, w), ctx)) as RecentCounts | null
  if (!body || !Array.isArray(body.categories) || !Array.isArray(body.articles)) throw fail('GET /v1/counts', 'the answer is not counts')
  return body
}
