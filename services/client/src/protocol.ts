// The wire protocol: endpoint URLs, outgoing frames, and validation of incoming frames.
import { entryHook } from './entry-hook.ts'
import { ClientError } from './errors.ts'
import type { ArticleEvent, CatchUp, ClientFrame, PageCursor, Position, ServerFrame, StreamFilter, WithdrawnCause } from './types.ts'

export const streamPath = '/v1/stream'
export const ssePath = '/v1/sse'

export interface Endpoints {
  /** ws(s)://host/prefix/v1/stream */
  websocket: string
  /** http(s)://host/prefix/v1/sse; /v1/snapshot and /v1/counts are beside it */
  sse: string
}

/**
 * Accepts the server's base URL or either endpoint, with any of ws, wss, http, https:
 * `wss://news.example/`, `https://news.example/v1/sse`, `/` (browser, relative to the page).
 */
export function endpoints(url: string | URL): Endpoints {
  const base = (globalThis as { location?: { href?: string } }).location?.href
  let parsed: URL
  try {
    parsed = new URL(String(url), base)
  } catch {
    throw new TypeError(`Invalid Newswire URL: ${String(url)}`)
  }
  const secure = parsed.protocol === 'wss:' || parsed.protocol === 'https:'
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(parsed.protocol)) {
    throw new TypeError(`Newswire URL must use ws, wss, http or https: ${parsed.href}`)
  }
  let prefix = parsed.pathname.replace(/\/+$/, '')
  for (const suffix of [streamPath, ssePath]) {
    if (prefix.endsWith(suffix)) prefix = prefix.slice(0, -suffix.length)
  }
  const at = (protocol: string, path: string) => {
    const u = new URL(parsed.href)
    u.protocol = protocol
    u.pathname = prefix + path
    u.hash = ''
    return u.href
  }
  return { websocket: at(secure ? 'wss:' : 'ws:', streamPath), sse: at(secure ? 'https:' : 'http:', ssePath) }
}

/**
 * The subprotocols a stream offers: `newswire` first (a server that answers the first offered
 * answers it, and is sent a `subscribe`), then the one a server answers when it took the
 * subscription the URL names, then `token` as `newswire.bearer.<token>` (a browser cannot set a
 * header on an upgrade, so it travels as one, as Kubernetes does, not in the URL that proxies and
 * CDNs log; never answered with). A JWT is base64url and dots, all token characters; a token a
 * subprotocol cannot carry stays in the URL (client.ts).
 */
export const streamProtocols = (token: string | undefined): string[] => [
  'newswire',
  urlSubscriptionProtocol,
  ...(token && /^[\w.-]+$/.test(token) ? [`newswire.bearer.${token}`] : []),
]

/** The subprotocol a server answers with when it took the subscription the stream's URL names. */
export const urlSubscriptionProtocol = 'newswire.url-subscription'

/** Channels and filter as query parameters, the same for /v1/sse, /v1/snapshot, /v1/counts and story pages. */
export function setView(q: URLSearchParams, channels: readonly string[], filter: StreamFilter | undefined): void {
  if (channels.length > 0) q.set('channels', channels.join(','))
  const f = filter ?? {}
  if (f.languages?.length) q.set('languages', f.languages.join(','))
  if (f.maxUrgency !== undefined) q.set('maxUrgency', String(f.maxUrgency))
  if (f.categories?.length) q.set('categories', f.categories.join(','))
  if (f.states?.length) q.set('states', f.states.join(','))
}

const SUBSCRIPTION_PARAMS = 'channels languages maxUrgency categories states tickerFieldsOnly since catchUp entries id'.split(' ')

/**
 * A stream's URL, /v1/sse's or /v1/stream's: the subscription it names (the same parameters for
 * both; `id` on a WebSocket's), and `token` when nothing else can carry it.
 */
export function streamUrl(
  endpoint: string,
  sub: {
    channels: string[]
    filter: StreamFilter | undefined
    since: Position | null
    token: string | undefined
    catchUp?: CatchUp
    entries?: number | undefined
    /** The subscription's id, on a stream URL. */
    id?: string
  },
): string {
  const u = new URL(endpoint)
  const q = u.searchParams
  // the subscription is the SDK's alone: one an app's URL named would be taken beside it (red23c)
  for (const k of SUBSCRIPTION_PARAMS) q.delete(k)
  setView(q, sub.channels, sub.filter)
  if (sub.filter?.tickerFieldsOnly) q.set('tickerFieldsOnly', '1')
  // since rather than Last-Event-ID: a custom header would cost a CORS preflight in browsers
  if (sub.since !== null) q.set('since', sub.since)
  if (sub.catchUp === 'latest') q.set('catchUp', 'latest')
  if (sub.entries !== undefined) q.set('entries', String(sub.entries))
  // an injected EventSource cannot send a header (the fetch reader sends Authorization), nor a
  // subprotocol carry every token
  if (sub.token !== undefined) q.set('token', sub.token)
  if (sub.id) q.set('id', sub.id)
  return u.href
}

/**
 * GET /v1/snapshot, beside `sse` (the /v1/sse endpoint): a page of the view, after `cursor` (null:
 * the newest), for a client whose stream is at `at` (a server behind it answers 503). The token goes
 * in the Authorization header, not the URL. tickerFieldsOnly is for streams and left out.
 */
export function snapshotUrl(
  sse: string,
  view: { channels: string[]; filter: StreamFilter | undefined },
  cursor: PageCursor | null,
  limit?: number,
  at?: string | null,
): string {
  const u = new URL('snapshot', sse)
  setView(u.searchParams, view.channels, view.filter)
  if (cursor !== null) u.searchParams.set('before', cursor)
  if (limit !== undefined) u.searchParams.set('limit', String(limit))
  if (at) u.searchParams.set('at', at)
  return u.href
}

/** GET /v1/counts, beside `sse`, for the view over `windowSeconds`, as of the stream's position `at`. */
export function countsUrl(
  sse: string,
  view: { channels: string[]; filter: StreamFilter | undefined },
  windowSeconds?: number,
  at?: string | null,
): string {
  const u = new URL('counts', sse)
  setView(u.searchParams, view.channels, view.filter)
  if (windowSeconds !== undefined) u.searchParams.set('window', String(windowSeconds))
  if (at) u.searchParams.set('at', at)
  return u.href
}

export function encodeFrame(frame: ClientFrame): string {
  return JSON.stringify(frame)
}

export type Obj = Record<string, unknown>
/** Checks frames are made of (entry-protocol.ts shares them). */
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
export const isStr = (v: unknown): v is string => typeof v === 'string'

function bad(what: string, raw: unknown): ClientError {
  let sample: string
  try {
    sample = JSON.stringify(raw)?.slice(0, 200) ?? String(raw)
  } catch {
    sample = String(raw)
  }
  return new ClientError('NEWSWIRE_ERR_CLIENT_PROTOCOL', `Unexpected frame from server (${what}): ${sample}`, { retriable: true })
}

/** An article event (asSnapshotItem takes one out of an `event` frame). */
function asArticleEvent(raw: unknown): ArticleEvent | null {
  if (!isObj(raw) || !isStr(raw.eventId) || !isObj(raw.article)) return null
  const a = raw.article
  if (!isStr(a.id) || typeof a.version !== 'number') return null
  return raw as ArticleEvent
}

/**
 * A snapshot item: the article event, with the server's `"embargoed": true` (newsroom only) spliced
 * into the event object itself, or a whole `event` frame carrying the flag beside the event.
 */
export function asSnapshotItem(raw: unknown): { event: ArticleEvent; embargoed: boolean; channel: string | null } | null {
  if (isObj(raw) && raw.type === 'event' && isObj(raw.event)) {
    const event = asArticleEvent(raw.event)
    return event && { event, embargoed: raw.embargoed === true, channel: isStr(raw.channel) && raw.channel !== '' ? raw.channel : null }
  }
  const event = asArticleEvent(raw)
  if (!event) return null
  if (!('embargoed' in event)) return { event, embargoed: false, channel: null }
  // The flag is about this delivery, not part of the event: leave the event as live ones are
  const { embargoed, ...rest } = event
  return { event: rest as ArticleEvent, embargoed: embargoed === true, channel: null }
}

/** Validates a decoded frame; unknown `type`s return null (ignored, for forward compatibility). */
export function parseFrame(raw: unknown): ServerFrame | ClientError | null {
  if (!isObj(raw) || !isStr(raw.type)) return bad('no type', raw)
  switch (raw.type) {
    case 'subscribed':
      if (!isStr(raw.position)) return bad('subscribed without position', raw)
      return {
        type: 'subscribed',
        ...(isStr(raw.id) ? { id: raw.id } : {}),
        channels: Array.isArray(raw.channels) ? raw.channels.filter(isStr) : [],
        position: raw.position,
        snapshot: Array.isArray(raw.snapshot) ? raw.snapshot : [],
        ...('more' in raw ? { more: isStr(raw.more) ? raw.more : null } : {}),
        ...entryHook.support?.entriesOf(raw),
      }
    case 'event': {
      const event = asArticleEvent(raw.event)
      if (!isStr(raw.position) || !event) return bad('malformed event', raw)
      return {
        type: 'event',
        channel: isStr(raw.channel) ? raw.channel : '',
        position: raw.position,
        event,
        embargoed: raw.embargoed === true,
        released: raw.released === true,
      }
    }
    case 'withdrawn':
      if (!isStr(raw.position) || !isStr(raw.articleId)) return bad('malformed withdrawn', raw)
      return {
        type: 'withdrawn',
        position: raw.position,
        articleId: raw.articleId,
        reason: isStr(raw.reason) ? raw.reason : null,
        cause: isStr(raw.cause) ? (raw.cause as WithdrawnCause) : null,
        // the version it was decided on: an older version arriving later (a page) is stale
        version: typeof raw.version === 'number' ? raw.version : null,
        guess: raw.guess === true,
        erased: raw.erased === true,
      }
    case 'reset':
      if (!isStr(raw.position)) return bad('reset without position', raw)
      return {
        type: 'reset',
        position: raw.position,
        snapshot: Array.isArray(raw.snapshot) ? raw.snapshot : [],
        more: isStr(raw.more) ? raw.more : null,
        ...entryHook.support?.entriesOf(raw),
      }
    case 'error':
      return {
        type: 'error',
        code: isStr(raw.code) ? raw.code : 'unknown',
        message: isStr(raw.message) ? raw.message : '',
        ...(isStr(raw.ref) ? { ref: raw.ref } : {}),
      }
    case 'pong':
      return { type: 'pong', ...(isStr(raw.id) ? { id: raw.id } : {}) }
    case 'gap': {
      const shed: Record<string, number> = {}
      if (isObj(raw.shed)) for (const [k, v] of Object.entries(raw.shed)) if (typeof v === 'number') shed[k] = v
      return {
        type: 'gap',
        ...(isStr(raw.id) ? { id: raw.id } : {}),
        ...(isStr(raw.position) ? { position: raw.position } : {}),
        shed,
        conflated: typeof raw.conflated === 'number' ? raw.conflated : 0,
      }
    }
    case 'reconnect':
      if (typeof raw.retryAfterMs !== 'number' || !(raw.retryAfterMs >= 0)) return bad('reconnect without retryAfterMs', raw)
      return { type: 'reconnect', retryAfterMs: raw.retryAfterMs, ...(isStr(raw.reason) ? { reason: raw.reason } : {}) }
    default: {
      // entry, entryWithdrawn: ignored like any type this client does not know until live stories are in use
      const frame = entryHook.support?.parse(raw)
      return typeof frame === 'string' ? bad(frame, raw) : (frame ?? null)
    }
  }
}

/** Decodes a text frame: JSON.parse + parseFrame. */
export function decodeFrame(text: string): ServerFrame | ClientError | null {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return bad('not JSON', text)
  }
  return parseFrame(raw)
}
