// The JSON face of events for HTTP and WebSocket clients: same field names as the Avro
// records, instants as ISO 8601 strings instead of epoch milliseconds.
import type { Article, ArticleEvent, Correction, EntryEvent, StoryEntry } from './article.ts'

export interface CorrectionJson {
  note: string
  at: string
}

export type ArticleJson = Omit<Article, 'publishedAt' | 'updatedAt' | 'embargoedUntil' | 'corrections'> & {
  publishedAt: string | null
  updatedAt: string | null
  embargoedUntil: string | null
  corrections?: CorrectionJson[]
}

export type ArticleEventJson = Omit<ArticleEvent, 'occurredAt' | 'ingestedAt' | 'article' | 'correction' | 'entry'> & {
  occurredAt: string
  ingestedAt: string
  article: ArticleJson
  correction?: CorrectionJson | null
}

export type EntryJson = Omit<StoryEntry, 'publishedAt' | 'updatedAt' | 'embargoedUntil' | 'corrections'> & {
  publishedAt: string
  updatedAt: string
  embargoedUntil: string | null
  corrections: CorrectionJson[]
}

export type EntryEventJson = Omit<EntryEvent, 'occurredAt' | 'ingestedAt' | 'article' | 'correction' | 'entry'> & {
  occurredAt: string
  ingestedAt: string
  article: ArticleJson
  correction: CorrectionJson | null
  entry: EntryJson
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())
const isoOf = (ms: number): string => new Date(ms).toISOString()

export function correctionToJson(c: Correction): CorrectionJson {
  return { note: c.note, at: isoOf(c.at) }
}

export function articleToJson(a: Article): ArticleJson {
  const { corrections, ...rest } = a
  const json: ArticleJson = { ...rest, publishedAt: iso(a.publishedAt), updatedAt: iso(a.updatedAt), embargoedUntil: iso(a.embargoedUntil) }
  // Absent on an article built without v3 fields: the JSON stays as it was
  if (corrections !== undefined) json.corrections = corrections.map(correctionToJson)
  return json
}

export function eventToJson(e: ArticleEvent): ArticleEventJson {
  // An article event's `entry` is always null: not part of its JSON face
  const { correction, entry: _entry, ...rest } = e
  const json: ArticleEventJson = {
    ...rest,
    occurredAt: isoOf(e.occurredAt),
    ingestedAt: isoOf(e.ingestedAt),
    article: articleToJson(e.article),
  }
  if (correction !== undefined) json.correction = correction === null ? null : correctionToJson(correction)
  return json
}

export function entryToJson(e: StoryEntry): EntryJson {
  return {
    ...e,
    publishedAt: isoOf(e.publishedAt),
    updatedAt: isoOf(e.updatedAt),
    embargoedUntil: iso(e.embargoedUntil),
    corrections: e.corrections.map(correctionToJson),
  }
}

export function entryEventToJson(e: EntryEvent): EntryEventJson {
  return {
    ...e,
    occurredAt: isoOf(e.occurredAt),
    ingestedAt: isoOf(e.ingestedAt),
    article: articleToJson(e.article),
    correction: e.correction ? correctionToJson(e.correction) : null,
    entry: entryToJson(e.entry),
  }
}
