// Use cases behind the article routes: create or update an article (whole, or by JSON Merge
// Patch) and withdraw one. HTTP-free so the batch endpoint and the importer share it. Every
// decision is taken at commit time against the freshest state.
import { articleToJson, ProblemError } from '@newswire/shared'
import type { Article, ArticleEvent, Correction } from '@newswire/shared'
import { boundViews, decide, decideErase, decideWithdraw, withdrawnConflict } from './decide.ts'
import type { Decision } from './decide.ts'
import { applyMergePatch } from './merge-patch.ts'
import type { ArticleOutcome, Outcome, RequestContext } from './outcome.ts'
import { newEventId } from './publisher.ts'
import type { Plan, PlanView } from './batch-plan.ts'
import type { Submit } from './submit.ts'
import { invalid, validateArticle } from './validate.ts'
import type { ArticleInput } from './validate.ts'

export type { Outcome, RequestContext, Remembered } from './outcome.ts'
export { outcomeOf } from './outcome.ts'

export interface ArticleService {
  upsert(input: ArticleInput, ctx: RequestContext): Promise<Outcome>
  /** Applies an RFC 7396 merge patch to the latest version of article `id`. */
  patch(id: string, patch: Record<string, unknown>, ctx: RequestContext): Promise<Outcome>
  withdraw(id: string, reason: string, ctx: RequestContext): Promise<Outcome>
  /**
   * Erases article `id` (legal removal): kills it as withdraw does, without the content (a kill
   * that kept it, again without it), unless it is erased already, and writes tombstones in
   * news.articles for its key and every entry key of the story, in the same transaction on the
   * story's partition. Answers as withdraw does (an erased one: unchanged, its tombstones written
   * again).
   */
  erase(id: string, reason: string, ctx: RequestContext): Promise<Outcome>
}

/**
 * Keys of news.articles one transaction of an erasure tombstones at most: a tombstone of a story's
 * entry key (ids of up to 200 characters) and its headers take up to about 800 bytes, so 800 of them
 * and the kill's state stay well within the 900 KiB a transaction may write to a partition
 * (records.ts). A story with more keys is erased in several transactions (red12b attack run,
 * 2026-12-05: one transaction for all was refused, 413, for a story of a few thousand entries).
 */
export const ERASE_KEYS_PER_WRITE = 800

export interface ArticleServiceDeps {
  submit: Submit
  onUnchanged: () => void
  now?: () => number
}

function eventOf(
  type: ArticleEvent['type'],
  ctx: RequestContext,
  now: number,
  article: Article,
  extra: Partial<ArticleEvent> = {},
): ArticleEvent {
  return {
    eventId: newEventId(),
    type,
    occurredAt: article.updatedAt ?? now,
    ingestedAt: now,
    source: ctx.actor.source,
    traceId: ctx.traceId,
    changedFields: [],
    reason: null,
    article,
    correction: null,
    entry: null,
    ...extra,
  }
}

/** What a merge patch applies to: the article as GET shows it, without what ingest assigns or keeps. */
function patchBase(article: Article): Record<string, unknown> {
  const { version: _version, updatedAt: _updatedAt, corrections: _corrections, ...rest } = articleToJson(article)
  return rest
}

export function createArticleService(deps: ArticleServiceDeps): ArticleService {
  const now = deps.now ?? Date.now
  const { submit } = deps

  function planOf(d: Decision, ctx: RequestContext, t: number): Plan<ArticleOutcome> {
    switch (d.kind) {
      case 'created': {
        const event = eventOf('CREATED', ctx, t, d.article)
        const { id, version } = d.article
        return { event, result: { status: 201, body: { id, version, eventId: event.eventId, type: 'CREATED' } } }
      }
      case 'updated': {
        const correction: Correction | null = d.correction
        const event = eventOf('UPDATED', ctx, t, d.article, { changedFields: d.changedFields, correction })
        const { id, version } = d.article
        const body = { id, version, eventId: event.eventId, type: 'UPDATED' as const, changedFields: d.changedFields }
        return { event, result: { status: 200, body } }
      }
      case 'unchanged':
        deps.onUnchanged()
        return { event: null, result: { status: 200, body: { id: d.current.id, version: d.current.version, unchanged: true } } }
      case 'conflict':
        throw new ProblemError('conflict', d.message, { conflict: d.code, currentVersion: d.current.version })
      case 'forbidden':
        throw new ProblemError('forbidden', d.message, { requiredScope: 'write' })
      case 'invalid':
        throw invalid(d.errors)
    }
  }

  return {
    upsert(input, ctx) {
      return submit(input.id, ctx, (current) => {
        const t = now()
        return planOf(boundViews(decide(current, input, t, ctx.actor), current), ctx, t)
      })
    },
    patch(id, patch, ctx) {
      return submit(id, ctx, (current) => {
        if (current === undefined) throw new ProblemError('not_found', `no article with id '${id}'; create it with POST /v1/articles`)
        const t = now()
        const withdrawn = withdrawnConflict(current.article)
        if (withdrawn) return planOf(withdrawn, ctx, t)
        const doc = applyMergePatch(patchBase(current.article), patch) as Record<string, unknown>
        // A merge patch removes a member with null; removing the embargo is lifting it, explicitly
        if (Object.hasOwn(patch, 'embargoedUntil') && patch.embargoedUntil === null) doc.embargoedUntil = null
        const merged = validateArticle(doc)
        if (!merged.ok) throw invalid(merged.errors)
        return planOf(boundViews(decide(current, merged.article, t, ctx.actor), current), ctx, t)
      })
    },
    withdraw(id, reason, ctx) {
      return submit(id, ctx, (current) => {
        if (current === undefined) throw new ProblemError('not_found', `no article with id '${id}'`)
        const t = now()
        const d = decideWithdraw(current.article, t)
        if (d.kind === 'unchanged') {
          return { event: null, result: { status: 200, body: { id, version: d.current.version, unchanged: true } } }
        }
        const event = eventOf('WITHDRAWN', ctx, t, d.article, { reason, changedFields: ['pubStatus'] })
        return { event, result: { status: 200, body: { id, version: d.article.version, eventId: event.eventId, type: 'WITHDRAWN' } } }
      })
    },
    async erase(id, reason, ctx) {
      // The story's keys this erasure has written tombstones for; each transaction takes the next
      // ones. Not by offset: a key this instance never read leaves the story's keys once
      // tombstoned (state.ts erasedEntry), and later offsets then passed over keys no transaction
      // wrote (seventh mutation batch). A killed story gets no new entries: the loop ends.
      const done = new Set<string>()
      const nextKeys = (view: PlanView): string[] =>
        [id, ...view.entryKeys(id).sort()].filter((k) => !done.has(k)).slice(0, ERASE_KEYS_PER_WRITE)
      // what the plan that ran last (the one committed) tombstones; none when the answer came from the key
      let planned: string[] = []
      // the kill, with the article's key and the story's first entry keys
      const first = await submit(id, ctx, (current, view) => {
        if (current === undefined) throw new ProblemError('not_found', `no article with id '${id}'`)
        const t = now()
        planned = nextKeys(view)
        const erase = { keys: planned, traceId: ctx.traceId, at: t }
        const d = decideErase(current.article, t)
        if (d.kind === 'killed') {
          return { event: null, erase, result: { status: 200, body: { id, version: d.current.version, unchanged: true } } }
        }
        const event = eventOf('WITHDRAWN', ctx, t, d.article, { reason, changedFields: d.changedFields })
        const body = { id, version: d.article.version, eventId: event.eventId, type: 'WITHDRAWN' as const }
        return { event, erase, result: { status: 200, body } }
      })
      // the rest in transactions of their own, before the answer, whatever the first answer was (a
      // retry remembered by its Idempotency-Key too): an erasure cut short is completed by any retry
      const rest: RequestContext = { ...ctx, idempotencyKey: null, requestHash: '' }
      while (true) {
        for (const k of planned) done.add(k)
        planned = []
        await submit(id, rest, (_current, view) => {
          planned = nextKeys(view)
          return planned.length === 0
            ? { event: null, result: first }
            : { event: null, erase: { keys: planned, traceId: ctx.traceId, at: now() }, result: first }
        })
        if (planned.length === 0) break
      }
      return first
    },
  }
}
