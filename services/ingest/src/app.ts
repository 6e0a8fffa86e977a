// HTTP surface of ingest (express). Routes authenticate, parse and authorize; articles.ts and
// entries.ts decide and publish. The API key is checked before the body is read or inflated.
import express from 'express'
import type { NextFunction, Request, Response } from 'express'
import { articleToJson, handleOps, ProblemError, sendProblem } from '@newswire/shared'
import type { Logger, Readiness, Registry } from '@newswire/shared'
import type { ArticleService } from './articles.ts'
import type { Authenticator } from './auth.ts'
import type { IngestConfig } from './config.ts'
import type { Actor } from './decide.ts'
import type { EntryService } from './entries.ts'
import { mountEntryRoutes } from './entry-routes.ts'
import { authorizationHeaders, bodyText, jsonTypes, mergePatchTypes, parseJson, requireType, traceIdOf } from './http.ts'
import { scrapedIdOf } from './import-id.ts'
import type { IngestMetrics } from './metrics.ts'
import { QueryReader } from './query.ts'
import { openApiDocument } from './openapi.ts'
import type { RateLimiter } from './rate-limit.ts'
import { answerBatch, createRouting, objectBody, reasonOf, refuseNullRemovals, sendOutcome } from './routing.ts'
import { parseScraped, ScrapedParseError } from './scraped/index.ts'
import type { ArticleState } from './state.ts'
import { invalid, validateArticle } from './validate.ts'
import type { ArticleInput } from './validate.ts'

export interface SchemaInfo {
  version: number
  file: string
  fingerprint: string
  current: boolean
  schema: unknown
}

export interface AppDeps {
  config: IngestConfig
  service: ArticleService
  entries: EntryService
  state: ArticleState
  auth: Authenticator
  limiter: RateLimiter
  metrics: IngestMetrics
  registry: Registry
  log: Logger
  schemas: SchemaInfo[]
  readiness: () => Readiness
  /** True while shutting down: new requests get 503 and Connection: close. */
  closing: () => boolean
  /** Catches the state of article `id` up with Kafka; false when it could not in time. */
  freshen: (id: string) => Promise<boolean>
}

function validated(value: unknown): ArticleInput {
  const r = validateArticle(value)
  if (!r.ok) throw invalid(r.errors)
  return r.article
}

export function createApp(deps: AppDeps): express.Express {
  const { config, metrics, log } = deps
  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false)

  // Every request that is not an ops probe gets its trace id, metrics and one access line here,
  // before anything can refuse it (draining, body too large), so refusals are traceable too.
  app.use((req, res, next) => {
    if (handleOps(req, res, { registry: deps.registry, readiness: deps.readiness, metrics: config.metricsPort === config.port })) return
    const traceId = traceIdOf(req)
    res.locals.traceId = traceId
    res.set('x-trace-id', traceId)
    // answers carry newsroom data (held and embargoed text): never stored by a cache on the way,
    // whatever its rules (no-store.test.ts); the schemas and the API description say otherwise
    res.set('cache-control', 'no-store')
    const t0 = performance.now()
    res.on('finish', () => {
      const seconds = (performance.now() - t0) / 1000
      const name = typeof res.locals.route === 'string' ? res.locals.route : 'unmatched'
      metrics.requests.inc({ route: name, method: req.method, status: String(res.statusCode) })
      metrics.requestSeconds.observe({ route: name }, seconds)
      // The trace id also travels in the Kafka 'trace-id' header
      log.info({ traceId, route: name, method: req.method, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request')
    })
    if (deps.closing()) {
      res.set('Connection', 'close')
      sendProblem(res, new ProblemError('not_ready', 'the service is shutting down; retry on another instance', {}, { 'Retry-After': '1' }))
      return
    }
    if (authorizationHeaders(req) > 1) {
      sendProblem(res, new ProblemError('invalid_header', 'more than one Authorization header'))
      return
    }
    next()
  })

  const routing = createRouting(deps)
  const { route, patchRoute, context, newsroom, keyName } = routing

  app.post(
    '/v1/articles',
    ...route('/v1/articles', 'write', async (req, res, { traceId }) => {
      requireType(req, jsonTypes, 'an article')
      const input = validated(parseJson(bodyText(req)))
      sendOutcome(res, await deps.service.upsert(input, context(req, res, traceId, newsroom(res))))
    }),
  )

  app.post(
    '/v1/articles/batch',
    ...route('/v1/articles/batch', 'write', (req, res, ctx) =>
      answerBatch(routing, req, res, ctx, config.batchMaxLines, 'article', (value, lineCtx) =>
        deps.service.upsert(validated(value), lineCtx),
      ),
    ),
  )

  app.patch(
    '/v1/articles/:id',
    ...patchRoute('/v1/articles/:id', async (req, res, { traceId }) => {
      requireType(req, mergePatchTypes, 'a JSON Merge Patch (RFC 7396)')
      const id = String(req.params.id)
      const given = objectBody(req, 'a merge patch of an article')
      if (Object.hasOwn(given, 'id') && given.id !== id) {
        throw invalid([{ field: 'id', code: 'invalid_value', message: `must be '${id}' as in the path: an article cannot be renamed` }])
      }
      refuseNullRemovals(given)
      sendOutcome(res, await deps.service.patch(id, given, context(req, res, traceId, newsroom(res), given)))
    }),
  )

  app.post(
    '/v1/articles/:id/withdraw',
    ...route('/v1/articles/:id/withdraw', 'withdraw', async (req, res, { traceId }) => {
      requireType(req, jsonTypes, 'the withdrawal')
      const reason = reasonOf(parseJson(bodyText(req)), 'a withdrawal')
      sendOutcome(res, await deps.service.withdraw(String(req.params.id), reason, context(req, res, traceId, newsroom(res))))
    }),
  )

  // Legal removal: the kill, and the content out of news.articles (articles.ts erase). The same
  // scope as a withdrawal: it removes only what the kill hides from the public for good anyway.
  app.post(
    '/v1/articles/:id/erase',
    ...route('/v1/articles/:id/erase', 'withdraw', async (req, res, { traceId }) => {
      requireType(req, jsonTypes, 'the erasure')
      const reason = reasonOf(parseJson(bodyText(req)), 'an erasure')
      sendOutcome(res, await deps.service.erase(String(req.params.id), reason, context(req, res, traceId, newsroom(res))))
    }),
  )

  app.get(
    '/v1/articles/:id',
    ...route('/v1/articles/:id', 'read', async (req, res, { log: reqLog }) => {
      const id = String(req.params.id)
      // Written through another instance a moment ago: read up to Kafka's end first. When Kafka
      // cannot be reached, the answer is this instance's memory, and says so.
      if (!(await deps.freshen(id))) {
        reqLog.warn({ id }, 'read answered from memory: could not catch up with Kafka')
        res.set('Newswire-Stale', 'true')
      }
      // its latest state unreadable here (a newer instance's schema): not an older version as the latest
      const stored = deps.state.article(id)
      if (!stored) throw new ProblemError('not_found', `no article with id '${id}'`)
      res.json({ eventId: stored.eventId, type: stored.type, article: articleToJson(stored.article) })
    }),
  )

  app.get(
    '/v1/schemas',
    ...route('/v1/schemas', null, (_req, res) => {
      res.set('cache-control', 'no-cache')
      res.json({ encoding: 'avro-single-object', schemas: deps.schemas })
    }),
  )

  app.get(
    '/openapi.json',
    ...route('/openapi.json', null, (_req, res) => {
      res.set('cache-control', 'no-cache')
      res.json(openApiDocument)
    }),
  )

  app.post(
    '/v1/import/scraped',
    ...route('/v1/import/scraped', 'import', async (req, res, { traceId }) => {
      requireType(req, ['text/plain'], 'the scraped page')
      // each parameter once, a number as written (query.ts), or nothing is read
      const query = new QueryReader(req.query)
      const given = { id: query.text('id'), url: query.text('url'), timeZone: query.text('timeZone'), urgency: query.number('urgency') }
      if (query.errors.length > 0) throw invalid(query.errors)
      let page: ReturnType<typeof parseScraped>
      try {
        page = parseScraped(bodyText(req), { timeZone: given.timeZone })
      } catch (err) {
        if (err instanceof ScrapedParseError) throw new ProblemError('invalid_body', err.message, { parseError: err.code, line: err.line })
        throw err
      }
      // Re-importing the same page must land on the same article: derive the id from what
      // identifies the page when the caller does not name it.
      const id = given.id ?? scrapedIdOf(given.url, page.headline, page.publishedAt)
      const urgency = given.urgency
      // No editorial controls: an import never embargoes, holds or releases anything
      const input = validated({
        id,
        url: given.url ?? null,
        language: page.language,
        headline: page.headline,
        body: page.body,
        category: page.category,
        categoryLabel: page.categoryLabel,
        publishedAt: page.publishedAt,
        updatedAt: page.updatedAt,
        dateline: page.dateline,
        timeZone: page.timeZone,
        related: page.related,
        ...(urgency !== undefined ? { urgency } : {}),
      })
      const importer: Actor = { source: `import:${keyName(res)}`, importer: true }
      sendOutcome(res, await deps.service.upsert(input, context(req, res, traceId, importer)))
    }),
  )

  mountEntryRoutes(app, { routing, service: deps.entries, state: deps.state, freshen: deps.freshen, batchMaxLines: config.batchMaxLines })

  app.use((req, res) => {
    sendProblem(res, new ProblemError('not_found', `no route for ${req.method} ${req.path}`))
  })

  // body-parser errors (size, encoding, aborted) arrive here
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const type = (err as { type?: unknown }).type
    const status = (err as { status?: unknown }).status
    if (type === 'entity.too.large') {
      sendProblem(
        res,
        new ProblemError('payload_too_large', `the body is larger than ${config.maxBodyBytes} bytes`, { maxBytes: config.maxBodyBytes }),
      )
    } else if (type === 'encoding.unsupported') {
      sendProblem(res, new ProblemError('unsupported_media_type', 'unsupported Content-Encoding'))
    } else if ((typeof type === 'string' && type.startsWith('request.')) || (typeof status === 'number' && status >= 400 && status < 500)) {
      sendProblem(res, new ProblemError('invalid_body', err instanceof Error ? err.message : 'bad request'))
    } else {
      log.error({ err }, 'unhandled error')
      sendProblem(res, new ProblemError('internal', 'unexpected error; see the service log'))
    }
  })
  return app
}
