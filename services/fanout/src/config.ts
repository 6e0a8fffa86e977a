// Fan-out configuration: read once at start-up from the environment (see README "Configuration").
import { clientAddress } from './http/client-address.ts'
import {
  DEV_NEWSROOM_SECRET,
  DEV_POSITION_KEY,
  devCredentialBeyondLoopback,
  EnvReader,
  isLoopbackHost,
  readCommon,
  readMetricsPort,
  weakSecretProblem,
} from '@newswire/shared'
import type { CommonConfig, Env } from '@newswire/shared'

export interface FanoutConfig extends CommonConfig {
  host: string
  port: number
  /** Where /metrics is served: `port` itself, or a listener of its own on `host` (FANOUT_METRICS_PORT). */
  metricsPort: number
  jwtSecret: string
  /** NEWSROOM_JWT_SECRET_PREVIOUS: during a scheduled rotation, the old secret; tokens it signed still verify. */
  jwtSecretPrevious: string | null
  jwtAudience: string
  /** Allowed Origin header values; ['*'] allows any (and requests without Origin are always allowed). */
  allowedOrigins: string[]
  maxConnectionsPerIp: number
  maxSubscriptionsPerConnection: number
  /** Largest inbound WebSocket message, bytes (ws maxPayload; larger closes with 1009). */
  maxMessageBytes: number
  /** Events kept in memory for resume (ring buffer). */
  historySize: number
  /** Items in a `subscribed`/`reset` snapshot. */
  snapshotSize: number
  /** Socket buffer above which a client is considered slow. */
  maxBufferedBytes: number
  /** Pending messages (after conflation) above which a slow client is dropped with 4008. */
  maxPending: number
  /** How long a client may stay above maxBufferedBytes before it is dropped with 4008. */
  slowClientMs: number
  permessageDeflate: boolean
  /**
   * Compressed batches: connections asking for `?batch=1&deflate=1` and offering permessage-deflate
   * negotiate it and get their broadcast group's batches compressed once for every member
   * (deflate-frames.ts); their own writes stay uncompressed. FANOUT_BATCH_DEFLATE; on (only
   * clients that ask get it: the SDK in a browser).
   */
  batchDeflate: boolean
  /** zlib level of compressed batches (0: stored blocks, Chromium's inflate path without fewer bytes). FANOUT_BATCH_DEFLATE_LEVEL; 1. */
  batchDeflateLevel: number
  /** Protocol-level ping interval; a peer that misses one pong is terminated. */
  pingIntervalMs: number
  sseHeartbeatMs: number
  /** Kafka replays (positions older than memory) running at once. */
  maxKafkaReplays: number
  /** Subscribe messages per connection per 10 s before 4429. */
  maxSubscribesPer10s: number
  /** Resumes (subscribe with since) admitted per second (token bucket, burst = rate). */
  resumeRate: number
  /** Resumes waiting for admission; beyond, close 1013 with a retry hint. */
  resumeQueue: number
  /** Copy undecodable events to news.article-events.dlq (count and skip them either way). */
  deadLetter: boolean
  /** Longest time a connection may take to send complete HTTP request headers (slowloris guard). */
  handshakeTimeoutMs: number
  /** Public base URL of this service (the /ticker embed snippet); null: the request's validated Host. */
  publicUrl: string | null
  /** IANA zone the dashboard shows times in; null: the browser's. */
  deskTimeZone: string | null
  /** Keys that sign positions: the first signs, all verify (the previous key, during a rotation). */
  positionKeys: string[]
  /**
   * A newsroom token in a stream's URL (`?token=`, which proxies and CDNs log): `accept` (older
   * SDKs, an EventSource) and count it (newswire_fanout_token_in_url_total), or `refuse` it once
   * that counter stays at zero. FANOUT_TOKEN_IN_URL; accept.
   */
  tokenInUrl: 'accept' | 'refuse'
  /** FANOUT_TRUSTED_PROXIES: proxies whose X-Forwarded-For names the reader's address (http/client-address.ts). */
  trustedProxies: string[]
  /** NEWSROOM_REVOKED_FILE: the revocation list (revocation-file.ts); '' for none. */
  revokedFile: string
  /** How often the revocation list is looked at for a change, ms. */
  revokedPollMs: number
  /** Connections the process opens to itself before it is ready, to compile its connection path (http/warm-up.ts); 0: none. */
  warmUpConnections: number
}

export { DEV_POSITION_KEY }

/**
 * Production refuses a secret anyone could know (shared secrets.ts: a development default, a
 * placeholder of the docs or the example Secret, short, a filler), naming the variable, never the
 * value: an operator who applied the example Secret as it is handed every reader of the
 * repository the newsroom (red22a and red22c attack runs).
 */
function productionSecret(r: EnvReader, name: string, value: string): void {
  const problem = weakSecretProblem(value)
  if (problem !== null) r.fail(`${name} ${problem}`)
}

function positionKeys(r: EnvReader, production: boolean): string[] {
  const key = r.string('FANOUT_POSITION_KEY', DEV_POSITION_KEY)
  const previous = r.string('FANOUT_POSITION_KEY_PREVIOUS', '')
  if (production && key === DEV_POSITION_KEY) {
    r.fail('NODE_ENV=production needs FANOUT_POSITION_KEY (a secret of at least 32 characters shared by every fan-out instance)')
  } else if (production) productionSecret(r, 'FANOUT_POSITION_KEY', key)
  // one rule for both: the previous key still verifies positions and opens cursors, so a weaker one would be the way in
  if (key.length < 16) r.fail('FANOUT_POSITION_KEY must be at least 16 characters')
  if (previous !== '') {
    if (previous.length < 16) r.fail('FANOUT_POSITION_KEY_PREVIOUS must be at least 16 characters')
    if (production && previous === DEV_POSITION_KEY) r.fail('FANOUT_POSITION_KEY_PREVIOUS must not be the development key in production')
    else if (production) productionSecret(r, 'FANOUT_POSITION_KEY_PREVIOUS', previous)
  }
  return previous === '' ? [key] : [key, previous]
}

export function loadFanoutConfig(env: Env = process.env): FanoutConfig {
  const r = new EnvReader(env)
  const common = readCommon(r, 'fanout')
  const jwtSecret = r.string('NEWSROOM_JWT_SECRET', DEV_NEWSROOM_SECRET)
  if (common.production && jwtSecret === DEV_NEWSROOM_SECRET) {
    r.fail(`NODE_ENV=production refuses the development newsroom secret '${DEV_NEWSROOM_SECRET}': set NEWSROOM_JWT_SECRET`)
  } else if (common.production) productionSecret(r, 'NEWSROOM_JWT_SECRET', jwtSecret)
  if (jwtSecret.length < 16) r.fail('NEWSROOM_JWT_SECRET must be at least 16 characters')
  const jwtSecretPrevious = r.string('NEWSROOM_JWT_SECRET_PREVIOUS', '')
  // held to the current one's rules: a token it signed is as good as one the current signed
  if (jwtSecretPrevious !== '') {
    if (jwtSecretPrevious.length < 16) r.fail('NEWSROOM_JWT_SECRET_PREVIOUS must be at least 16 characters')
    if (jwtSecretPrevious === jwtSecret) r.fail('NEWSROOM_JWT_SECRET_PREVIOUS is NEWSROOM_JWT_SECRET: unset it once the rotation is over')
    if (common.production && jwtSecretPrevious === DEV_NEWSROOM_SECRET)
      r.fail('NEWSROOM_JWT_SECRET_PREVIOUS must not be the development secret in production')
    else if (common.production) productionSecret(r, 'NEWSROOM_JWT_SECRET_PREVIOUS', jwtSecretPrevious)
  }
  const allowedOrigins = r.list('FANOUT_ALLOWED_ORIGINS', ['*'])
  for (const o of allowedOrigins) {
    if (o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o)) r.fail(`FANOUT_ALLOWED_ORIGINS entries must be * or scheme://host[:port], got '${o}'`)
  }
  const publicUrl = r.string('FANOUT_PUBLIC_URL', '').replace(/\/+$/, '')
  if (publicUrl && !/^https?:\/\/[^/\s?#@]+(\/[^\s?#]*)?$/.test(publicUrl)) {
    r.fail(`FANOUT_PUBLIC_URL must be an http(s) URL without query or credentials, got '${publicUrl}'`)
  }
  const deskTimeZone = r.string('FANOUT_DESK_TIME_ZONE', '')
  if (deskTimeZone && !isTimeZone(deskTimeZone))
    r.fail(`FANOUT_DESK_TIME_ZONE must be an IANA time zone such as Asia/Dhaka, got '${deskTimeZone}'`)
  const trustedProxies = r.list('FANOUT_TRUSTED_PROXIES', [])
  try {
    clientAddress(trustedProxies)
  } catch (err) {
    r.fail(
      `FANOUT_TRUSTED_PROXIES: ${err instanceof Error ? err.message : String(err)} (addresses, CIDRs, loopback, linklocal, uniquelocal)`,
    )
  }
  const port = r.int('FANOUT_PORT', 8082, 0, 65535)
  const host = r.string('FANOUT_HOST', '127.0.0.1')
  const keys = positionKeys(r, common.production)
  // one secret for two purposes: whoever holds the position key (every fan-out's environment, a
  // rotation's old key kept for a week) would mint newsroom tokens with it
  if (keys.includes(jwtSecret)) r.fail('NEWSROOM_JWT_SECRET must not be a FANOUT_POSITION_KEY: give each its own secret')
  if (keys.includes(jwtSecretPrevious)) r.fail('NEWSROOM_JWT_SECRET_PREVIOUS must not be a FANOUT_POSITION_KEY: give each its own secret')
  if (!common.production && !isLoopbackHost(host)) {
    if (jwtSecret === DEV_NEWSROOM_SECRET) r.fail(devCredentialBeyondLoopback('FANOUT_HOST', host, 'NEWSROOM_JWT_SECRET'))
    if (jwtSecretPrevious === DEV_NEWSROOM_SECRET) r.fail(devCredentialBeyondLoopback('FANOUT_HOST', host, 'NEWSROOM_JWT_SECRET_PREVIOUS'))
    if (keys.includes(DEV_POSITION_KEY)) r.fail(devCredentialBeyondLoopback('FANOUT_HOST', host, 'FANOUT_POSITION_KEY'))
  }
  const config: FanoutConfig = {
    ...common,
    host,
    port,
    metricsPort: readMetricsPort(r, 'FANOUT_METRICS_PORT', common.production, port, 9082),
    jwtSecret,
    jwtSecretPrevious: jwtSecretPrevious === '' ? null : jwtSecretPrevious,
    jwtAudience: r.string('NEWSROOM_JWT_AUDIENCE', 'newswire'),
    allowedOrigins,
    maxConnectionsPerIp: r.int('FANOUT_MAX_CONNECTIONS_PER_IP', 10_000, 1, 1_000_000),
    maxSubscriptionsPerConnection: r.int('FANOUT_MAX_SUBSCRIPTIONS', 20, 1, 1000),
    maxMessageBytes: r.int('FANOUT_MAX_MESSAGE_BYTES', 16 * 1024, 256, 1024 * 1024),
    historySize: r.int('FANOUT_HISTORY_SIZE', 50_000, 1, 10_000_000),
    snapshotSize: r.int('FANOUT_SNAPSHOT_SIZE', 50, 0, 1000),
    maxBufferedBytes: r.int('FANOUT_MAX_BUFFERED_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxPending: r.int('FANOUT_MAX_PENDING', 1000, 1, 1_000_000),
    slowClientMs: r.int('FANOUT_SLOW_CLIENT_MS', 10_000, 100, 600_000),
    permessageDeflate: r.bool('FANOUT_PERMESSAGE_DEFLATE', false),
    batchDeflate: r.bool('FANOUT_BATCH_DEFLATE', true),
    // 1, not zlib's 6: a third of the CPU a group write for 15 % more bytes, the same saving for a
    // browser (docs/benchmarks.md, "Built as a feature")
    batchDeflateLevel: r.int('FANOUT_BATCH_DEFLATE_LEVEL', 1, 0, 9),
    pingIntervalMs: r.int('FANOUT_PING_INTERVAL_MS', 30_000, 100, 600_000),
    sseHeartbeatMs: r.int('FANOUT_SSE_HEARTBEAT_MS', 15_000, 100, 600_000),
    maxKafkaReplays: r.int('FANOUT_MAX_KAFKA_REPLAYS', 4, 0, 100),
    maxSubscribesPer10s: r.int('FANOUT_MAX_SUBSCRIBES_PER_10S', 100, 1, 100_000),
    resumeRate: r.int('FANOUT_RESUME_RATE', 500, 1, 1_000_000),
    resumeQueue: r.int('FANOUT_RESUME_QUEUE', 5000, 0, 1_000_000),
    deadLetter: r.bool('FANOUT_DLQ', true),
    handshakeTimeoutMs: r.int('FANOUT_HANDSHAKE_TIMEOUT_MS', 10_000, 100, 600_000),
    warmUpConnections: r.int('FANOUT_WARM_UP_CONNECTIONS', 1000, 0, 100_000),
    tokenInUrl: r.oneOf('FANOUT_TOKEN_IN_URL', ['accept', 'refuse'], 'accept'),
    trustedProxies,
    revokedFile: r.string('NEWSROOM_REVOKED_FILE', ''),
    revokedPollMs: r.int('FANOUT_REVOKED_POLL_MS', 5000, 100, 600_000),
    positionKeys: keys,
    publicUrl: publicUrl || null,
    deskTimeZone: deskTimeZone || null,
  }
  r.done()
  return config
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}
