// TypeScript view of schemas/article-event.v2.avsc (the current reader schema).
// Instants are UTC epoch milliseconds, as Avro timestamp-millis decodes them.

export const eventTypes = ['CREATED', 'UPDATED', 'WITHDRAWN', 'UNKNOWN'] as const
export type EventType = (typeof eventTypes)[number]

export const pubStatuses = ['usable', 'withheld', 'canceled'] as const
export type PubStatus = (typeof pubStatuses)[number]

export interface RelatedLink {
  headline: string
  url: string | null
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
}

export interface ArticleEvent {
  eventId: string
  type: EventType
  occurredAt: number
  ingestedAt: number
  source: string
  traceId: string
  changedFields: string[]
  reason: string | null
  article: Article
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
] as const satisfies readonly (keyof Article)[]
export type ContentField = (typeof contentFields)[number]

/** Urgency 1-2 or an explicit flag makes an article breaking news. */
export function isBreaking(article: Pick<Article, 'urgency' | 'breaking'>): boolean {
  return article.breaking || article.urgency <= 2
}
