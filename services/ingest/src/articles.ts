// Use cases behind the HTTP routes: create or update an article (whole, or by JSON Merge Patch)
// and withdraw one, with Idempotency-Key handling. HTTP-free so the batch endpoint and the
// importer share it. Every decision is taken at commit time against the freshest state.
import { articleToJson, isNewswireError, ProblemError } from '@newswire/shared'
import type { Article, ArticleEvent, CodecProblem, FieldError } from '@newswire/shared'
import { decide, decideWithdraw, withdrawnConflict } from './decide.ts'
import type { Actor, Decision } from './decide.ts'
import { applyMergePatch } from './merge-patch.ts'
import { newEventId } from './publisher.ts'
import type { Plan, Publisher } from './publisher.ts'
import type { ArticleState, IdempotencyCache, Stored } from './state.ts'
import { invalid, validateArticle } from './validate.ts'
import type { ArticleInput } from './validate.ts'

export type Outcome =
  | {
      status: 201 | 200
      body: { id: string; version: number; eventId: string; type: 'CREATED' | 'UPDATED' | 'WITHDRAWN'; changedFields?: string[] }
    }
  | { status: 200; body: { id: string; version: number; unchanged: true } }

export interface RequestContext {
  actor: Actor
  traceId: string
  /** `<key name>:<Idempotency-Key>` or null. */
  idempotencyKey: string | null
  /** Fingerprint of the request content, to refuse a reused key with other content. */
  requestHash: string
}

export interface Remembered {
  outcome: Outcome
  requestHash: string
}

export interface ArticleService {
  upsert(input: ArticleInput, ctx: RequestContext): Promise<Outcome>
  /** Applies an RFC 7396 merge patch to the latest version of article `id`. */
  patch(id: string, patch: Record<string, unknown>, ctx: RequestContext): Promise<Outcome>
  withdraw(id: string, reason: string, ctx: RequestContext): Promise<Outcome>
}

export interface ArticleServiceDeps {
  publisher: Publisher
  state: ArticleState
  idempotency: IdempotencyCache<Remembered>
  publishTimeoutMs: number
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
    ...extra,
  }
}

/** What a merge patch applies to: the article as GET shows it, without what ingest assigns. */
function patchBase(article: Article): Record<string, unknown> {
  const { version: _version, updatedAt: _updatedAt, ...rest } = articleToJson(article)
  return rest
}

/** A value the Avro schema cannot carry, as a 422 naming the article's fields. */
function unencodable(err: unknown): unknown {
  if (!isNewswireError(err, 'NEWSWIRE_ERR_CODEC_INVALID')) return err
  const problems = (err.details.problems ?? []) as CodecProblem[]
  const errors: FieldError[] = problems.map((p) => ({
    field: p.path.replace(/^article\./, ''),
    code: 'not_encodable',
    message: `cannot be written to Kafka: expected ${p.expected}, got ${p.got}`,
  }))
  return invalid(errors)
}

export function createArticleService(deps: ArticleServiceDeps): ArticleService {
  const now = deps.now ?? Date.now
  const inflight = new Map<string, Promise<Outcome>>()

  function remembered(ctx: RequestContext): Outcome | undefined {
    if (ctx.idempotencyKey === null) return undefined
    const seen = deps.idempotency.get(ctx.idempotencyKey)
    if (seen === undefined) return undefined
    if (seen.requestHash !== ctx.requestHash) {
      throw new ProblemError('idempotency_key_reused', 'this Idempotency-Key was used for a request with other content')
    }
    return seen.outcome
  }

  async function submit(articleId: string, ctx: RequestContext, plan: (current: Stored | undefined) => Plan<Outcome>): Promise<Outcome> {
    const key = ctx.idempotencyKey
    const seen = remembered(ctx)
    if (seen !== undefined) return seen
    // A retry racing the first request waits for the same answer
    const running = key === null ? undefined : inflight.get(key)
    if (running) return running
    const remember = (outcome: Outcome) => {
      if (key !== null) deps.idempotency.set(key, { outcome, requestHash: ctx.requestHash })
    }
    const p = deps.publisher
      .submit<Outcome>(
        {
          articleId,
          idempotency: key === null ? null : { key, requestHash: ctx.requestHash },
          // Planned after the partition's catch-up: if this very request was committed before
          // (its answer lost to a timeout, a crash or another instance), the answer is that one
          plan: (current) => {
            const again = remembered(ctx)
            return again === undefined ? plan(current) : { event: null, result: again }
          },
          // Also when the caller stopped waiting: a retry then gets the answer it missed
          committed: remember,
        },
        deps.publishTimeoutMs,
      )
      .then(
        (outcome) => {
          remember(outcome)
          return outcome
        },
        (err: unknown) => {
          throw unencodable(err)
        },
      )
    if (key !== null) {
      inflight.set(key, p)
      const done = () => inflight.delete(key)
      p.then(done, done)
    }
    return p
  }

  function planOf(d: Decision, ctx: RequestContext, t: number): Plan<Outcome> {
    switch (d.kind) {
      case 'created': {
        const event = eventOf('CREATED', ctx, t, d.article)
        const { id, version } = d.article
        return { event, result: { status: 201, body: { id, version, eventId: event.eventId, type: 'CREATED' } } }
      }
      case 'updated': {
        const event = eventOf('UPDATED', ctx, t, d.article, { changedFields: d.changedFields })
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
    }
  }

  return {
    upsert(input, ctx) {
      return submit(input.id, ctx, (current) => {
        const t = now()
        return planOf(decide(current, input, t, ctx.actor), ctx, t)
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
        return planOf(decide(current, merged.article, t, ctx.actor), ctx, t)
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
  }
}

/** The answer a committed event stands for, so a retry reaching another instance gets it too. */
export function outcomeOf(event: ArticleEvent): Outcome {
  const { id, version } = event.article
  if (event.type === 'CREATED') return { status: 201, body: { id, version, eventId: event.eventId, type: 'CREATED' } }
  if (event.type === 'WITHDRAWN') return { status: 200, body: { id, version, eventId: event.eventId, type: 'WITHDRAWN' } }
  return { status: 200, body: { id, version, eventId: event.eventId, type: 'UPDATED', changedFields: event.changedFields } }
}
