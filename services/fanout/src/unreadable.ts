// A record the fan-out cannot decode (poison.ts) may be a kill: a newer ingest's schema this
// release lacks, or one corrupt record. Its `event-type` header (written by ingest on every
// record, schemas/README.md: "rely on it") still says so, and its key names the article. Such a
// kill fails closed: it stands in as the kill ingest writes (decide.ts: the next version,
// canceled; a killed article is never revived), with the cause's default words, so every reader
// who may show the story is told, and no snapshot, page or count lists it (red7 attack run).
// An entry's deletion is as final (a deleted entry is never revived) and its `entry-id` header
// names the entry: it stands in the same way. Anything else is only skipped (README, DLQ).
import type { Article, ArticleEvent, EntryEvent, IHeaders } from '@newswire/shared'
import { isEntryDeleted } from './entry-visibility.ts'
import { isKill } from './visibility.ts'

/** What an undecodable record stands in as, by its headers: a kill, an entry's deletion, or nothing. */
export type Unreadable = { kind: 'kill' } | { kind: 'entryDeleted'; entryId: string } | null

const header = (headers: IHeaders | undefined, name: string): string | undefined => {
  const v = headers?.[name]
  const one = Array.isArray(v) ? v[0] : v
  return one === undefined ? undefined : String(one)
}

/** What the undecodable record's headers say it is, when that fails closed. */
export function standsFor(headers: IHeaders | undefined): Unreadable {
  const type = header(headers, 'event-type')
  if (type === 'WITHDRAWN') return { kind: 'kill' }
  const entryId = header(headers, 'entry-id')
  if (type === 'ENTRY_DELETED' && entryId) return { kind: 'entryDeleted', entryId }
  return null
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

/**
 * The deletion of `prev`'s entry that an undecodable record at `where` stands for (as ingest writes
 * one: the next version, canceled, with the story as it stands); null when it is deleted already.
 */
export function deletionOf(prev: EntryEvent, story: Article | undefined, where: RecordAt, at: number): EntryEvent | null {
  if (isEntryDeleted(prev)) return null
  return {
    eventId: `unreadable-deletion:${where.topic}:${where.partition}:${where.offset}`,
    type: 'ENTRY_DELETED',
    occurredAt: at,
    ingestedAt: at,
    source: prev.source,
    traceId: prev.traceId,
    changedFields: ['pubStatus'],
    reason: null,
    article: story ?? prev.article,
    correction: null,
    entry: { ...prev.entry, version: prev.entry.version + 1, pubStatus: 'canceled', updatedAt: at },
  }
}
