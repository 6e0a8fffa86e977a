// Events and queued jobs for planning tests (batch-plan.ts), without a publisher or Kafka.
import assert from 'node:assert/strict'
import type { Article, ArticleEvent } from '@newswire/shared'
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
