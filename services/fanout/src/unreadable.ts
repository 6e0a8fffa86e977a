// A record the fan-out cannot decode (poison.ts) may be a kill: a newer ingest's schema this
// release lacks, or one corrupt record. Its `event-type` header (written by ingest on every
// record, schemas/README.md: "rely on it") still says so, and its key names the article. Such a
// kill fails closed: it stands in as the kill ingest writes (decide.ts: the next version,
// canceled; a killed article is never revived), with the cause's default words, so every reader
// who may show the story is told, and no snapshot, page or count lists it (red7 attack run).
import type { ArticleEvent, IHeaders } from '@newswire/shared'
import { isKill } from './visibility.ts'

/** The undecodable record's headers say it is a kill (WITHDRAWN). */
export function saysWithdrawn(headers: IHeaders | undefined): boolean {
  const v = headers?.['event-type']
  const one = Array.isArray(v) ? v[0] : v
  return one !== undefined && String(one) === 'WITHDRAWN'
}

/** Where a stand-in kill's record sits: its topic ('events' or 'articles'), partition and offset. */
export interface RecordAt {
  topic: 'events' | 'articles'
  partition: number
  offset: number
}

/**
 * The kill of `prev`'s article that an undecodable record (or a tombstone) at `where` stands for;
 * null when `prev` is killed already. Its event id names the record, topic included, so every
 * instance standing in for the same record sends the same id, and no two records share one.
 */
export function killOf(prev: ArticleEvent, where: RecordAt, at: number): ArticleEvent | null {
  if (isKill(prev)) return null
  const a = prev.article
  return {
    eventId: `unreadable-kill:${where.topic}:${where.partition}:${where.offset}`,
    type: 'WITHDRAWN',
    occurredAt: at,
    ingestedAt: at,
    source: prev.source,
    traceId: prev.traceId,
    changedFields: [],
    reason: null,
    article: { ...a, version: a.version + 1, pubStatus: 'canceled', updatedAt: at },
  }
}
