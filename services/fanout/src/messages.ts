// Server → client messages as JSON text, and their framing for WebSocket and SSE. The event
// object is serialized once per event and spliced into each message. Pure: no I/O.
import { eventToJson } from '@newswire/shared'
import type { ArticleEvent } from '@newswire/shared'
import { Sender } from 'ws'
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
  /** `version` is a stand-in hold's (a guess): the next record decides again, whatever its number. */
  guess?: boolean
  /** The kill is a legal erasure (ingest's, without the content): a desk showing the story drops its text too. */
  erased?: boolean
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
    ...(p.guess ? { guess: true } : {}),
    ...(p.erased ? { erased: true } : {}),
  })
}

export interface SnapshotItem {
  embargoed: boolean
  text: string
  /** An entry's stand-in hold (its number a guess; an article's says so by its id). */
  guess?: boolean
}

/** Snapshot items as a JSON array; the newsroom's embargoed ones, and entries' stand-ins, flagged inside each object. */
export function snapshotArray(items: readonly SnapshotItem[]): string {
  const flagged = (i: SnapshotItem) => `{${i.embargoed ? '"embargoed":true,' : ''}${i.guess ? '"guess":true,' : ''}${i.text.slice(1)}`
  return `[${items.map((i) => (i.embargoed || i.guess ? flagged(i) : i.text)).join(',')}]`
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

// WebSocket frames are built by ws' own Sender.frame (declared in ws-sender.d.ts): unmasked,
// final text frames (RFC 6455 §5.2), made once and written to many sockets. The payload is encoded
// straight into a buffer with room for the longest header (10 bytes) in front, and the header
// Sender.frame makes is copied in before it: one copy of the payload, whatever its source.
const TEXT = { fin: true, opcode: 1, mask: false, readOnly: false }
const ROOM = 10

/** The frame around the payload at out[ROOM, ROOM + n). */
function frameInPlace(out: Buffer, n: number): Buffer {
  const [header] = Sender.frame(out.subarray(ROOM, ROOM + n), TEXT) as [Buffer]
  const at = ROOM - header.length
  header.copy(out, at)
  return out.subarray(at, ROOM + n)
}

/** The text frame of `payload`: frame once, write to many sockets. */
export function wsTextFrame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(ROOM + payload.length)
  payload.copy(out, ROOM)
  return frameInPlace(out, payload.length)
}

/** The text frame of a JSON message, encoded once. */
export function wsTextFrameOf(json: string): Buffer {
  const n = Buffer.byteLength(json)
  const out = Buffer.allocUnsafe(ROOM + n)
  out.write(json, ROOM, 'utf8')
  return frameInPlace(out, n)
}

/** The frame of `head` (UTF-8 encoded here) followed by the already encoded `tail`. */
export function wsTextFrameParts(head: string, tail: Buffer): Buffer {
  const h = Buffer.byteLength(head)
  const out = Buffer.allocUnsafe(ROOM + h + tail.length)
  out.write(head, ROOM, 'utf8')
  tail.copy(out, ROOM + h)
  return frameInPlace(out, h + tail.length)
}

/** Where the payload of a frame made here starts (its header length). */
function payloadAt(frame: Buffer): number {
  const len = (frame[1] as number) & 0x7f
  return len === 127 ? 10 : len === 126 ? 4 : 2
}

const headerLength = (n: number) => (n < 126 ? 2 : n < 65_536 ? 4 : 10)

/**
 * Payload bytes a batch frame holds at most: a client reads a frame that spans several TCP reads
 * only once it has all of it (ws copies the pieces together), so batches stay small; past this a
 * pass's messages go out as several batches, still in one write.
 */
export const BATCH_BYTES = 16_384

/**
 * The batch shape (the SDK unpacks it: services/client/src/batch.ts): several messages in one
 * text frame, one JSON message per line (JSON text never holds a raw line feed), for a connection
 * that asked for batches. Made from the messages' own frames, in order, into batches of up to
 * BATCH_BYTES; a message alone (or larger than that) stays a frame of its own.
 */
export function wsBatchFrame(frames: readonly Buffer[]): Buffer {
  if (frames.length === 1) return frames[0] as Buffer
  // [first frame, end, payload bytes] of each batch
  const batches: [number, number, number][] = []
  let total = 0
  for (let i = 0; i < frames.length; ) {
    let n = frames[i] as Buffer
    let bytes = n.length - payloadAt(n)
    let end = i + 1
    while (end < frames.length) {
      n = frames[end] as Buffer
      const more = n.length - payloadAt(n) + 1
      if (bytes + more > BATCH_BYTES) break
      bytes += more
      end++
    }
    batches.push([i, end, bytes])
    total += end - i === 1 ? (frames[i] as Buffer).length : headerLength(bytes) + bytes
    i = end
  }
  const out = Buffer.allocUnsafe(total)
  let at = 0
  for (const [first, end, bytes] of batches) {
    if (end - first === 1) {
      at += (frames[first] as Buffer).copy(out, at)
      continue
    }
    const start = at + headerLength(bytes)
    let p = start
    for (let i = first; i < end; i++) {
      const f = frames[i] as Buffer
      if (i > first) out[p++] = 0x0a
      p += f.copy(out, p, payloadAt(f))
    }
    const [header] = Sender.frame(out.subarray(start, p), TEXT) as [Buffer]
    header.copy(out, at)
    at = p
  }
  return out
}

/** One Server-Sent Events frame; `id:` carries the position so Last-Event-ID resumes. */
export function sseFrame(type: ServerMessageType, json: string, position: string | null): Buffer {
  // JSON.stringify never emits raw line breaks, so `data:` is always one line
  return Buffer.from(`${position ? `id: ${position}\n` : ''}event: ${type}\ndata: ${json}\n\n`)
}
