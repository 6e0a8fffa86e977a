// Ingest configuration: read once at start-up from the environment (see README "Configuration").
import {
  DEV_INGEST_KEY,
  devCredentialBeyondLoopback,
  EnvReader,
  isLoopbackHost,
  readCommon,
  readMetricsPort,
  weakSecretProblem,
} from '@newswire/shared'
import { WRITER_MODES } from './writers.ts'
import type { WriterMode } from './writers.ts'
import type { CommonConfig, Env } from '@newswire/shared'

export const scopes = ['write', 'withdraw', 'import', 'read'] as const
export type Scope = (typeof scopes)[number]

export interface ApiKey {
  name: string
  key: string
  scopes: ReadonlySet<Scope>
}

export interface IngestConfig extends CommonConfig {
  host: string
  port: number
  /** Where /metrics is served: `port` itself, or a listener of its own on `host` (INGEST_METRICS_PORT). */
  metricsPort: number
  apiKeys: ApiKey[]
  /** Largest request body, bytes (413 above). */
  maxBodyBytes: number
  /** Most lines in one NDJSON batch. */
  batchMaxLines: number
  /** Requests per second per API key (token bucket, burst = 2x). */
  rateLimit: number
  /** How long a request may wait for Kafka before answering 503. */
  publishTimeoutMs: number
  /** How long Idempotency-Key answers are remembered. */
  idempotencyTtlMs: number
  /** How many Idempotency-Key answers each API key keeps (its oldest pushed out past that). */
  idempotencyMaxKeys: number
  /** Transactional writers: one per partition, or one for all (writers.ts). */
  writers: WriterMode
  /** How long a busy writer's transaction waits for more requests to join it, ms (linger.ts). */
  lingerMs: number
}

/**
 * `name:key:scope+scope,...`; scope `*` means all. A problem names the entry by its place in the
 * list, never by a field: in a malformed entry (the name or the scopes forgotten, a field too many)
 * any field may be the key, and start-up errors go to the container's log (red22c attack run).
 */
export function parseApiKeys(raw: string, r: EnvReader, production = false): ApiKey[] {
  const keys: ApiKey[] = []
  /** Each key's entry (1-based), to name a twin by its place. */
  const entryOf = new Map<string, number>()
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const [i, entry] of entries.entries()) {
    const at = `INGEST_API_KEYS entry ${i + 1}`
    const fields = entry.split(':')
    const [name, key, scopeList] = fields
    // a fourth field (scopes split by ':', an expiry) was dropped in silence (red13b attack run)
    if (fields.length !== 3 || !name || !key || !scopeList) {
      r.fail(
        `${at} must be name:key:scope+scope, it has ${fields.length} ':'-separated field(s)${fields.includes('') ? ', some empty' : ''}`,
      )
      continue
    }
    const set = new Set<Scope>()
    const unknown = scopeList.split('+').filter((s) => s !== '*' && !(scopes as readonly string[]).includes(s))
    for (const s of scopeList.split('+')) {
      if (s === '*') for (const all of scopes) set.add(all)
      else if ((scopes as readonly string[]).includes(s)) set.add(s as Scope)
    }
    // an unknown scope may be a key in the wrong place: counted, not quoted
    if (unknown.length > 0) r.fail(`${at}: ${unknown.length} unknown scope(s) (scopes: ${scopes.join(', ')}, *)`)
    if (key.length < 8) r.fail(`${at}: its key is shorter than 8 characters`)
    // `Authorization: Bearer <key>` carries one run of visible ASCII (Node reads a header as
    // Latin-1): a key with a space or a non-ASCII letter could never be presented (red22c)
    if (!/^[\x21-\x7e]+$/.test(key))
      r.fail(`${at}: its key has characters an Authorization header cannot carry (a space, a non-ASCII letter)`)
    // the authenticator would take the secret for whichever entry it matched last, with its scopes
    const twin = entryOf.get(key)
    if (twin !== undefined) r.fail(`INGEST_API_KEYS entries ${twin} and ${i + 1} have the same key; give each entry its own`)
    else entryOf.set(key, i + 1)
    // production: any key anyone could know or guess too (secrets.ts); the example Secret's
    // placeholder was a write, withdraw and erase key for every reader of the repository (red22c)
    const weak = production && key !== DEV_INGEST_KEY ? weakSecretProblem(key) : null
    if (weak !== null) r.fail(`${at}: its key ${weak}`)
    keys.push({ name, key, scopes: set })
  }
  if (keys.length === 0) r.fail('INGEST_API_KEYS has no keys')
  return keys
}

export function loadIngestConfig(env: Env = process.env): IngestConfig {
  const r = new EnvReader(env)
  const common = readCommon(r, 'ingest')
  const apiKeys = parseApiKeys(r.string('INGEST_API_KEYS', `dev:${DEV_INGEST_KEY}:*`), r, common.production)
  if (common.production && apiKeys.some((k) => k.key === DEV_INGEST_KEY)) {
    r.fail(`NODE_ENV=production refuses the development ingest key '${DEV_INGEST_KEY}': set INGEST_API_KEYS`)
  }
  const port = r.int('INGEST_PORT', 8081, 0, 65535)
  const host = r.string('INGEST_HOST', '127.0.0.1')
  if (!common.production && !isLoopbackHost(host) && apiKeys.some((k) => k.key === DEV_INGEST_KEY)) {
    r.fail(devCredentialBeyondLoopback('INGEST_HOST', host, 'INGEST_API_KEYS key'))
  }
  const config: IngestConfig = {
    ...common,
    host,
    port,
    metricsPort: readMetricsPort(r, 'INGEST_METRICS_PORT', common.production, port, 9081),
    apiKeys,
    maxBodyBytes: r.int('INGEST_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    batchMaxLines: r.int('INGEST_BATCH_MAX_LINES', 1000, 1, 100_000),
    rateLimit: r.int('INGEST_RATE_LIMIT', 500, 1, 1_000_000),
    publishTimeoutMs: r.int('INGEST_PUBLISH_TIMEOUT_MS', 10_000, 100, 120_000),
    idempotencyTtlMs: r.int('INGEST_IDEMPOTENCY_TTL_MS', 24 * 3600 * 1000, 1000, 7 * 24 * 3600 * 1000),
    idempotencyMaxKeys: r.int('INGEST_IDEMPOTENCY_MAX_KEYS', 100_000, 1, 10_000_000),
    writers: r.oneOf('INGEST_WRITERS', WRITER_MODES, 'partition'),
    lingerMs: r.int('INGEST_LINGER_MS', 5, 0, 100),
  }
  r.done()
  return config
}
