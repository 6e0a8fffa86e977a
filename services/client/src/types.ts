// Public types of the SDK: what the server sends, what the client delivers, and the options.
import type { ClientError } from './errors.ts'
import type { Correction, EntryFrame, EntryMessage, EntryWithdrawnFrame, EntryWithdrawnMessage } from './story-types.ts'

/** Kind of change an article event records. */
export type ArticleEventType = 'CREATED' | 'UPDATED' | 'WITHDRAWN' | 'UNKNOWN'

/**
 * An article as the stream carries it. `id` and `version` are always present; with
 * `tickerFieldsOnly` the server leaves most of the other fields out.
 */
export interface Article {
  id: string
  version: number
  url?: string | null
  language?: string
  headline?: string
  summary?: string | null
  body?: string[]
  category?: string | null
  categoryLabel?: string | null
  subjects?: string[]
  authors?: string[]
  /** ISO 8601 instant */
  publishedAt?: string | null
  /** ISO 8601 instant */
  updatedAt?: string | null
  urgency?: number
  pubStatus?: 'usable' | 'withheld' | 'canceled'
  /** ISO 8601 instant */
  embargoedUntil?: string | null
  breaking?: boolean
  dateline?: string | null
  timeZone?: string | null
  related?: { headline: string; url: string | null }[]
  /** A live story whose coverage is running (`story:<id>` carries its entries). */
  live?: boolean
  /** Every correction of the article, oldest first. */
  corrections?: Correction[]
  [field: string]: unknown
}

/** One change to one article (the Kafka record, as JSON). */
export interface ArticleEvent {
  eventId: string
  type: ArticleEventType
  article: Article
  /** ISO 8601 instant */
  occurredAt?: string
  /** ISO 8601 instant */
  ingestedAt?: string
  source?: string
  traceId?: string
  changedFields?: string[]
  reason?: string | null
  /** Set when this update is a correction: what was corrected. */
  correction?: Correction | null
  [field: string]: unknown
}

/**
 * What a newsroom tool must never get wrong about a story (editorial.ts): `live` (running),
 * `embargoed` (under embargo now), `withheld` (held back; it may still run), `withdrawn` (killed).
 */
export type EditorialState = 'live' | 'embargoed' | 'withheld' | 'withdrawn'

/** Server-side filter applied on top of the channels. Every field is optional. */
export interface StreamFilter {
  languages?: string[]
  maxUrgency?: number
  categories?: string[]
  tickerFieldsOnly?: boolean
  /**
   * Only stories in these editorial states, as the server's record has them now (embargoed: by
   * the server's clock). Anything but `live` needs a newsroom token; the public sees live only.
   */
  states?: EditorialState[]
}

/**
 * How a resume catches up: `all` (default) every missed version in order; `latest` only the
 * newest version of each article missed (conflated catch-up, for a dashboard opened the next day).
 */
export type CatchUp = 'all' | 'latest'

/** Opaque resume token; persist it and pass it back as `since`. */
export type Position = string

/** Opaque cursor of older items (`subscribed.more`, `reset.more`, a page's `next`); pass it to `client.older()`. */
export type PageCursor = string

// ---- wire frames, server → client ----

export interface SubscribedFrame {
  type: 'subscribed'
  id?: string
  channels: string[]
  position: Position
  snapshot: unknown[]
  /** Absent on a resume; null when the snapshot holds everything. */
  more?: PageCursor | null
  /** `story:` subscriptions: the story, its pinned and latest entries, and the seq below which older ones may be paged in. */
  story?: string
  entries?: unknown[]
  entriesMore?: number | null
}
export interface EventFrame {
  type: 'event'
  channel: string
  position: Position
  event: ArticleEvent
  embargoed?: boolean
  released?: boolean
}
export interface WithdrawnFrame {
  type: 'withdrawn'
  position: Position
  articleId: string
  reason?: string | null
  cause?: WithdrawnCause | null
  /** The article's version the withdrawal was decided on (null from older servers). */
  version?: number | null
  /** That version is a fan-out's stand-in hold's: a guess (dedupe.ts). */
  guess?: boolean
  erased?: boolean
}
export interface ResetFrame {
  type: 'reset'
  position: Position
  snapshot: unknown[]
  more?: PageCursor | null
  story?: string
  entries?: unknown[]
  entriesMore?: number | null
}
export interface ErrorFrame {
  type: 'error'
  code: string
  message: string
  ref?: string
}
export interface PongFrame {
  type: 'pong'
  id?: string
}
export interface GapFrame {
  type: 'gap'
  id?: string
  position?: Position
  shed: Record<string, number>
  conflated: number
}
export interface ReconnectFrame {
  type: 'reconnect'
  retryAfterMs: number
  reason?: string
}
export type ServerFrame =
  | SubscribedFrame
  | EventFrame
  | WithdrawnFrame
  | ResetFrame
  | ErrorFrame
  | PongFrame
  | GapFrame
  | ReconnectFrame
  | EntryFrame
  | EntryWithdrawnFrame

// ---- wire frames, client → server ----

export interface SubscribeRequest {
  type: 'subscribe'
  id: string
  channels: string[]
  filter?: StreamFilter
  since?: Position
  catchUp?: CatchUp
  /** `story:` subscriptions: how many latest entries the snapshot holds. */
  entries?: number
}
export interface UnsubscribeRequest {
  type: 'unsubscribe'
  id: string
}
export interface PingRequest {
  type: 'ping'
  id: string
}
export type ClientFrame = SubscribeRequest | UnsubscribeRequest | PingRequest

// ---- what the client delivers ----

/**
 * A new article version. Each `(article.id, article.version)` and each `eventId` is delivered
 * at most once per client. `snapshot: true` marks items of the `subscribed` snapshot (their
 * `channel` is `null` and `position` is the subscription's position).
 */
export interface NewsEventMessage {
  type: 'event'
  channel: string | null
  position: Position
  event: ArticleEvent
  /** Newsroom only: the article is still under embargo. */
  embargoed: boolean
  /** The embargo on this version has just been lifted. */
  released: boolean
  snapshot: boolean
}

/**
 * The article must not be shown as running any more. Public clients get it when the version they
 * could see was withdrawn, withheld or canceled (`reason` says which); the newsroom gets it only
 * for a withdrawal, and receives withheld and canceled versions as `event`s instead.
 */
export interface WithdrawnMessage {
  type: 'withdrawn'
  position: Position
  articleId: string
  reason: string | null
  /**
   * Why, when the server says: `withdrawn` or `canceled` (killed: must never run), `withheld`,
   * `embargoed` (held again), `left` (it no longer matches this subscription's channels, filter,
   * states or scope: take it out of this view, it is not killed). null from older servers.
   */
  cause?: WithdrawnCause | null
  /** The kill is a legal erasure: a newsroom view that keeps killed stories drops this one's text too. */
  erased?: boolean
}

export type WithdrawnCause = 'withdrawn' | 'canceled' | 'withheld' | 'embargoed' | 'left'

/**
 * The server could not resume from the client's position (older than retention, or the topic
 * changed). Throw away what you have and rebuild from `items` (or `snapshot`, the same events alone).
 */
export interface ResetMessage {
  type: 'reset'
  position: Position
  snapshot: ArticleEvent[]
  /** The snapshot as `event` messages (`snapshot: true`), with the newsroom's `embargoed` flag. */
  items: NewsEventMessage[]
  /** The cursor of the items older than this snapshot (replace the one you had); null: none. */
  more: PageCursor | null
  /** `story:` subscriptions, when the server sends them: the story's entries now (replace yours) and their paging cursor. */
  entries?: EntryMessage[]
  entriesMore?: number | null
}

/**
 * The connection fell behind and the server dropped updates for this subscription rather than
 * the connection: `shed` counts dropped messages by lane (`routine`: urgency 3 and up; breaking
 * items and withdrawals are never shed), `conflated` counts older versions replaced by a newer
 * one of the same article. Refresh whatever needs to be complete (e.g. reload a list).
 */
export interface GapMessage {
  type: 'gap'
  position: Position | null
  shed: Record<string, number>
  conflated: number
}

/** What the async iterator yields: everything that changes what a reader should show. */
export type StreamMessage = NewsEventMessage | WithdrawnMessage | ResetMessage | GapMessage | EntryMessage | EntryWithdrawnMessage

/** The server accepted a subscription (after every (re)connect and every `update()`). */
export interface SubscribedInfo {
  id: string | null
  channels: string[]
  position: Position
  snapshotSize: number
  /**
   * A fresh snapshot's cursor of older items, for `client.older()`; null when the snapshot holds
   * everything; undefined when the subscription resumed (keep the cursor you had).
   */
  more?: PageCursor | null
  /**
   * `story:` subscriptions, on a fresh snapshot: the `seq` below which older entries may be paged
   * in (`storyEntries()`), null when the snapshot holds every visible entry; undefined on a resume.
   */
  entriesMore?: number | null
}

/** A page of older items (`client.older()`), newest editorial time first. */
export interface OlderPage {
  /** As snapshot items (`snapshot: true`); versions this client already had are left out. */
  items: NewsEventMessage[]
  /** The cursor of the next page, null at the end. */
  next: PageCursor | null
}

export interface OlderOptions {
  /** Items per page, 1-200; the server's snapshot size by default. */
  limit?: number
  /** Another view than the stream's (the same token and scope apply). */
  channels?: string[]
  filter?: StreamFilter
}

/** Stories per category over a recent window by editorial time (`client.counts()`), as the server counts them. */
export interface RecentCounts {
  /** ISO 8601 instants: the window. */
  from: string
  to: string
  /** Most first; `category` null for stories without one. Killed stories are not counted. */
  categories: { category: string | null; label: string | null; count: number }[]
  /** The stories counted, so counts can be kept right from the stream (see the README). */
  articles: { id: string; version: number; category: string | null; at: string }[]
  /** More stories than listed (the counts still count them all). */
  truncated: boolean
}

export interface CountsOptions {
  /** The window, seconds (60 to 604800); default 3600. */
  windowSeconds?: number
  channels?: string[]
  filter?: StreamFilter
}

export type ClientState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'failed'
export type TransportKind = 'websocket' | 'sse'

/** What a client has done so far (Client.stats). */
export interface ClientStats {
  /** Transport opens attempted. */
  attempts: number
  /** Reconnects scheduled. */
  reconnects: number
  /** Messages delivered to listeners (event, withdrawn, reset). */
  delivered: number
  /** Events and withdrawals dropped as duplicates. */
  duplicates: number
}

/** Payload of the `state` event. */
export interface StateChange {
  state: ClientState
  previous: ClientState
  /** Transport in use (connected) or about to be tried (reconnecting). */
  transport: TransportKind | null
  /** Why the client left the previous state (close reason, HTTP status, give-up reason). */
  reason?: string
  /** WebSocket close code, when a close caused the change. */
  code?: number
  /** HTTP status, when an SSE request or WebSocket handshake was refused. */
  status?: number
  /** reconnecting: how long until the next attempt. */
  delayMs?: number
  /** reconnecting: consecutive attempts since the last healthy connection (1 = first retry). */
  attempt?: number
  /** failed: the error that ended the client (also emitted as `error`). */
  error?: ClientError
}

/** Events of `client.on(type, listener)`. */
export interface ClientEventMap {
  event: NewsEventMessage
  withdrawn: WithdrawnMessage
  reset: ResetMessage
  subscribed: SubscribedInfo
  state: StateChange
  error: ClientError
  gap: GapMessage
  entry: EntryMessage
  entryWithdrawn: EntryWithdrawnMessage
}
export type ClientEventType = keyof ClientEventMap

// ---- injectable platform pieces ----

// Handlers take `never` so both the browser's WebSocket and the `ws` package's class fit
// (each types its event objects differently); the SDK reads only the fields below.
/** The part of the WHATWG WebSocket interface the SDK uses. */
export interface WebSocketLike {
  readonly readyState: number
  /** The subprotocol the server answered with (protocol.ts streamProtocols). */
  readonly protocol?: string
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((ev: never) => unknown) | null
  onmessage: ((ev: never) => unknown) | null
  onerror: ((ev: never) => unknown) | null
  onclose: ((ev: never) => unknown) | null
}
/** `protocols`: the subprotocols offered; a newsroom token travels as one (not in the URL). */
export type WebSocketConstructor = new (url: string, protocols?: string[]) => WebSocketLike

/** The fields of an EventSource MessageEvent the SDK reads. */
export interface SseMessageEventLike {
  readonly data?: unknown
  readonly type?: string
  readonly lastEventId?: string
}

/** The part of the WHATWG EventSource interface the SDK uses. */
export interface EventSourceLike {
  readonly readyState: number
  close(): void
  onopen: ((ev: never) => unknown) | null
  onmessage: ((ev: never) => unknown) | null
  onerror: ((ev: never) => unknown) | null
  addEventListener(type: string, listener: (ev: SseMessageEventLike) => unknown): void
}
export type EventSourceConstructor = new (url: string) => EventSourceLike

export interface FetchResponseLike {
  readonly ok: boolean
  readonly status: number
  readonly statusText: string
  readonly headers: { get(name: string): string | null }
  readonly body: { getReader(): StreamReaderLike } | null
}
export interface StreamReaderLike {
  read(): Promise<{ done: boolean; value?: Uint8Array }>
  cancel(reason?: unknown): Promise<void>
}
export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal; cache: 'no-store' | 'no-cache' },
) => Promise<FetchResponseLike>

/** Timers and time, injectable so tests (and unusual hosts) control them. */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface BackoffOptions {
  /** First delay and the floor of every delay. Default 500. */
  minMs: number
  /** Cap of every delay. Default 20000. */
  maxMs: number
  /** Growth per failed attempt. Default 2. */
  factor: number
}

/** Options of `connect()`. Only `channels` is required. */
export interface ConnectOptions {
  /** Channels to subscribe to, e.g. `['breaking', 'category:international']`. */
  channels: string[]
  filter?: StreamFilter
  /** Newsroom JWT, sent as `?token=`. Without it the client sees public content only. */
  token?: string
  /** Resume from a position persisted earlier. */
  since?: Position
  /** How a resume catches up (`all` default, or `latest`: newest version per article only). */
  catchUp?: CatchUp
  /**
   * A `story:<id>` subscription: how many of its latest entries the snapshot holds (1-100; the
   * server's default, 20, when left out). Older ones page in with `storyEntries()`.
   */
  entries?: number
  /** `auto` (default): WebSocket, falling back to SSE after `fallbackAfter` failed opens in a row. */
  transport?: 'auto' | TransportKind
  /** WebSocket constructor. Default `globalThis.WebSocket`; in Node 20 pass `ws`'s `WebSocket`. */
  WebSocket?: WebSocketConstructor
  /**
   * EventSource constructor. Used for SSE only when given here or when there is no `fetch`:
   * the built-in fetch-based reader can see HTTP statuses (401, 429) that EventSource hides.
   */
  EventSource?: EventSourceConstructor
  /** fetch for the SSE reader. Default `globalThis.fetch`. */
  fetch?: FetchLike
  backoff?: Partial<BackoffOptions>
  /** Consecutive failed attempts (without a healthy connection in between) before giving up. Default Infinity. */
  maxRetries?: number
  /** Give up when no healthy connection for this long. Default 600000 (10 min). */
  giveUpAfterMs?: number
  /** auto transport: failed opens in a row before switching transport. Default 2. */
  fallbackAfter?: number
  /** A transport that has not opened after this long counts as a failed open. Default 10000. */
  connectTimeoutMs?: number
  /** App-level ping interval (WebSocket); 0 disables liveness checks. Default 25000. */
  pingIntervalMs?: number
  /** Reconnect when nothing arrives this long after a ping. Default 10000. */
  pongTimeoutMs?: number
  /** How many event ids and articles the duplicate filter remembers. Default 50000. */
  dedupeCapacity?: number
  /** Timers and time. Default: the host's. */
  clock?: Clock
  /** Random source in [0, 1) for jitter. Default Math.random. */
  random?: () => number
}
