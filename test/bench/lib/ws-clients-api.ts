// What the harness asks the client load generator (workers/ws-clients.ts) and what it answers.
import type { HistogramJson } from './stats.ts'

export interface ConnectSpec {
  url: string
  count: number
  /** Connections opening at once (0 = all at once). */
  concurrency: number
  channels: string[]
  /** Resume: reconnect the clients this worker already has, each with `since` = its last position. */
  resume?: boolean
  timeoutMs: number
  /** Source address (127.x.y.z): one per client process lifts the ~28k ephemeral ports per address limit. */
  localAddress?: string
  /** Attempts per client after a failed connect: after the server's retry hint, else 200 ms, plus 0-500 ms jitter. */
  retries?: number
  /** Read at most this many bytes/s per client (ws.pause until the budget allows more), 0: not at all; from `subscribed` on. */
  slowBytesPerSec?: number
  /** Ask for batches (`?batch=1`): several messages in one frame, one per line, unpacked here. */
  batch?: boolean
  /** With batch: also ask `deflate=1` and offer permessage-deflate (compressed batches, the fan-out's FANOUT_BATCH_DEFLATE). */
  deflate?: boolean
  /** The server's protocol (default newswire); centrifugo: `url` is its /connection/websocket endpoint. */
  protocol?: 'newswire' | 'centrifugo'
  /** newswire: name the subscription in the URL (`channels`, `id`, `since`), send no `subscribe`. */
  urlSubscribe?: boolean
}

export interface ConnectResult {
  connected: number
  failed: number
  errorKinds: Record<string, number>
  /** µs timestamps: first connect started, last `subscribed` received */
  startUs: number
  endUs: number
  replay: Record<string, number>
}

export interface ExtraTag {
  tag: string
  count: number
}

export interface TrackSpec {
  tag: string
  count: number
  positions: boolean
  /** More tags tracked at the same time as `tag`, each with its own bitmaps and histogram. */
  extra?: ExtraTag[]
  /** Events sent before this time (µs since epoch, the id's send time; warm-up) count for completeness but not for latency; every tag. */
  latencyFromUs?: number
}

export interface Progress {
  clients: number
  complete: number
  distinct: number
  duplicates: number
  /** event messages of other tags, or seq out of range */
  other: number
  /** per `extra` tag, in order */
  extra?: { complete: number; distinct: number }[]
  /** clients (still open) whose routine bookkeeping balances: every extra-tag event received or counted in a gap */
  accounted?: number
}

/** Figures of one `extra` tag. */
export interface TagResult {
  tag: string
  count: number
  latency: HistogramJson
  complete: number
  distinct: number
  duplicates: number
  /** not received, at clients still open / at clients closed by the server */
  missingOpen: number
  missingClosed: number
  lastUs: number
}

export interface TrackResult extends Progress {
  latency: HistogramJson
  /** per-client completion times (µs since epoch), sorted, only complete clients */
  doneUs: number[]
  lastUs: number
  missing: number
  /** of `missing`: at clients still open (the rest were at clients closed by the server) */
  missingOpen: number
  closed: number
  /** close codes of connections closed after `subscribed`, since `track` (`closed` counts from the start) */
  closeCodes: Record<string, number>
  /** the same by code and reason (numbers replaced by N) */
  closeReasons: Record<string, number>
  /** `gap` messages received since `track`, and the sums of their `shed.routine` and `conflated` */
  gaps: { messages: number; shed: number; conflated: number }
  /** open clients whose extra-tag events not received differ from what their gaps counted */
  unaccounted: number
  extraResults: TagResult[]
  cpu: { user: number; system: number }
}
