// What ingest writes to Kafka for one event: its record in news.article-events and its
// latest-state record in news.articles, their headers, and what a transaction may carry.
import type { EarlierStatuses, EarlierViews, NewswireEvent, TxRecord } from '@newswire/shared'
import {
  AVRO_CONTENT_TYPE,
  EARLIER_STATUSES_HEADER,
  EARLIER_VIEWS_HEADER,
  encodeEarlierStatuses,
  encodeEarlierViews,
  entryStateKey,
  isEntryEvent,
  ProblemError,
} from '@newswire/shared'

/**
 * Kafka headers ingest writes on records (schemas/README.md documents each): `entry-id` only on
 * entry events; `earlier-views` and `earlier-statuses` only on an article's or an entry's state in
 * news.articles (not a first version's). The last three serve
 * ingest itself: which instance wrote it, and what answers a retried request.
 */
export const recordHeaderNames = [
  'event-type',
  'schema-fingerprint',
  'trace-id',
  'content-type',
  'entry-id',
  EARLIER_VIEWS_HEADER,
  EARLIER_STATUSES_HEADER,
  'writer',
  'idempotency-key',
  'request-hash',
  'api-key-id',
] as const
export type RecordHeader = (typeof recordHeaderNames)[number]

/**
 * What one transaction writes to one partition, at most. Kafka refuses a record batch larger than
 * message.max.bytes (1 MiB by default) and the producer sends a partition's records as one batch,
 * so a group commit past it failed every request in it: requests beyond the budget wait for the
 * next transaction instead, and a single event past it is refused alone (413).
 */
export const MAX_TRANSACTION_BYTES = 900 * 1024

/**
 * What a write that is not a kill leaves free under that budget, so that the kill of whatever was
 * accepted always fits: a WITHDRAWN is the article again with a reason of up to 1000 characters
 * (3000 bytes in Bengali), under another key's name, trace and Idempotency-Key. Without it an
 * article written up to the limit was accepted and could never be withdrawn (413; red12b attack
 * run, 2026-12-05).
 */
export const KILL_ROOM_BYTES = 8 * 1024

/** A record's size in a record batch, generously rounded up (varints, attributes, offsets). */
export function recordBytes(r: TxRecord): number {
  let n = 32 + (r.value?.length ?? 0) + Buffer.byteLength(r.key)
  for (const [k, v] of Object.entries(r.headers)) n += 8 + Buffer.byteLength(k) + Buffer.byteLength(v)
  return n
}

export interface RecordSource {
  fingerprintHex: string
  instanceId: string
}

/**
 * The event's record in news.article-events, keyed by the article (a story's entries share its
 * key, so its partition and order), and its latest-state record in news.articles, keyed by what
 * it is the state of: the article, or one entry (entryStateKey), so compaction keeps both. The
 * state also carries what came before it (`earlier`, earlier-views.ts): an article's views, an
 * entry's statuses; null for a first version.
 */
export function eventRecords(
  source: RecordSource,
  event: NewswireEvent,
  idem: { key: string; requestHash: string; by?: string } | null,
  value: Buffer,
  earlier: EarlierViews | EarlierStatuses | null,
): { event: TxRecord; state: TxRecord } {
  const headers: Partial<Record<RecordHeader, string>> = {
    'event-type': event.type,
    'schema-fingerprint': source.fingerprintHex,
    'trace-id': event.traceId,
    'content-type': AVRO_CONTENT_TYPE,
    writer: source.instanceId,
  }
  if (isEntryEvent(event)) headers['entry-id'] = event.entry.id
  if (idem) {
    headers['idempotency-key'] = idem.key
    headers['request-hash'] = idem.requestHash
    if (idem.by !== undefined) headers['api-key-id'] = idem.by
  }
  const record = { key: event.article.id, value, timestamp: event.ingestedAt, headers }
  const key = isEntryEvent(event) ? entryStateKey(event.article.id, event.entry.id) : event.article.id
  if (earlier === null) return { event: record, state: { ...record, key } }
  const stateHeaders: Partial<Record<RecordHeader, string>> = { ...headers }
  if ('views' in earlier) stateHeaders[EARLIER_VIEWS_HEADER] = encodeEarlierViews(earlier)
  else stateHeaders[EARLIER_STATUSES_HEADER] = encodeEarlierStatuses(earlier)
  return { event: record, state: { ...record, key, headers: stateHeaders } }
}

/**
 * A tombstone of `key` in news.articles (an erasure, POST /v1/articles/{id}/erase): its content
 * leaves the compacted topic and the key reads as killed (schemas/README.md). Written on the
 * story's partition, like every key of the story, by the request's transaction.
 */
export function tombstoneRecord(source: RecordSource, key: string, traceId: string, timestamp: number): TxRecord {
  return { key, value: null, timestamp, headers: { 'trace-id': traceId, writer: source.instanceId } }
}

/** `room`: what the write had to leave free under the budget for its kill (0 for a kill). */
export function tooLarge(size: number, budget: number, room = 0): ProblemError {
  const kept = room > 0 ? ` (${budget - room} here: ${room} stay free so that its kill always fits)` : ''
  return new ProblemError(
    'payload_too_large',
    `the event would be ${size} bytes in Kafka, more than the ${budget} one write may take${kept}; for an entry, its story is part of the event`,
    { maxBytes: budget - room },
  )
}
