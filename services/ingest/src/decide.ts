// Pure rules that turn (latest stored version, incoming article) into what to publish:
// created, updated with the changed fields, unchanged (no event), or a conflict.
import { contentFields } from '@newswire/shared'
import type { Article, ContentField } from '@newswire/shared'
import type { ArticleInput } from './validate.ts'

export type Decision =
  | { kind: 'created'; article: Article }
  | { kind: 'updated'; article: Article; changedFields: ContentField[] }
  | { kind: 'unchanged'; current: Article }
  | { kind: 'conflict'; code: 'stale_revision' | 'revision_conflict' | 'article_withdrawn'; message: string; current: Article }

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

export function changedFields(prev: Article, next: Article): ContentField[] {
  return contentFields.filter((f) => !same(prev[f], next[f]))
}

function toArticle(input: ArticleInput, version: number, now: number, prev: Article | undefined): Article {
  return {
    id: input.id,
    version,
    url: input.url,
    language: input.language,
    headline: input.headline,
    summary: input.summary,
    body: input.body,
    category: input.category,
    categoryLabel: input.categoryLabel,
    subjects: input.subjects,
    authors: input.authors,
    // The first publication instant sticks unless the source corrects it
    publishedAt: input.publishedAt ?? prev?.publishedAt ?? null,
    updatedAt: input.updatedAt ?? now,
    urgency: input.urgency,
    pubStatus: input.pubStatus,
    embargoedUntil: input.embargoedUntil,
    breaking: input.breaking,
    dateline: input.dateline,
    timeZone: input.timeZone,
    related: input.related,
  }
}

export function decide(prev: Article | undefined, input: ArticleInput, now: number): Decision {
  if (prev === undefined) {
    return { kind: 'created', article: toArticle(input, input.revision ?? 1, now, undefined) }
  }
  if (prev.pubStatus === 'canceled') {
    return {
      kind: 'conflict',
      code: 'article_withdrawn',
      message: `article ${prev.id} was withdrawn at version ${prev.version}; a killed article is not revived, publish it under a new id`,
      current: prev,
    }
  }
  const candidate = toArticle(input, prev.version + 1, now, prev)
  const changed = changedFields(prev, candidate)
  if (input.revision !== null) {
    if (input.revision < prev.version) {
      return {
        kind: 'conflict',
        code: 'stale_revision',
        message: `revision ${input.revision} is older than the stored version ${prev.version}`,
        current: prev,
      }
    }
    if (input.revision === prev.version && changed.length > 0) {
      return {
        kind: 'conflict',
        code: 'revision_conflict',
        message: `revision ${input.revision} is already stored with different content`,
        current: prev,
      }
    }
  }
  if (changed.length === 0) return { kind: 'unchanged', current: prev }
  const version = input.revision ?? prev.version + 1
  return { kind: 'updated', article: { ...candidate, version }, changedFields: changed }
}

export type WithdrawDecision = { kind: 'withdrawn'; article: Article } | { kind: 'unchanged'; current: Article }

export function decideWithdraw(prev: Article, now: number): WithdrawDecision {
  if (prev.pubStatus === 'canceled') return { kind: 'unchanged', current: prev }
  return { kind: 'withdrawn', article: { ...prev, version: prev.version + 1, pubStatus: 'canceled', updatedAt: now } }
}
