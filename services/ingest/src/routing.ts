// What every ingest route shares (app.ts for articles, entry-routes.ts for live-story entries):
// the key checked before the body is read or inflated, the rate limit, problem answers, the
// request context (who, trace, Idempotency-Key), NDJSON batches and withdrawal reasons.
import express from 'express'
import type { NextFunction, Request, Response } from 'express'
import { cleanText, ProblemError, sendProblem, toProblem } from '@newswire/shared'
import type { FieldError, Logger } from '@newswire/shared'
import type { Authenticator } from './auth.ts'
import type { IngestConfig, Scope } from './config.ts'
import type { Actor } from './decide.ts'
import { invalid } from './fields.ts'
import { batchRecords, bodyText, idempotencyKeyOf, ndjsonTypes, parseJson, requestHashOf, requireType, sha256 } from './http.ts'
import { shapeErrors } from './json-shape.ts'
import type { IngestMetrics } from './metrics.ts'
import type { Outcome, RequestContext } from './outcome.ts'
import type { RateLimiter } from './rate-limit.ts'
import { TAKEDOWN_MAX_BYTES, takesDown } from './takedown.ts'

export type Handler = (req: Request, res: Response, ctx: { traceId: string; log: Logger }) => Promise<void> | void

export interface RoutingDeps {
  config: IngestConfig
  auth: Authenticator
  limiter: RateLimiter
  metrics: IngestMetrics
  log: Logger
}

export interface Routing {
  /** Middleware for a route: key and scope (null: none) checked before the body is read, then `handler`. */
  route(name: string, scope: Scope | null, handler: Handler): express.RequestHandler[]
  /** A `write` route taking merge patches: one that only holds or embargoes gets past the writes' limit (takedown.ts). */
  patchRoute(name: string, handler: Handler): express.RequestHandler[]
  handleError(err: unknown, res: Response, reqLog: Logger): void
  logProblem(p: ProblemError, err: unknown, reqLog: Logger, extra?: Record<string, unknown>): void
  keyName(res: Response): string
  /** The actor of a newsroom key (not an importer). */
  newsroom(res: Response): Actor
  /** `patch`: a merge patch's body as its handler parsed it (whether it only holds or embargoes). */
  context(req: Request, res: Response, traceId: string, actor: Actor, patch?: Record<string, unknown>): RequestContext
}

/** Longest reason for a withdrawal or an entry's deletion, in characters after cleaning. */
export const REASON_MAX = 1000

export function sendOutcome(res: Response, outcome: Outcome): void {
  res.status(outcome.status).json(outcome.body)
}

/** The `reason` of a kill's JSON body, cleaned, or a 422 that says what is wrong with it. */
export function reasonOf(body: unknown, what: string): string {
  const given = typeof body === 'object' && body !== null ? (body as { reason?: unknown }).reason : undefined
  // a reason given but unusable is refused for what it is, not as missing
  if (typeof given === 'string') {
    const shape = shapeErrors(given)
    if (shape.length > 0) throw invalid(shape.map((e) => ({ ...e, field: 'reason' })))
  }
  const reason = typeof given === 'string' ? cleanText(given) : ''
  if (reason.length > REASON_MAX) {
    throw invalid([
      { field: 'reason', code: 'too_big', message: `${what} needs a reason of 1-${REASON_MAX} characters; this one has ${reason.length}` },
    ])
  }
  if (reason === '') {
    throw invalid([{ field: 'reason', code: 'required', message: `${what} needs a reason of 1-${REASON_MAX} characters` }])
  }
  return reason
}

export function createRouting(deps: RoutingDeps): Routing {
  const { config, metrics, log } = deps
  const raw = express.raw({ type: () => true, limit: config.maxBodyBytes, inflate: true })
  // past the writes' limit, no more is read than a hold can be: a chunked body's size is known only as it comes
  const rawTakedown = express.raw({ type: () => true, limit: TAKEDOWN_MAX_BYTES, inflate: false })

  function logProblem(p: ProblemError, err: unknown, reqLog: Logger, extra: Record<string, unknown> = {}): void {
    if (p.problem.status < 500) metrics.validationFailures.inc({ reason: p.problem.code })
    else if (p.problem.code === 'kafka_unavailable') reqLog.warn({ err, ...extra }, 'kafka unavailable')
    else if (p.problem.code === 'internal') reqLog.error({ err, ...extra }, 'unexpected error')
  }

  function handleError(err: unknown, res: Response, reqLog: Logger): void {
    const p = toProblem(err)
    logProblem(p, err, reqLog)
    sendProblem(res, p)
  }

  const rateLimited = (what: string, key: string, wait: number) =>
    new ProblemError('rate_limited', `rate limit of ${config.rateLimit} ${what}/s for key '${key}'`, {}, { 'Retry-After': String(wait) })

  function route(name: string, scope: Scope | null, handler: Handler, takedowns = false): express.RequestHandler[] {
    const refuse = (err: unknown, res: Response) => handleError(err, res, log.child({ traceId: String(res.locals.traceId), route: name }))
    return [
      // Who is asking comes first: a request with a wrong key is refused before its body is
      // read or inflated, and costs no more than its headers
      (req: Request, res: Response, next: NextFunction) => {
        res.locals.route = name
        res.locals.takesDown = scope === 'withdraw'
        if (scope === null) return next()
        try {
          const key = deps.auth.authorize(req.get('authorization'), scope)
          // a kill (the routes of the `withdraw` scope) takes from a bucket of its own: a key's
          // writes past its limit held back the desk's kill until an embargo passed (red22b)
          const wait = deps.limiter.take(scope === 'withdraw' ? `${key.name}\u0000kills` : key.name)
          res.locals.keyName = key.name
          res.locals.keyId = key.id
          if (wait > 0 && takedowns && smallPlainBody(req)) {
            // maybe a hold: told by its body (takesDown, below)
            res.locals.writeWait = wait
            return next()
          }
          if (wait > 0) throw rateLimited(scope === 'withdraw' ? 'kills' : 'requests', key.name, wait)
          next()
        } catch (err) {
          // The body stays unread: the connection cannot carry another request
          res.set('Connection', 'close')
          refuse(err, res)
        }
      },
      // past the writes' limit, a patch that only holds or embargoes takes from the holds' bucket
      (req: Request, res: Response, next: NextFunction) => {
        const wait = res.locals.writeWait
        if (typeof wait !== 'number') return raw(req, res, next)
        const key = String(res.locals.keyName)
        rawTakedown(req, res, (err?: unknown) => {
          if (err !== undefined) {
            // longer than a hold: it waits with the writes, the rest of it unread
            res.set('Connection', 'close')
            return refuse(rateLimited('requests', key, wait), res)
          }
          const patch = takedownBody(req)
          if (patch === undefined || !takesDown(patch, Date.now())) return refuse(rateLimited('requests', key, wait), res)
          const holdWait = deps.limiter.take(`${key}\u0000holds`)
          if (holdWait > 0) return refuse(rateLimited('holds and embargoes', key, holdWait), res)
          next()
        })
      },
      async (req: Request, res: Response) => {
        const traceId = String(res.locals.traceId)
        const reqLog = log.child({ traceId, route: name })
        try {
          await handler(req, res, { traceId, log: reqLog })
        } catch (err) {
          handleError(err, res, reqLog)
        }
      },
    ]
  }

  const keyName = (res: Response): string => String(res.locals.keyName ?? 'anonymous')

  return {
    route: (name, scope, handler) => route(name, scope, handler),
    patchRoute: (name, handler) => route(name, 'write', handler, true),
    handleError,
    logProblem,
    keyName,
    newsroom: (res) => ({ source: keyName(res), importer: false }),
    context(req, res, traceId, actor, patch) {
      const idempotencyKey = idempotencyKeyOf(req, keyName(res))
      // Only a retried request with the same key is compared against this
      const keyId = typeof res.locals.keyId === 'string' ? res.locals.keyId : undefined
      return {
        actor,
        traceId,
        idempotencyKey,
        requestHash: idempotencyKey ? requestHashOf(req) : '',
        ...(keyId === undefined ? {} : { keyId }),
        // a kill, and a patch that only holds or embargoes: decided even where a key's answer is
        // forgotten or bound to other content (submit.ts), since refused they keep a story up
        ...(res.locals.takesDown === true || (patch !== undefined && takesDown(patch, Date.now())) ? { takesDown: true as const } : {}),
      }
    },
  }
}

/**
 * An NDJSON batch: each line through `write` with its own Idempotency-Key (`<key>#<n-1>`) and
 * request hash; a line's failure is its own result and does not sink the others.
 */
export async function answerBatch(
  routing: Routing,
  req: Request,
  res: Response,
  ctx: { traceId: string; log: Logger },
  maxLines: number,
  what: string,
  write: (value: unknown, ctx: RequestContext) => Promise<Outcome>,
): Promise<void> {
  requireType(req, ndjsonTypes, `NDJSON (one ${what} per line)`)
  const lines = batchRecords(req, bodyText(req))
  if (lines.length > maxLines) {
    throw new ProblemError('payload_too_large', `a batch holds at most ${maxLines} lines, got ${lines.length}`, { maxLines })
  }
  const base = routing.context(req, res, ctx.traceId, routing.newsroom(res))
  const results = await Promise.all(
    lines.map(async (line, i) => {
      try {
        if (line.trim() === '') throw new ProblemError('invalid_body', 'empty line')
        // The hash only serves a retry with the same key: none, no hash (as for single requests).
        // Like a single request's, it covers the method and path: an entry batch names its story
        // there, and the same key and line sent to another story is another request (422)
        const idempotencyKey = base.idempotencyKey && `${base.idempotencyKey}#${i}`
        const requestHash = idempotencyKey ? sha256(`${req.method} ${req.originalUrl}\n${line}`) : ''
        const lineCtx = { ...base, idempotencyKey, requestHash }
        const outcome = await write(parseJson(line), lineCtx)
        return { line: i + 1, status: outcome.status, ...outcome.body }
      } catch (err) {
        // One line's failure must not sink the lines that were already published
        const p = toProblem(err)
        routing.logProblem(p, err, ctx.log, { line: i + 1 })
        return { line: i + 1, ...p.problem }
      }
    }),
  )
  const summary = { lines: results.length, created: 0, updated: 0, unchanged: 0, failed: 0 }
  for (const r of results) {
    if ('unchanged' in r) summary.unchanged++
    else if (r.status === 201) summary.created++
    else if (r.status === 200) summary.updated++
    else summary.failed++
  }
  res.status(200).json({ summary, results })
}

/** Members a merge patch may not remove: editorial status and the live flag only take explicit values. */
export function refuseNullRemovals(patch: Record<string, unknown>): void {
  const errors: FieldError[] = []
  if (Object.hasOwn(patch, 'pubStatus') && patch.pubStatus === null) {
    errors.push({ field: 'pubStatus', code: 'invalid_value', message: 'cannot be removed: send usable (release) or withheld (hold)' })
  }
  if (Object.hasOwn(patch, 'live') && patch.live === null) {
    errors.push({ field: 'live', code: 'invalid_value', message: 'cannot be removed: send true (coverage running) or false (ended)' })
  }
  if (errors.length > 0) throw invalid(errors)
}

/** The JSON object of a request body, or a 422 naming `what` it should have been. */
export function objectBody(req: Request, what: string): Record<string, unknown> {
  const value = parseJson(bodyText(req))
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid([{ field: '(body)', code: 'invalid_type', message: `${what} is a JSON object` }])
  }
  const shape = shapeErrors(value)
  if (shape.length > 0) throw invalid(shape)
  return value as Record<string, unknown>
}

/**
 * A body that may be read past the write limit, sent as it is (an inflated one may be any size):
 * Content-Length at most TAKEDOWN_MAX_BYTES, or chunked (a client streaming its body: red23e),
 * read no further than that (routing's rawTakedown).
 */
function smallPlainBody(req: Request): boolean {
  const encoding = req.get('content-encoding')
  if (encoding !== undefined && encoding !== 'identity') return false
  const declared = req.get('content-length')
  if (declared === undefined) return req.get('transfer-encoding') !== undefined
  const length = Number(declared)
  return Number.isInteger(length) && length <= TAKEDOWN_MAX_BYTES
}

/** The JSON of a body read past the write limit; undefined when it is not JSON read one way. */
function takedownBody(req: Request): unknown {
  try {
    return parseJson(bodyText(req))
  } catch {
    return undefined
  }
}
