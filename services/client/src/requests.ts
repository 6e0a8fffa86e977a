// Requests beside the stream: pages of older items (GET /v1/snapshot) and counts (GET /v1/counts),
// as `older(client, cursor)` and `counts(client)`.
// The token goes in the Authorization header (never the URL); a public answer may come from the
// browser's cache after revalidation (the server's ETag), a newsroom one never. Problems (RFC 9457
// problem+json) become a ClientError carrying the server's detail.
import type { Client } from './client.ts'
import { ClientError, errorMessage } from './errors.ts'
import { outsideOf } from './narrower.ts'
import { countsUrl, snapshotUrl } from './protocol.ts'
import { requestHooks } from './request-hooks.ts'
import type {
  Clock,
  CountsOptions,
  FetchLike,
  NewsEventMessage,
  OlderOptions,
  OlderPage,
  PageCursor,
  RecentCounts,
  StreamFilter,
  StreamReaderLike,
} from './types.ts'

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

/**
 * Waits before asking again when the server has not read as far as this client's stream (503
 * `not_ready` for its `at`): another process behind the same address, a moment behind, reads on.
 */
const NOT_READY_WAITS_MS = [250, 500, 1000]

/**
 * GETs `url` and parses its JSON, asking again while the server is a moment behind the client's
 * stream; rejects with NEWSWIRE_ERR_CLIENT_REQUEST (details.status, details.serverCode).
 */
export async function getJson(
  fetchFn: FetchLike,
  url: string,
  o: { token: string | undefined; timeoutMs: number; clock: Clock },
): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await getOnce(fetchFn, url, o)
    } catch (err) {
      const wait = NOT_READY_WAITS_MS[attempt]
      if (wait === undefined || !(err instanceof ClientError) || err.details.serverCode !== 'not_ready') throw err
      await new Promise<void>((resolve) => o.clock.setTimeout(resolve, wait))
    }
  }
}

async function getOnce(
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

// A page goes with the stream's position (`at`), so one asked before the first waits for it, then
// is asked again from the start (the view may have changed meanwhile): sent without it, any process
// answered with its state then, and a story killed after that and before the subscription started
// was in the page, never told of (red14 attack run). Rejects if the client ends first.
export const started = (client: Client) =>
  new Promise<void>((resolve, reject) => {
    const offs = [
      client.on('subscribed', () => end(resolve)),
      client.on('state', ({ state }) => {
        if (state === 'failed' || state === 'disconnected') end(() => reject(fail('a page', 'the client closed first')))
      }),
    ]
    const end = (then: () => void) => {
      for (const off of offs) off()
      then()
    }
  })

/** What a request needs of a client: where, as whom, which view, and its duplicate filter. */
interface RequestContext {
  /** The fan-out's /v1/sse: the other routes are beside it. */
  sse: string
  view: { channels: string[]; filter: StreamFilter | undefined }
  /** The stream's own view. */
  stream: { channels: string[]; filter: StreamFilter | undefined }
  fetch: FetchLike
  token: string | undefined
  timeoutMs: number
  clock: Clock
  /** Keeps the page items the client has not had, marking them delivered. */
  accept(items: readonly unknown[]): NewsEventMessage[]
}

function contextOf(client: Client, view: { channels?: string[]; filter?: StreamFilter }): RequestContext {
  const hook = requestHooks.get(client)
  if (!hook) throw new TypeError('not a Newswire client: pass what connect() returned')
  const [o, endpoints, channels, filter, delivery] = hook()
  const askedAt = delivery.resets
  const fetchFn = o.fetch ?? (globalThis as { fetch?: FetchLike }).fetch
  if (!fetchFn) throw new TypeError('older() and counts() need fetch: pass { fetch } to connect()')
  return {
    sse: endpoints.sse,
    view: { channels: view.channels ?? channels, filter: view.filter ?? filter },
    stream: { channels, filter },
    fetch: fetchFn,
    token: o.token,
    timeoutMs: o.connectTimeoutMs,
    clock: o.clock,
    accept: (items) => {
      delivery.refuseIfReset(askedAt, 'GET /v1/snapshot')
      return delivery.acceptPage(items, client.position ?? '')
    },
  }
}

/** Kills and holds reach a client through its stream's view only: a wider view is refused before asking. */
function refuseWider(ctx: RequestContext, what: string): void {
  const outside = outsideOf(ctx.view, ctx.stream)
  if (outside !== null)
    throw new ClientError(
      'NEWSWIRE_ERR_CLIENT_REQUEST',
      `${what}: ${outside}; its stories' kills would never reach this client (a client of that view can ask for it)`,
      { details: { view: true } },
    )
}

/**
 * A page of the items older than `cursor` (`subscribed.more`, `reset.more`, or a page's `next`;
 * null: the newest page), newest editorial time first. The server decides every item as it
 * decides the stream: the client's token, and its channels and filter unless `options` gives
 * others within them (a wider view is refused: its stories' kills would not reach this client).
 * Versions the client already had are left out, and those returned are not delivered again by
 * its stream. Rejects with NEWSWIRE_ERR_CLIENT_REQUEST (a bad cursor: status 400).
 *
 * @example
 * client.on('subscribed', ({ more }) => { if (more !== undefined) cursor = more })
 * const page = await older(client, cursor, { limit: 50 })
 * cursor = page.next
 */
export async function older(client: Client, cursor: PageCursor | null, options: OlderOptions = {}): Promise<OlderPage> {
  const { limit } = options
  if (cursor !== null && (typeof cursor !== 'string' || cursor === ''))
    throw new TypeError('cursor must be a string from more or next, or null')
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 200))
    throw new TypeError('limit must be an integer from 1 to 200')
  const ctx = contextOf(client, options)
  refuseWider(ctx, 'older()')
  if (client.position === null) return started(client).then(() => older(client, cursor, options))
  // the position of the stream, so a server behind it does not answer with what it took back
  const body = (await getJson(ctx.fetch, snapshotUrl(ctx.sse, ctx.view, cursor, limit, client.position), ctx)) as {
    items?: unknown
    next?: unknown
  } | null
  if (!body || !Array.isArray(body.items)) throw fail('GET /v1/snapshot', 'the answer has no items')
  return { items: ctx.accept(body.items), next: typeof body.next === 'string' ? body.next : null }
}

/**
 * Stories per category over the last hour (or `windowSeconds`) by editorial time, counted by the
 * server over everything it holds that the client may see (killed stories left out), with the
 * stories counted, so the counts can be kept from the stream afterwards. The view is the client's
 * unless `options` gives one within it; a wider one is refused as by older().
 */
export async function counts(client: Client, options: CountsOptions = {}): Promise<RecentCounts> {
  const w = options.windowSeconds
  if (w !== undefined && (!Number.isInteger(w) || w < 60 || w > 604_800))
    throw new TypeError('windowSeconds must be an integer from 60 to 604800')
  // counts are kept from the stream afterwards: a story counted from outside its view stays counted after its kill
  const ctx = contextOf(client, options)
  refuseWider(ctx, 'counts()')
  if (client.position === null) return started(client).then(() => counts(client, options))
  // as with older(): a server behind the stream would count stories the stream has killed
  const body = (await getJson(ctx.fetch, countsUrl(ctx.sse, ctx.view, w, client.position), ctx)) as RecentCounts | null
  if (!body || !Array.isArray(body.categories) || !Array.isArray(body.articles)) throw fail('GET /v1/counts', 'the answer is not counts')
  return body
}
