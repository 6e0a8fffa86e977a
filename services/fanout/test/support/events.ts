// Test events with sensible defaults (articles, live-story entries), numbered within a run, and
// forged positions: what the harness, the models and the route tests feed the fan-out.
import type { Article, ArticleEvent, EntryEvent, StoryEntry } from '@newswire/shared'

/** Numbers event ids and trace ids (`ev-<n>-…`, `t<n>`): distinct within a run. */
let seq = 0

/**
 * Numbers events afresh. A property run calls it first, so the ids and texts of its events (what
 * readers are sent, what a failure prints) come from its inputs alone, as when it is replayed
 * alone (seed and path, or a known run), not from how many events the runs before it made.
 * Never mid-run: an id made again would name another record of the same log.
 */
export function freshEventIds(): void {
  seq = 0
}

/** An article event with sensible defaults. */
export function event(
  type: ArticleEvent['type'],
  article: Partial<Article> & { id: string; version: number },
  at: number,
  extra: Partial<ArticleEvent> = {},
): ArticleEvent {
  seq++
  return {
    eventId: `ev-${seq}-${article.id}-${article.version}`,
    type,
    occurredAt: at,
    ingestedAt: at,
    source: 'test',
    traceId: `t${seq}`,
    changedFields: [],
    reason: null,
    ...extra,
    article: {
      url: null,
      language: 'en',
      headline: `${article.id} v${article.version}`,
      summary: null,
      body: ['p'],
      category: 'news',
      categoryLabel: null,
      subjects: [],
      authors: [],
      publishedAt: null,
      updatedAt: null,
      urgency: 5,
      pubStatus: 'usable',
      embargoedUntil: null,
      breaking: false,
      dateline: null,
      timeZone: null,
      related: [],
      ...article,
    },
  }
}

/**
 * An entry event of live story `story` (the story as it stands, as ingest writes it) with sensible
 * defaults: ENTRY_CREATED for version 1, else ENTRY_UPDATED unless `type` says.
 */
export function entryEvent(
  story: Article,
  entry: Partial<StoryEntry> & { id: string; seq: number; version: number },
  at: number,
  extra: Partial<Omit<EntryEvent, 'entry' | 'article'>> = {},
): EntryEvent {
  seq++
  return {
    eventId: `ev-${seq}-${story.id}/${entry.id}-${entry.version}`,
    type: entry.version === 1 ? 'ENTRY_CREATED' : 'ENTRY_UPDATED',
    occurredAt: at,
    ingestedAt: at,
    source: 'test',
    traceId: `t${seq}`,
    changedFields: [],
    reason: null,
    correction: null,
    ...extra,
    article: story,
    entry: {
      headline: null,
      body: [`${entry.id} v${entry.version}`],
      authors: [],
      pinned: false,
      keyEvent: false,
      publishedAt: at,
      updatedAt: at,
      pubStatus: 'usable',
      embargoedUntil: null,
      corrections: [],
      ...entry,
    },
  }
}

/** The body of a signed position with one field changed, signature kept (a forgery the codec must refuse). */
export function forgePosition(position: string, change: Record<string, unknown>): string {
  const [prefix, body, mac] = position.split('.')
  const p = JSON.parse(Buffer.from(body as string, 'base64url').toString()) as Record<string, unknown>
  return `${prefix}.${Buffer.from(JSON.stringify({ ...p, ...change })).toString('base64url')}.${mac}`
}
