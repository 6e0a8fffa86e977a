// Events and queued jobs for planning tests (batch-plan.ts), without a publisher or Kafka.
import assert from 'node:assert/strict'
import type { Article, ArticleEvent, EntryEvent, StoryEntry } from '@newswire/shared'
import type { Encoder, Job, PlanContext, Queued } from '../../src/batch-plan.ts'
import { decide } from '../../src/decide.ts'
import type { ArticleState } from '../../src/state.ts'
import { articleInput, T0 } from './article-input.ts'

let seq = 0
/** Version `version` of article `id`, as ingest would commit it (at T0 unless `at`, with `patch` applied). */
export function eventOf(id: string, version: number, at = T0, patch: Partial<Article> = {}, type?: ArticleEvent['type']): ArticleEvent {
  const d = decide(undefined, articleInput({ id }), T0)
  assert.equal(d.kind, 'created')
  const article = d.kind === 'created' ? d.article : assert.fail('created')
  return {
    eventId: `e-${++seq}`,
    type: type ?? (version === 1 ? 'CREATED' : 'UPDATED'),
    occurredAt: at,
    ingestedAt: at,
    source: 'cms',
    traceId: 't',
    changedFields: [],
    reason: null,
    article: { ...article, version, ...patch },
    correction: null,
    entry: null,
  }
}

/** Encodes every event as `bytes` zero bytes. */
export function encoder(bytes: number): Encoder {
  return { encode: () => Buffer.alloc(bytes), fingerprintHex: '00' }
}

/** A job that writes the next version of `id` on what it sees, and answers the version it saw. */
export function nextVersion(id: string): Job<number> {
  return nextVersionWith(id, T0, {})
}

/** The same, at `at` and with `patch` (and `type`) applied to the version. */
export function nextVersionWith(id: string, at: number, patch: Partial<Article>, type?: ArticleEvent['type']): Job<number> {
  return {
    articleId: id,
    idempotency: null,
    plan: (current) => {
      const seen = current?.article.version ?? 0
      return { event: eventOf(id, seen + 1, at, patch, type), result: seen }
    },
  }
}

export function queued<R>(job: Job<R>, partition = 0): Queued {
  // As the publisher queues it: the result's type is the caller's
  return { job: job as Job<unknown>, partition, settled: false, attempt: null }
}

export function context(state: ArticleState, extra: Partial<PlanContext> = {}): PlanContext {
  return { state, encoder: encoder(100), source: { fingerprintHex: '00', instanceId: 'i' }, budget: 10_000, unseen: [], ...extra }
}

/** Version `version` of entry `entryId` of live story `storyId`, at `at`, with `patch` applied. */
export function entryEventOf(storyId: string, entryId: string, version: number, at: number, patch: Partial<StoryEntry> = {}): EntryEvent {
  const story = eventOf(storyId, 1, T0, { live: true })
  const type = patch.pubStatus === 'canceled' ? 'ENTRY_DELETED' : version === 1 ? 'ENTRY_CREATED' : 'ENTRY_UPDATED'
  const entry: StoryEntry = {
    id: entryId,
    seq: 1,
    version,
    headline: null,
    body: ['এক'],
    authors: [],
    pinned: false,
    keyEvent: false,
    publishedAt: T0,
    updatedAt: at,
    pubStatus: 'usable',
    embargoedUntil: null,
    corrections: [],
    ...patch,
  }
  return { ...story, eventId: `e-${++seq}`, type, occurredAt: at, ingestedAt: at, entry }
}

/** A job that writes the next version of entry `entryId` of story `storyId` on what it sees. */
export function nextEntryVersion(storyId: string, entryId: string, at: number, patch: Partial<StoryEntry>): Job<number> {
  return {
    articleId: storyId,
    idempotency: null,
    plan: (_current, view) => {
      const seen = view.entry(storyId, entryId)?.entry.version ?? 0
      return { event: entryEventOf(storyId, entryId, seen + 1, at, patch), result: seen }
    },
  }
}
