// What ingest writes to Kafka for one event: its record in news.article-events and its
// latest-state record in news.articles, their headers, and what a transaction may carry.
import type { EarlierViews, NewswireEvent, TxRecord } from '@newswire/shared'
import { AVRO_CONTENT_TYPE, EARLIER_VIEWS_HEADER, encodeEarlierViews, entryStateKey, isEntryEvent, ProblemError } from '@newswire/shared'

/**
 * Kafka headers ingest writes on records (schemas/README.md documents each): `entry-id` only on
 * entry events; `earlier-views` only on an article's state in news.articles (not a first version's). The last three serve
 * ingest itself: which instance wrote it, and what answers a retried request.
 */
export const recordHeaderNames = [
  'event-type',
  'schema-fingerprint',
  'trace-id',
  'content-type',
  'entry-id',
  EARLIER_VIEWS_HEADER,
  'writer',
  'idempotency-key',
  'request-hash',
] as const
export type RecordHeader = (typeof recordHeaderNames)[number]

/**
 * What one transaction writes to one partition, at most. Kafka refuses a record batch larger than
 * message.max.bytes (1 MiB by default) and the producer sends a partition's records as one batch,
 * so a group commit past it failed every request in it: requests beyond the budget wait for the
 * next transaction instead, and a single event past it is refused alone (413).
 */
export const MAX_TRANSACTION_BYTES = 900 * 1024

/** A record's size in a record batch, generously rounded up (varints, attributes, offsets). */
export function recordBytes(r: TxRecord): number {
  let n = 32 + r.value.length + Buffer.byteLength(r.key)
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
 * it is the state of: the article, or one entry (entryStateKey), so compaction keeps both. An
 * article's state also carries the views of its earlier versions (`earlier`; null for an entry).
 */
export function eventRecords(
  source: RecordSource,
  event: NewswireEvent,
  idem: { key: string; requestHash: string } | null,
  value: Buffer,
  earlier: EarlierViews | null,
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
  }
  const record = { key: event.article.id, value, timestamp: event.ingestedAt, headers }
  if (isEntryEvent(event)) return { event: record, state: { ...record, key: entryStateKey(event.article.id, event.entry.id) } }
  if (earlier === null) return { event: record, state: { ...record, key: event.article.id } }
  const stateHeaders: Partial<Record<RecordHeader, string>> = { ...headers }
  stateHeaders[EARLIER_VIEWS_HEADER] = encodeEarlierViews(earlier)
  return { event: record, state: { ...record, key: event.article.id, headers: stateHeaders } }
}

export function tooLarge(size: number, budget: number): ProblemError {
  return new ProblemError(
    'payload_too_large',
    `the event would be ${size} bytes in Kafka, more than the ${budget} one write may take; for an entry, its story is part of the event`,
    { maxBytes: budget },
  )
}
