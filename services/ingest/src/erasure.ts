// What an erasure (legal removal) leaves of an article or an entry: the kill, and what routes it
// to readers, without any of the text it removes. decideErase writes an article's kill with it;
// the state (state.ts) holds every key a tombstone erased with it, whatever was held before, so
// GET, and a restart that reads news.articles before compaction has run, show none of it either
// (red12b attack run, 2026-12-05: an erased story's entries, and a story withdrawn before its
// erasure, were still shown with their text).
import type { Article, StoryEntry } from '@newswire/shared'

/**
 * The article without its content: id, category slug, language, urgency, flags, dates and their
 * time zone stay (they route the kill to readers); every free text goes, the category's label too.
 */
export function withoutContent(a: Article): Article {
  return {
    ...a,
    url: null,
    headline: '',
    summary: null,
    body: [],
    categoryLabel: null,
    subjects: [],
    authors: [],
    dateline: null,
    related: [],
    corrections: [],
  }
}

/** An erasure's kill: canceled, without its content (a headline is never empty otherwise). */
export const isErased = (a: Article): boolean => a.pubStatus === 'canceled' && a.headline === ''

/** The entry without its content: id, seq, version, flags, times and editorial state stay. */
export function entryWithoutContent(e: StoryEntry): StoryEntry {
  return { ...e, headline: null, body: [], authors: [], corrections: [] }
}
