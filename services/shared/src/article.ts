// TypeScript view of schemas/article-event.v3.avsc (the current reader schema).
// Instants are UTC epoch milliseconds, as Avro timestamp-millis decodes them.

/** Events about an article's versions. UNKNOWN: a type a later schema added (skip it). */
export const articleEventTypes = ['CREATED', 'UPDATED', 'WITHDRAWN', 'UNKNOWN'] as const
export type ArticleEventType = (typeof articleEventTypes)[number]

/** Events about one entry of a live story (v3). Readers before v3 see them as UNKNOWN. */
export const entryEventTypes = ['ENTRY_CREATED', 'ENTRY_UPDATED', 'ENTRY_DELETED'] as const
export type EntryEventType = (typeof entryEventTypes)[number]

/** Every EventType symbol, in the schema's order. */
export const eventTypes = [...articleEventTypes, ...entryEventTypes] as const
export type EventType = (typeof eventTypes)[number]

export const pubStatuses = ['usable', 'withheld', 'canceled'] as const
export type PubStatus = (typeof pubStatuses)[number]

export interface RelatedLink {
  headline: string
  url: string | null
}

/** What an update corrected, for readers (IPTC signal sig:correction with its note). */
export interface Correction {
  note: string
  at: number
}

/**
 * Highest CMS revision ingest accepts in `version` (2^52). Versions then grow by one per update,
 * and Avro longs as avsc writes them stop at 2^53 - 2 (MAX_SAFE_AVRO_LONG): the room between is
 * what keeps every accepted article updatable and withdrawable.
 */
export const MAX_REVISION = 2 ** 52

export interface Article {
  id: string
  version: number
  url: string | null
  language: string
  headline: string
  summary: string | null
  body: string[]
  category: string | null
  categoryLabel: string | null
  subjects: string[]
  authors: string[]
  publishedAt: number | null
  updatedAt: number | null
  urgency: number
  pubStatus: PubStatus
  embargoedUntil: number | null
  breaking: boolean
  dateline: string | null
  timeZone: string | null
  related: RelatedLink[]
  // v3 fields: always present in what the codec decodes (older writers' events get the defaults);
  // optional when building an article, since the encoder writes the default for an absent one.
  /** A live story whose coverage is running: entries may be added. Default false. */
  live?: boolean
  /** Every correction of the article, oldest first; kept by ingest. Default []. */
  corrections?: Correction[]
}

/** One entry of a live story (schemas/article-event.v3.avsc `StoryEntry`). */
export interface StoryEntry {
  id: string
  /** Creation order within the story, 1, 2, 3... without gaps; never changes. */
  seq: number
  version: number
  headline: string | null
  body: string[]
  authors: string[]
  pinned: boolean
  keyEvent: boolean
  publishedAt: number
  updatedAt: number
  pubStatus: PubStatus
  embargoedUntil: number | null
  corrections: Correction[]
}

interface EventEnvelope {
  eventId: string
  occurredAt: number
  ingestedAt: number
  source: string
  traceId: string
  changedFields: string[]
  reason: string | null
  article: Article
  /** The correction this update makes (v3); null or absent otherwise. */
  correction?: Correction | null
}

/** A version of an article: what every consumer before v3 knew as an event. */
export interface ArticleEvent extends EventEnvelope {
  type: ArticleEventType
  /** Always null on an article event (absent when built before v3). */
  entry?: null
}

/** A change to one entry of the live story in `article` (same version as its latest article event). */
export interface EntryEvent extends EventEnvelope {
  type: EntryEventType
  entry: StoryEntry
}

/** Anything on news.article-events and news.articles: what the codec decodes. */
export type NewswireEvent = ArticleEvent | EntryEvent

/** True for ENTRY_* events: never a version of their article, whatever a reader does with them. */
export function isEntryEvent(e: NewswireEvent): e is EntryEvent {
  return (entryEventTypes as readonly string[]).includes(e.type)
}

/** Key of an entry's latest state in news.articles; an article id cannot contain '/'. */
export function entryStateKey(storyId: string, entryId: string): string {
  return `${storyId}/entries/${entryId}`
}

/** The article a state key is about: an entry's story (entryStateKey), or the article id itself. */
export function storyOfStateKey(key: string): string {
  const i = key.indexOf('/')
  return i < 0 ? key : key.slice(0, i)
}

/** Content fields of an article: what "changed" is computed over (not id/version/timestamps). */
export const contentFields = [
  'url',
  'language',
  'headline',
  'summary',
  'body',
  'category',
  'categoryLabel',
  'subjects',
  'authors',
  'publishedAt',
  'urgency',
  'pubStatus',
  'embargoedUntil',
  'breaking',
  'dateline',
  'timeZone',
  'related',
  'live',
  'corrections',
] as const satisfies readonly (keyof Article)[]
export type ContentField = (typeof contentFields)[number]

/** Content fields of an entry: what an ENTRY_UPDATED's changedFields lists. */
export const entryContentFields = [
  'headline',
  'body',
  'authors',
  'pinned',
  'keyEvent',
  'publishedAt',
  'pubStatus',
  'embargoedUntil',
  'corrections',
] as const satisfies readonly (keyof StoryEntry)[]
export type EntryContentField = (typeof entryContentFields)[number]

/** Urgency 1-2 or an explicit flag makes an article breaking news. */
export function isBreaking(article: Pick<Article, 'urgency' | 'breaking'>): boolean {
  return article.breaking || article.urgency <= 2
}
