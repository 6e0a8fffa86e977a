// A record the fan-out cannot decode (poison.ts): a newer ingest's schema this release lacks (a
// deploy in the wrong order), or one corrupt record. Its key still names the article, and its
// `event-type` and `entry-id` headers (written by ingest on every record, schemas/README.md: "rely
// on it") what it was. It fails closed (red7 attack run; README "Poison records"):
// - a kill stands in as the kill ingest writes (decide.ts: the next version, canceled; a killed
//   article is never revived), with the cause's default words, so every reader who may show the
//   story is told, and no snapshot, page or count lists it;
// - an entry's deletion, as final, likewise for the entry its `entry-id` names;
// - anything else of an article or entry the fan-out knows (an edit, a hold, a new embargo: which,
//   it cannot tell) stands in as a hold: the next version, withheld, with the content already
//   known. The public stops seeing it at once; a record it can read restores it. A stand-in never
//   shows content nobody decided on, and never shows a story to anyone who could not see it before.
import { isEntryEvent } from '@newswire/shared'
import type { Article, ArticleEvent, EntryEvent, IHeaders } from '@newswire/shared'
import { isEntryDeleted } from './entry-visibility.ts'
import { isKill } from './visibility.ts'

/** What an undecodable record stands in as, by its headers. */
export type Unreadable =
  | { kind: 'kill' }
  | { kind: 'entryDeleted'; entryId: string }
  | { kind: 'hold' }
  | { kind: 'entryHold'; entryId: string }

const header = (headers: IHeaders | undefined, name: string): string | undefined => {
  const v = headers?.[name]
  const one = Array.isArray(v) ? v[0] : v
  return one === undefined ? undefined : String(one)
}

/**
 * What the undecodable record stands in as, by its headers. Without an `entry-id` (an article's
 * event, or headers as unreadable as the value) it is the whole story's: a hold, unless a kill.
 */
export function standsFor(headers: IHeaders | undefined): Unreadable {
  const type = header(headers, 'event-type')
  if (type === 'WITHDRAWN') return { kind: 'kill' }
  const entryId = header(headers, 'entry-id')
  if (!entryId) return { kind: 'hold' }
  return type === 'ENTRY_DELETED' ? { kind: 'entryDeleted', entryId } : { kind: 'entryHold', entryId }
}

/**
 * The embargo of a stand-in hold: the one known, unless it had not passed when the record was
 * written, which may have moved it later (a new embargo it cannot tell from an edit): then until a
 * record it can read decides, the latest instant a Date holds. Else a `released` token (embargo:
 * false) would be shown the content when the old embargo passed (rev36 review). By the record's
 * time, not the server's: every instance stands in alike.
 */
export const UNTIL_READABLE = 8.64e15

const heldEmbargo = (until: number | null, at: number): number | null => (until !== null && until > at ? UNTIL_READABLE : until)

/** What a stand-in is, as its id says (isHoldStandIn reads the holds back). */
type StandInKind = 'kill' | 'hold' | 'deletion' | 'entry-hold'

const prefixOf = (what: StandInKind): string => `unreadable-${what}:`
const HOLD = prefixOf('hold')
const ENTRY_HOLD = prefixOf('entry-hold')

/** Stand-in ids name their record, topic included: every instance standing in for it sends the same id. */
const idOf = (what: StandInKind, where: RecordAt): string => `${prefixOf(what)}${where.topic}:${where.partition}:${where.offset}`

/** What every stand-in of `prev`'s article or entry says of itself: its id, times, source and trace. */
const envelope = (prev: ArticleEvent | EntryEvent, what: StandInKind, where: RecordAt, at: number) => ({
  eventId: idOf(what, where),
  occurredAt: at,
  ingestedAt: at,
  source: prev.source,
  traceId: prev.traceId,
  reason: null,
})

/** Where a stand-in's record sits: its topic ('events' or 'articles'), partition and offset. */
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
    ...envelope(prev, 'kill', where, at),
    type: 'WITHDRAWN',
    changedFields: [],
    article: { ...a, version: a.version + 1, pubStatus: 'canceled', updatedAt: at },
  }
}

/**
 * The hold of `prev`'s article that an undecodable record at `where` stands for: the next version,
 * withheld, with what was known of it; null when the article is killed (nothing follows a kill).
 */
export function holdOf(prev: ArticleEvent, where: RecordAt, at: number): ArticleEvent | null {
  if (isKill(prev)) return null
  return {
    ...envelope(prev, 'hold', where, at),
    type: 'UPDATED',
    changedFields: ['pubStatus'],
    article: {
      ...prev.article,
      version: prev.article.version + 1,
      pubStatus: 'withheld',
      embargoedUntil: heldEmbargo(prev.article.embargoedUntil, at),
      updatedAt: at,
    },
  }
}

/** Any stand-in (a kill, a hold, an entry's deletion or hold, for an undecodable record or a late hold), by its id. */
export const isStandIn = (e: { eventId: string }): boolean => e.eventId.startsWith('unreadable-')

/** A stand-in hold (of an article or an entry, of either kind: this file's or late-hold.ts's), by its id. */
export const isHoldStandIn = (e: { eventId: string }): boolean => e.eventId.startsWith(HOLD) || e.eventId.startsWith(ENTRY_HOLD)

/**
 * The id of the stand-in for hold `e` read late (late-hold.ts): named after the record, so every
 * instance sends the same one, under the stand-in holds' prefix, which SDKs already deployed take
 * as a guess (services/client dedupe.ts); `late:` keeps it apart from an undecodable record's.
 */
export const lateHoldId = (e: ArticleEvent | EntryEvent): string => `${isEntryEvent(e) ? ENTRY_HOLD : HOLD}late:${e.eventId}`

/**
 * The deletion of `prev`'s entry that an undecodable record at `where` stands for (as ingest writes
 * one: the next version, canceled, with the story as it stands); null when it is deleted already.
 */
export function deletionOf(prev: EntryEvent, story: Article | undefined, where: RecordAt, at: number): EntryEvent | null {
  return entryStandIn(prev, story, where, at, 'deletion')
}

/** The hold of `prev`'s entry (the next version, withheld); null when it is deleted already. */
export function entryHoldOf(prev: EntryEvent, story: Article | undefined, where: RecordAt, at: number): EntryEvent | null {
  return entryStandIn(prev, story, where, at, 'hold')
}

function entryStandIn(
  prev: EntryEvent,
  story: Article | undefined,
  where: RecordAt,
  at: number,
  what: 'deletion' | 'hold',
): EntryEvent | null {
  if (isEntryDeleted(prev)) return null
  const deletion = what === 'deletion'
  return {
    ...envelope(prev, deletion ? 'deletion' : 'entry-hold', where, at),
    type: deletion ? 'ENTRY_DELETED' : 'ENTRY_UPDATED',
    changedFields: ['pubStatus'],
    article: story ?? prev.article,
    correction: null,
    entry: {
      ...prev.entry,
      version: prev.entry.version + 1,
      pubStatus: deletion ? 'canceled' : 'withheld',
      embargoedUntil: deletion ? prev.entry.embargoedUntil : heldEmbargo(prev.entry.embargoedUntil, at),
      updatedAt: at,
    },
  }
}
