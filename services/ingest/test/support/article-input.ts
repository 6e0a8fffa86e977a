// A valid article as validateArticle would hand it to a decision: Bengali, routine, usable.
import type { ArticleInput } from '../../src/validate.ts'

/** 2024-08-17T05:46:00Z: the sample's publication time. */
export const T0 = Date.parse('2024-08-17T05:46:00Z')

export function articleInput(extra: Partial<ArticleInput> = {}): ArticleInput {
  return {
    id: 'a-1',
    revision: null,
    url: null,
    language: 'bn',
    headline: 'শিরোনাম',
    summary: null,
    body: ['অনুচ্ছেদ'],
    category: 'international',
    categoryLabel: null,
    subjects: [],
    authors: [],
    publishedAt: T0,
    updatedAt: null,
    urgency: 5,
    pubStatus: 'usable',
    embargoedUntil: null,
    breaking: false,
    dateline: null,
    timeZone: null,
    related: [],
    live: undefined,
    correction: null,
    ...extra,
  }
}
