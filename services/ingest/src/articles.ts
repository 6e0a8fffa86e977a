// Use cases behind the HTTP routes: upsert and withdraw an article, with Idempotency-Key
// handling. HTTP-free so the batch endpoint and the importer share it.
import { ProblemError } from '@newswire/shared'
import type { ArticleEvent } from '@newswire/shared'
import { decide, decideWithdraw } from './decide.ts'
import { newEventId } from './publisher.ts'
import type { Publisher } from './publisher.ts'
import type { ArticleState, IdempotencyCache } from './state.ts'
import type { ArticleInput } from './validate.ts'

export type Outcome =
  | {
      status: 201 | 200
      body: { id: string; version: number; eventId: string; type: 'CREATED' | 'UPDATED' | 'WITHDRAWN'; changedFields?: string[] }
    }
  | { status: 200; body: { id: string; version: number; unchanged: true } }

export interface RequestContext {
  source: string
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
  article: ArticleEvent['article'],
  extra: Partial<ArticleEvent> = {},
): ArticleEvent {
  return {
    eventId: newEventId(),
    type,
    occurredAt: article.updatedAt ?? now,
    ingestedAt: now,
    source: ctx.source,
    traceId: ctx.traceId,
    changedFields: [],
    reason: null,
    article,
    ...extra,
  }
}

export function createArticleService(deps: ArticleServiceDeps): ArticleService {
  const now = deps.now ?? Date.now
  const inflight = new Map<string, Promise<Outcome>>()

  async function idempotent(ctx: RequestContext, run: () => Promise<Outcome>): Promise<Outcome> {
    const key = ctx.idempotencyKey
    if (key === null) return run()
    const seen = deps.idempotency.get(key)
    if (seen !== undefined) {
      if (seen.requestHash !== ctx.requestHash) {
        throw new ProblemError('idempotency_key_reused', 'this Idempotency-Key was used for a request with other content')
      }
      return seen.outcome
    }
    // A retry racing the first request waits for the same answer
    const running = inflight.get(key)
    if (running) return running
    const p = run().then((outcome) => {
      deps.idempotency.set(key, { outcome, requestHash: ctx.requestHash })
      return outcome
    })
    inflight.set(key, p)
    try {
      return await p
    } finally {
      inflight.delete(key)
    }
  }

  return {
    upsert(input, ctx) {
      return idempotent(ctx, () =>
        deps.publisher.submit<Outcome>(
          {
            articleId: input.id,
            idempotency: ctx.idempotencyKey ? { key: ctx.idempotencyKey, requestHash: ctx.requestHash } : null,
            plan: (current) => {
              const t = now()
              const d = decide(current?.article, input, t)
              switch (d.kind) {
                case 'created': {
                  const event = eventOf('CREATED', ctx, t, d.article)
                  return {
                    event,
                    result: {
                      status: 201,
                      body: { id: d.article.id, version: d.article.version, eventId: event.eventId, type: 'CREATED' },
                    },
                  }
                }
                case 'updated': {
                  const event = eventOf('UPDATED', ctx, t, d.article, { changedFields: d.changedFields })
                  return {
                    event,
                    result: {
                      status: 200,
                      body: {
                        id: d.article.id,
                        version: d.article.version,
                        eventId: event.eventId,
                        type: 'UPDATED',
                        changedFields: d.changedFields,
                      },
                    },
                  }
                }
                case 'unchanged':
                  deps.onUnchanged()
                  return { event: null, result: { status: 200, body: { id: d.current.id, version: d.current.version, unchanged: true } } }
                case 'conflict':
                  throw new ProblemError('conflict', d.message, { conflict: d.code, currentVersion: d.current.version })
              }
            },
          },
          deps.publishTimeoutMs,
        ),
      )
    },
    withdraw(id, reason, ctx) {
      return idempotent(ctx, () =>
        deps.publisher.submit<Outcome>(
          {
            articleId: id,
            idempotency: ctx.idempotencyKey ? { key: ctx.idempotencyKey, requestHash: ctx.requestHash } : null,
            plan: (current) => {
              if (current === undefined) throw new ProblemError('not_found', `no article with id '${id}'`)
              const t = now()
              const d = decideWithdraw(current.article, t)
              if (d.kind === 'unchanged') {
                return { event: null, result: { status: 200, body: { id, version: d.current.version, unchanged: true } } }
              }
              const event = eventOf('WITHDRAWN', ctx, t, d.article, { reason, changedFields: ['pubStatus'] })
              return { event, result: { status: 200, body: { id, version: d.article.version, eventId: event.eventId, type: 'WITHDRAWN' } } }
            },
          },
          deps.publishTimeoutMs,
        ),
      )
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
