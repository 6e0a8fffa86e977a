// The real ingest app (routes, authenticator, validation, services) on loopback, over an
// in-process publisher instead of Kafka, for the model tests on the unit path. A "reload" is a
// new app over a state rebuilt from what was published.
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createCodec, createLogger, createRegistry, loadSchemas } from '@newswire/shared'
import { createApp } from '../../src/app.ts'
import { createAuthenticator } from '../../src/auth.ts'
import { loadIngestConfig } from '../../src/config.ts'
import { createIngestMetrics } from '../../src/metrics.ts'
import type { Remembered } from '../../src/outcome.ts'
import { RateLimiter } from '../../src/rate-limit.ts'
import { createWriteServices } from '../../src/services.ts'
import { IdempotencyCache } from '../../src/state.ts'
import type { ArticleState } from '../../src/state.ts'
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
 * `freshen`: whether a read caught up with Kafka (false: it answers from memory, and says so).
 */
export async function startInProcessApp(
  state: ArticleState,
  apiKeysEnv: string,
  rateLimit = '1000000',
  freshen: () => Promise<boolean> = async () => true,
): Promise<InProcessApp> {
  const config = loadIngestConfig({ INGEST_API_KEYS: apiKeysEnv, INGEST_RATE_LIMIT: rateLimit, INGEST_PORT: '0' })
  const registry = createRegistry('ingest')
  const publisher = inProcessPublisher(state, codec)
  const idempotency = new IdempotencyCache<Remembered>(60_000)
  const services = createWriteServices({ publisher, idempotency, publishTimeoutMs: 1000, onUnchanged: () => {} })
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
