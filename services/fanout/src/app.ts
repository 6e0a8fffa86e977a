// Composition root of a fan-out instance: the codec (built once), the Kafka feed into the store,
// the hub, and the HTTP server with the WebSocket endpoint /v1/stream, SSE /v1/sse, the pages and
// the ops routes. main.ts adds signals; tests start instances in-process with this.
//
// Close order: not ready (readiness 503, new streams refused) → the hub stops (loop, resume
// gate, replay readers) → every WebSocket gets 1012 with a reconnect hint, SSE streams end →
// up to 2 s for sockets to go, then the rest are terminated → the Kafka feed disconnects → the
// dead-letter copies still in flight are written → the HTTP server is closed.
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  closeCodes,
  createCodec,
  createDeadLetterQueue,
  createKafka,
  describeKafkaSecurity,
  createRegistry,
  handleOps,
  listenOps,
  loadSchemas,
  topicNames,
} from '@newswire/shared'
import type { Logger, Registry, TimerClock } from '@newswire/shared'
import type { FanoutConfig } from './config.ts'
import { startFeed } from './feed.ts'
import { Hub } from './hub.ts'
import { createAccess } from './http/access.ts'
import { watchRevocationFile } from './revocation-file.ts'
import { NO_REVOCATIONS } from './revocations.ts'
import { answerClientError } from './http/client-error.ts'
import { sendProblem } from './http/problem.ts'
import { createRequestHandler, createUpgradeHandler } from './http/routes.ts'
import { createWebSocketEndpoint } from './http/websocket.ts'
import { warmUp } from './http/warm-up.ts'
import { createFanoutMetrics } from './metrics.ts'
import { createPages } from './pages.ts'
import { createPoisonHandler, poisonReason } from './poison.ts'
import { PageCursorCodec } from './page-cursor.ts'
import { PositionCodec } from './position.ts'
import { createReadiness } from './readiness.ts'
import { shedWhenBehind } from './shed-behind.ts'

export interface FanoutInstance {
  /** http://host:port */
  url: string
  /** ws://host:port/v1/stream */
  wsUrl: string
  server: Server
  registry: Registry
  hub: Hub
  instanceId: string
  /**
   * Resolves once these events (ingest's `eventId`s) and everything else Kafka offered to readers
   * when it was called have been read and delivered (tests, tools): a wait on the event instead of
   * a sleep. Name the events just written: Kafka writes a transaction's markers after the commit
   * returns, so for a moment a committed write is not yet readable, nor counted in the offsets.
   */
  settled(eventIds?: readonly string[], timeoutMs?: number): Promise<void>
  /** Graceful: see the close order above. */
  close(): Promise<void>
}

const systemClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
}

/** `ownSocket`: one of FANOUT_WORKERS binding the port itself (workers.ts portSharing). */
export async function startFanout(
  config: FanoutConfig,
  log: Logger,
  onFatal: (err: unknown) => void,
  options: { ownSocket?: boolean } = {},
): Promise<FanoutInstance> {
  const instanceId = `${process.pid}-${randomBytes(4).toString('hex')}`
  const registry = createRegistry('fanout')
  const metrics = createFanoutMetrics(registry)
  const kafka = createKafka(config.kafka, log.child({ component: 'kafka' }))
  const codec = createCodec(loadSchemas())
  const poison = createPoisonHandler({
    dlq: config.deadLetter ? createDeadLetterQueue(kafka, topicNames(config.kafka.topicPrefix).dlq, log.child({ component: 'dlq' })) : null,
    log: log.child({ component: 'poison' }),
    counted: (reason) => metrics.decodeErrors.inc({ reason }),
    deadLettered: (result) => metrics.deadLetters.inc({ result }),
  })
  let hub: Hub | null = null
  // tokens revoked before their exp (revocations.ts): refused at admission, cut when the list names them
  const revocationLog = log.child({ component: 'revocations' })
  const revocationFile = config.revokedFile
    ? watchRevocationFile({
        path: config.revokedFile,
        pollMs: config.revokedPollMs,
        changed: (r) => {
          metrics.revocations.set(r.size)
          metrics.revocationFileUnread.set(0)
          const cut = hub?.conns.revoke(r) ?? 0
          metrics.connectionsRevoked.inc(cut)
          revocationLog.info({ rules: r.size, cut }, 'revocation list changed')
        },
        failed: (err) => {
          metrics.revocationReloadFailures.inc()
          metrics.revocationFileUnread.set(1)
          revocationLog.error({ err, file: config.revokedFile }, 'revocation list not read; the one in force stays')
        },
      })
    : null
  metrics.revocations.set(revocationFile?.current().size ?? 0)
  const access = createAccess(
    config,
    (transport) => metrics.tokenInUrl.inc({ transport }),
    () => revocationFile?.current() ?? NO_REVOCATIONS,
  )
  let ready = false
  let closing = false
  let sinceFresh = () => 0
  // caught up, not closing, and the log known read to its end lately (red21: not while cut off from Kafka)
  const { readiness, serving, logBehind } = createReadiness({
    caughtUp: () => ready,
    closing: () => closing,
    sinceFresh: () => sinceFresh(),
    connections: () => hub?.conns.size ?? 0,
  })
  const sseEnds = new Set<(reason: string) => void>()
  const pages = createPages({
    log: log.child({ component: 'pages' }),
    publicUrl: config.publicUrl,
    deskTimeZone: config.deskTimeZone,
    preload: config.production,
  })
  // Node checks headersTimeout/requestTimeout only every connectionsCheckingInterval (30 s by default)
  const server = createServer({ connectionsCheckingInterval: Math.min(1000, config.handshakeTimeoutMs) })
  server.keepAliveTimeout = 5000
  // Slowloris: a connection that has not sent complete request headers (an upgrade or an SSE
  // request) within the handshake timeout gets 408 and is closed
  server.headersTimeout = config.handshakeTimeoutMs
  server.requestTimeout = config.handshakeTimeoutMs
  server.on('clientError', answerClientError(1000))
  // /metrics on a port no edge routes to readers (red22a): they told when embargoed work came and went
  const metricsHere = config.metricsPort === config.port
  // Until the feed has caught up, only the ops routes answer (readiness says why)
  server.on('request', (req, res) => {
    if (!handleOps(req, res, { registry, readiness, metrics: metricsHere }))
      sendProblem(res, 'not_ready', 'starting: reading Kafka', { 'retry-after': '1' })
  })
  server.on('upgrade', (_req, socket) => {
    socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    // A reconnect storm opens thousands of connections at once: with Node's default backlog
    // (511) the accept queue overflows and the kernel drops handshakes, which clients only see
    // after TCP retransmission backoff (up to minutes). The kernel caps this at somaxconn.
    const own = options.ownSocket === true ? { reusePort: true, exclusive: true } : {}
    server.listen({ port: config.port, host: config.host, backlog: 4096, ...own }, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${config.host}:${port}`
  const ops = metricsHere
    ? null
    : await listenOps(config.host, config.metricsPort, { registry, readiness }, options.ownSocket === true ? { reusePort: true } : {})
  const wsUrl = `ws://${config.host}:${port}/v1/stream`

  let feed: Awaited<ReturnType<typeof startFeed>>
  try {
    feed = await startFeed({
      kafka,
      kafkaConfig: config.kafka,
      codec,
      historySize: config.historySize,
      instanceId,
      log: log.child({ component: 'store' }),
      onAppend: () => hub?.schedule(),
      onFatal,
      onPoison: (record, err, erased) => poison.handle(record, err, erased),
      metrics: {
        lag: (partition, lag) => metrics.lag.set({ partition: String(partition) }, lag),
        decodeErrors: (err) => metrics.decodeErrors.inc({ reason: poisonReason(err) }),
        undecodableHeader: (header) => metrics.undecodableHeaders.inc({ header }),
      },
    })
  } catch (err) {
    await new Promise<void>((r) => server.close(() => r()))
    await poison.close().catch(() => undefined)
    throw err
  }
  const store = feed.store
  sinceFresh = () => store.sinceFresh()
  metrics.releaseClock.behindMs = () => {
    const now = systemClock.now()
    return now - store.liveClock(now)
  }
  // page cursors are sealed with a key derived from the position key (and rotate with it)
  const cursors = new PageCursorCodec(config.positionKeys)
  const positions = new PositionCodec(config.positionKeys)
  const h = new Hub({
    store: feed.store,
    limits: {
      maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
      maxBufferedBytes: config.maxBufferedBytes,
      maxPending: config.maxPending,
      slowClientMs: config.slowClientMs,
      snapshotSize: config.snapshotSize,
      maxSubscribesPer10s: config.maxSubscribesPer10s,
      resumeRate: config.resumeRate,
      resumeQueue: config.resumeQueue,
    },
    metrics,
    log: log.child({ component: 'hub' }),
    positions,
    cursors,
    bounds: feed.bounds,
    openReader: feed.openReader,
    maxReplays: config.maxKafkaReplays,
    clock: systemClock,
  })
  const ws = createWebSocketEndpoint({ hub: h, access, config, metrics, log, closing: () => closing, logBehind })
  const handle = createRequestHandler({
    hub: h,
    access,
    config,
    metrics,
    log,
    pages,
    registry,
    readiness,
    metricsHere,
    serving,
    trackSse: (end) => {
      sseEnds.add(end)
      return () => sseEnds.delete(end)
    },
    snapshots: {
      store: feed.store,
      head: (who) => (who ? h.headAt(who) : h.head()),
      cursors,
      positions,
      defaultLimit: config.snapshotSize,
      now: systemClock.now,
    },
  })
  server.removeAllListeners('request')
  server.removeAllListeners('upgrade')
  server.on('request', handle)
  server.on('upgrade', createUpgradeHandler({ serving, upgrade: (req, socket, head, url) => ws.upgrade(req, socket, head, url) }))
  hub = h
  if (revocationFile) h.conns.revoke(revocationFile.current())
  h.start()
  const warm = await warmUp({
    connections: config.warmUpConnections,
    concurrency: Math.min(32, config.maxConnectionsPerIp),
    resumes: Math.floor(config.resumeRate / 2),
    upgrade: (req, socket, head, u) => ws.upgrade(req, socket, head, u),
  })
  // what the warm-up wrote or refused is no client's: the counters start from the first real connection
  for (const c of [
    metrics.messages,
    metrics.bytes,
    metrics.wireBytes,
    metrics.connectionsRejected,
    metrics.resumesAdmission,
    metrics.replays,
  ])
    c.reset()
  ready = true
  const shedding = shedWhenBehind({
    sinceFresh: () => store.sinceFresh(),
    active: () => ready && !closing,
    connections: () => h.conns.size,
    closeAll: (what, retryAfterMs) => {
      const conns = [...h.conns.all()]
      for (const conn of conns) h.conns.closeWithRetryHint(conn, closeCodes.tryAgainLater, what, retryAfterMs())
      return conns.length
    },
    resumeRate: config.resumeRate,
    random: Math.random,
    onShed: (n) => {
      metrics.logBehindDisconnects.inc(n)
      log.warn(
        { connections: n },
        'event log not known read for a minute: every connection told to come back, to an instance that reads it',
      )
    },
  })
  log.info(
    {
      url,
      metrics: `${ops?.url ?? url}/metrics`,
      partitions: feed.store.partitions,
      kafka: describeKafkaSecurity(config.kafka),
      articles: feed.store.ledger.size,
      history: feed.store.history.size,
      instanceId,
      warmUp: { connections: warm.connected, ms: Math.round(warm.ms) },
    },
    'fanout ready',
  )

  let closed: Promise<void> | null = null
  return {
    url,
    wsUrl,
    server,
    registry,
    hub: h,
    instanceId,
    async settled(eventIds = [], timeoutMs = 15_000) {
      const end = await feed.bounds.highWatermarks()
      const deadline = Date.now() + timeoutMs
      const waiting = new Set(eventIds)
      const read = () => {
        for (const id of waiting) if (feed.store.hasRead(id)) waiting.delete(id)
        return waiting.size === 0 && feed.store.readTo().every((o, p) => o >= (end[p] ?? 0))
      }
      while (!read() || h.busy) {
        if (Date.now() > deadline)
          throw new Error(`fan-out not settled within ${timeoutMs} ms (read ${feed.store.readTo()} of ${end}; waiting for ${[...waiting]})`)
        h.schedule()
        await new Promise((r) => setTimeout(r, 10))
      }
      await h.idle()
    },
    close() {
      closed ??= (async () => {
        closing = true
        shedding.stop()
        revocationFile?.stop()
        const serverClosed = new Promise<void>((r) => server.close(() => r()))
        h.stop()
        // Clients reconnect to another instance and resume from their last position
        for (const conn of [...h.conns.all()]) if (conn.transport.kind !== 'sse') h.conns.closeForRestart(conn)
        for (const end of [...sseEnds]) end('service restart')
        const deadline = Date.now() + 2000
        while (ws.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
        ws.terminateAll()
        server.closeAllConnections()
        await feed.close()
        await poison.close()
        await serverClosed
        ws.close()
        await ops?.close()
      })()
      return closed
    },
  }
}
