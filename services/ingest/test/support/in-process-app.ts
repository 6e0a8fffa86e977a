// The real ingest app (routes, authenticator, validation, services) on loopback, over an
// in-process publisher instead of Kafka, for the model tests on the unit path. A "reload" is a
// new app over a state rebuilt from what was published.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createCodec, createLogger, createRegistry, loadSchemas } from '@newswire/shared'
import { createApp } from '../../src/app.ts'
import { createAuthenticator, liveKeys } from '../../src/auth.ts'
import { loadIngestConfig } from '../../src/config.ts'
import { createIngestMetrics } from '../../src/metrics.ts'
import { answerPrint } from '../../src/outcome.ts'
import type { Remembered } from '../../src/outcome.ts'
import { RateLimiter } from '../../src/rate-limit.ts'
import { createWriteServices } from '../../src/services.ts'
import { IdempotencyCache } from '../../src/state.ts'
import { ArticleState } from '../../src/state.ts'
import { http } from '../../../../test/helpers.ts'
import { inProcessPublisher } from './in-process-publisher.ts'
import type { InProcessPublisher } from './in-process-publisher.ts'

const codec = createCodec(loadSchemas())
const log = createLogger('ingest-model', 'silent')

export interface InProcessApp {
  url: string
  publisher: InProcessPublisher
  /** The answers it remembers by Idempotency-Key (`<key name>:<key>`), as the tail fills them too. */
  idempotency: IdempotencyCache<Remembered>
  server: Server
  close(): Promise<void>
}

/**
 * `rateLimit`: INGEST_RATE_LIMIT (requests/s per key), out of the way unless a test is about it;
 * `freshen`: whether a read caught up with Kafka (false: it answers from memory, and says so);
 * `idempotencyMaxKeys`: INGEST_IDEMPOTENCY_MAX_KEYS; `idempotency`: the answers it keeps, where a
 * test makes them (a clock it moves, small fingerprint limits), in place of server.ts's;
 * `beforePlan`: what the partition's catch-up reads before each plan (another instance's records).
 */
export async function startInProcessApp(
  state: ArticleState,
  apiKeysEnv: string,
  rateLimit = '1000000',
  freshen: () => Promise<boolean> = async () => true,
  idempotencyMaxKeys = 100_000,
  answers?: IdempotencyCache<Remembered>,
  beforePlan?: () => void,
): Promise<InProcessApp> {
  const config = loadIngestConfig({ INGEST_API_KEYS: apiKeysEnv, INGEST_RATE_LIMIT: rateLimit, INGEST_PORT: '0' })
  const registry = createRegistry('ingest')
  const publisher = inProcessPublisher(state, codec, beforePlan)
  // as server.ts makes it: an answer its key's bound pushes out leaves its fingerprint
  const idempotency =
    answers ?? new IdempotencyCache<Remembered>(60_000, idempotencyMaxKeys, (key, v) => answerPrint(key, v.by, v.requestHash))
  // the configured keys' ids, as server.ts passes them: a retired key's answers bind no one (red28b:
  // without them, no unit-path model ever ran the submitter as production does)
  const services = createWriteServices({
    publisher,
    idempotency,
    publishTimeoutMs: 1000,
    onUnchanged: () => {},
    ...liveKeys(config.apiKeys),
  })
  const app = createApp({
    config,
    service: services.articles,
    entries: services.entries,
    state,
    auth: createAuthenticator(config.apiKeys),
    limiter: new RateLimiter(config.rateLimit),
    metrics: createIngestMetrics(registry),
    registry,
    log,
    schemas: [],
    readiness: () => ({ ready: true, checks: {} }),
    closing: () => false,
    freshen,
  })
  const server = createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, publisher, idempotency, server, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** A request to the app that must be answered `want` (any 2xx when left out); a PATCH goes as a merge patch. */
export type Call = (path: string, method: string, json: unknown, want?: number) => Promise<void>

/** An app for one test (closed after it), whose key `key` has every scope, and a `call` to it. */
export async function appForTest(t: { after: (fn: () => Promise<void>) => void }, key: string): Promise<{ app: InProcessApp; call: Call }> {
  const app = await startInProcessApp(new ArticleState(), `dev:${key}:*`)
  t.after(() => app.close())
  const call: Call = async (path, method, json, want) => {
    const headers = method === 'PATCH' ? { 'content-type': 'application/merge-patch+json' } : undefined
    const r = await http(`${app.url}${path}`, { method, key, json, headers })
    if (want === undefined) assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${r.text}`)
    else assert.equal(r.status, want, `${method} ${path}: ${r.text}`)
  }
  return { app, call }
}
