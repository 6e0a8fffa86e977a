// Server → client messages as JSON text, and their framing for WebSocket and SSE. The event
// object is serialized once per event and spliced into each message. Pure: no I/O.
import { eventToJson } from '@newswire/shared'
import type { ArticleEvent } from '@newswire/shared'
import type { ErrorCode } from './protocol.ts'
import type { Cause } from './visibility.ts'

export type ServerMessageType =
  | 'subscribed'
  | 'unsubscribed'
  | 'event'
  | 'withdrawn'
  | 'reset'
  | 'error'
  | 'pong'
  | 'close'
  | 'gap'
  | 'reconnect'
  | 'entry'
  | 'entryWithdrawn'

const q = JSON.stringify

/** The JSON face of an event, serialized once and reused for every message that carries it. */
export function eventJson(e: ArticleEvent): string {
  return q(eventToJson(e))
}

export interface EventMessageParts {
  sub: string
  channel: string
  position: string
  embargoed?: boolean
  released?: boolean
}

export function eventMessage(parts: EventMessageParts, eventText: string): string {
  return eventMessageHead(parts) + eventMessageTail(eventText)
}

/** An `event` message up to the event: what differs between subscriptions and positions. */
export function eventMessageHead(parts: EventMessageParts): string {
  let s = `{"type":"event","id":${q(parts.sub)},"channel":${q(parts.channel)},"position":${q(parts.position)}`
  if (parts.embargoed) s += ',"embargoed":true'
  if (parts.released) s += ',"released":true'
  return s
}

/** The rest of an `event` message: the same for every subscription and position. */
export const eventMessageTail = (eventText: string): string => `,"event":${eventText}}`

export interface WithdrawnParts {
  sub: string
  channel: string
  position: string
  articleId: string
  version: number
  /** Why the article leaves the subscription (visibility.ts Cause): killed, held back, moved out of view. */
  cause: Cause
  reason: string
}

export function withdrawnMessage(p: WithdrawnParts): string {
  return q({
    type: 'withdrawn',
    id: p.sub,
    channel: p.channel,
    position: p.position,
    articleId: p.articleId,
    version: p.version,
    cause: p.cause,
    reason: p.reason,
  })
}

export interface SnapshotItem {
  embargoed: boolean
  text: string
}

/** Snapshot items as a JSON array; the newsroom's embargoed ones flagged inside each object. */
export function snapshotArray(items: readonly SnapshotItem[]): string {
  return `[${items.map((i) => (i.embargoed ? `{"embargoed":true,${i.text.slice(1)}` : i.text)).join(',')}]`
}

/**
 * `more`: the cursor of the items older than a fresh snapshot (GET /v1/snapshot?before=), null when
 * there are none; left out when the subscription resumed (the client keeps the cursor it had).
 */
export function subscribedMessage(
  p: { sub: string; channels: string[]; position: string; replay: string; more?: string | null },
  snapshot: readonly SnapshotItem[],
): string {
  const more = p.more === undefined ? '' : `,"more":${q(p.more)}`
  return `{"type":"subscribed","id":${q(p.sub)},"channels":${q(p.channels)},"position":${q(p.position)},"replay":${q(p.replay)}${more},"snapshot":${snapshotArray(snapshot)}}`
}

export function resetMessage(
  p: { sub: string; channels: string[]; position: string; reason: string; more: string | null },
  snapshot: readonly SnapshotItem[],
): string {
  return `{"type":"reset","id":${q(p.sub)},"channels":${q(p.channels)},"position":${q(p.position)},"reason":${q(p.reason)},"more":${q(p.more)},"snapshot":${snapshotArray(snapshot)}}`
}

/** The body of GET /v1/snapshot: a page of items shaped as snapshot items, and the next cursor. */
export function pageBody(items: readonly SnapshotItem[], next: string | null): string {
  return `{"items":${snapshotArray(items)},"next":${q(next)}}`
}

export function errorMessage(code: ErrorCode, message: string, ref: string | null): string {
  return q(ref === null ? { type: 'error', code, message } : { type: 'error', code, message, ref })
}

export function pongMessage(id: string | null, now: number): string {
  return q(id === null ? { type: 'pong', time: new Date(now).toISOString() } : { type: 'pong', id, time: new Date(now).toISOString() })
}

/** What a subscription lost while its connection was behind (lanes.ts). */
export function gapMessage(p: { sub: string; position: string | null; shed: number; conflated: number }): string {
  const position = p.position === null ? '' : `,"position":${q(p.position)}`
  return `{"type":"gap","id":${q(p.sub)}${position},"shed":{"routine":${p.shed}},"conflated":${p.conflated}}`
}

/** Sent before a close the client should retry after: how long to wait (jittered by the server). */
export function reconnectMessage(retryAfterMs: number, reason: string): string {
  return q({ type: 'reconnect', retryAfterMs, reason })
}

export function unsubscribedMessage(id: string): string {
  return q({ type: 'unsubscribed', id })
}

/** An unmasked, final WebSocket text frame (RFC 6455 §5.2) around `payload`: frame once, write to many sockets. */
export function wsTextFrame(payload: Buffer): Buffer {
  const out = wsTextFrameOf(payload.length)
  payload.copy(out, out.length - payload.length)
  return out
}

/** The frame of `head` (UTF-8 encoded here) followed by the already encoded `tail`. */
export function wsTextFrameParts(head: string, tail: Buffer): Buffer {
  const h = Buffer.byteLength(head)
  const out = wsTextFrameOf(h + tail.length)
  const at = out.length - h - tail.length
  out.write(head, at, 'utf8')
  tail.copy(out, at + h)
  return out
}

/** A text frame's buffer for an `n`-byte payload, with its header written. */
function wsTextFrameOf(n: number): Buffer {
  const headerLength = n < 126 ? 2 : n < 65_536 ? 4 : 10
  const out = Buffer.allocUnsafe(headerLength + n)
  out[0] = 0x81
  if (n < 126) out[1] = n
  else if (n < 65_536) {
    out[1] = 126
    out.writeUInt16BE(n, 2)
  } else {
    out[1] = 127
    out.writeUInt32BE(Math.floor(n / 2 ** 32), 2)
    out.writeUInt32BE(n >>> 0, 6)
  }
  return out
}

/** One Server-Sent Events frame; `id:` carries the position so Last-Event-ID resumes. */
export function sseFrame(type: ServerMessageType, json: string, position: string | null): Buffer {
  // JSON.stringify never emits raw line breaks, so `data:` is always one line
  return Buffer.from(`${position ? `id: ${position}\n` : ''}event: ${type}\ndata: ${json}\n\n`)
}
