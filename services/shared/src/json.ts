// The JSON face of events for HTTP and WebSocket clients: same field names as the Avro
// records, instants as ISO 8601 strings instead of epoch milliseconds.
import type { Article, ArticleEvent } from './article.ts'

export type ArticleJson = Omit<Article, 'publishedAt' | 'updatedAt' | 'embargoedUntil'> & {
  publishedAt: string | null
  updatedAt: string | null
  embargoedUntil: string | null
}

export type ArticleEventJson = Omit<ArticleEvent, 'occurredAt' | 'ingestedAt' | 'article'> & {
  occurredAt: string
  ingestedAt: string
  article: ArticleJson
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

export function articleToJson(a: Article): ArticleJson {
  return { ...a, publishedAt: iso(a.publishedAt), updatedAt: iso(a.updatedAt), embargoedUntil: iso(a.embargoedUntil) }
}

export function eventToJson(e: ArticleEvent): ArticleEventJson {
  return {
    ...e,
    occurredAt: new Date(e.occurredAt).toISOString(),
    ingestedAt: new Date(e.ingestedAt).toISOString(),
    article: articleToJson(e.article),
  }
}
