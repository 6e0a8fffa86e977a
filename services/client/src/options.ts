// connect() options: every default in one object, impossible combinations throw TypeError.
import { defaultBackoff } from './backoff.ts'
import { systemClock } from './clock.ts'
import type {
  BackoffOptions,
  CatchUp,
  Clock,
  ConnectOptions,
  EventSourceConstructor,
  FetchLike,
  Position,
  StreamFilter,
  TransportKind,
  WebSocketConstructor,
} from './types.ts'

export const defaultOptions = {
  transport: 'auto',
  maxRetries: Number.POSITIVE_INFINITY,
  giveUpAfterMs: 10 * 60_000,
  fallbackAfter: 2,
  connectTimeoutMs: 10_000,
  pingIntervalMs: 25_000,
  pongTimeoutMs: 10_000,
  dedupeCapacity: 50_000,
} as const

export interface ResolvedOptions {
  channels: string[]
  filter: StreamFilter | undefined
  token: string | undefined
  since: Position | null
  catchUp: CatchUp
  /** Latest entries in a `story:` snapshot; undefined: the server's default. */
  entries: number | undefined
  transport: 'auto' | TransportKind
  WebSocket: WebSocketConstructor | undefined
  EventSource: EventSourceConstructor | undefined
  fetch: FetchLike | undefined
  backoff: BackoffOptions
  maxRetries: number
  giveUpAfterMs: number
  fallbackAfter: number
  connectTimeoutMs: number
  pingIntervalMs: number
  pongTimeoutMs: number
  dedupeCapacity: number
  clock: Clock
  random: () => number
}

export function checkChannels(channels: unknown): string[] {
  if (!Array.isArray(channels) || channels.length === 0 || !channels.every((c) => typeof c === 'string' && c !== '')) {
    throw new TypeError('channels must be a non-empty array of channel names')
  }
  return [...channels]
}

function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) throw new TypeError(`${name} must be a number >= 0`)
  return value
}

export function resolveOptions(options: ConnectOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('connect(url, options): options are required')
  const host = globalThis as { WebSocket?: WebSocketConstructor; EventSource?: EventSourceConstructor; fetch?: FetchLike }
  const WebSocket = options.WebSocket ?? host.WebSocket
  // An explicit EventSource wins; otherwise the fetch reader, and the host's EventSource only without fetch
  const fetchFn = options.fetch ?? (options.EventSource ? undefined : host.fetch?.bind(globalThis))
  const EventSource = options.EventSource ?? (fetchFn ? undefined : host.EventSource)
  const transport = options.transport ?? defaultOptions.transport
  if (!['auto', 'websocket', 'sse'].includes(transport))
    throw new TypeError(`transport must be 'auto', 'websocket' or 'sse', not ${String(transport)}`)
  const canSse = fetchFn !== undefined || EventSource !== undefined
  if (transport === 'websocket' && !WebSocket) {
    throw new TypeError("transport 'websocket' needs a WebSocket constructor: in Node 20 pass { WebSocket } from the ws package")
  }
  if (transport === 'sse' && !canSse) throw new TypeError("transport 'sse' needs fetch or an EventSource constructor")
  if (transport === 'auto' && !WebSocket && !canSse) {
    throw new TypeError('no transport available: pass { WebSocket } (e.g. from the ws package), fetch or EventSource')
  }
  const backoff = { ...defaultBackoff, ...options.backoff }
  nonNegative('backoff.minMs', backoff.minMs)
  nonNegative('backoff.maxMs', backoff.maxMs)
  if (backoff.minMs > backoff.maxMs) throw new TypeError('backoff.minMs must not exceed backoff.maxMs')
  if (!(backoff.factor >= 1)) throw new TypeError('backoff.factor must be >= 1')
  const fallbackAfter = options.fallbackAfter ?? defaultOptions.fallbackAfter
  if (!Number.isInteger(fallbackAfter) || fallbackAfter < 1) throw new TypeError('fallbackAfter must be an integer >= 1')
  const dedupeCapacity = options.dedupeCapacity ?? defaultOptions.dedupeCapacity
  if (!Number.isInteger(dedupeCapacity) || dedupeCapacity < 1) throw new TypeError('dedupeCapacity must be an integer >= 1')
  if (options.since !== undefined && typeof options.since !== 'string') throw new TypeError('since must be a position string')
  const catchUp = options.catchUp ?? 'all'
  if (catchUp !== 'all' && catchUp !== 'latest') throw new TypeError(`catchUp must be 'all' or 'latest', not ${String(catchUp)}`)
  const { entries } = options
  if (entries !== undefined && (!Number.isInteger(entries) || entries < 1 || entries > 100))
    throw new TypeError('entries must be an integer from 1 to 100')
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token === ''))
    throw new TypeError('token must be a non-empty string')
  return {
    channels: checkChannels(options.channels),
    filter: options.filter === undefined ? undefined : copyFilter(options.filter),
    token: options.token,
    since: options.since ?? null,
    catchUp,
    entries,
    transport,
    WebSocket,
    EventSource,
    fetch: fetchFn,
    backoff,
    maxRetries: nonNegative('maxRetries', options.maxRetries ?? defaultOptions.maxRetries),
    giveUpAfterMs: nonNegative('giveUpAfterMs', options.giveUpAfterMs ?? defaultOptions.giveUpAfterMs),
    fallbackAfter,
    connectTimeoutMs: nonNegative('connectTimeoutMs', options.connectTimeoutMs ?? defaultOptions.connectTimeoutMs),
    pingIntervalMs: nonNegative('pingIntervalMs', options.pingIntervalMs ?? defaultOptions.pingIntervalMs),
    pongTimeoutMs: nonNegative('pongTimeoutMs', options.pongTimeoutMs ?? defaultOptions.pongTimeoutMs),
    dedupeCapacity,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  }
}

/** Deep (the lists too): a resume asks for the view its snapshot was taken in, whatever the app changes later. */
export const copyFilter = (f: StreamFilter): StreamFilter => JSON.parse(JSON.stringify(f)) as StreamFilter
