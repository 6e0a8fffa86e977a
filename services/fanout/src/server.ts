// Builds a running fan-out instance from its config: Kafka store, hub, HTTP server with the
// WebSocket endpoint /v1/stream, SSE /v1/sse and the ops routes. main.ts adds signals; tests
// start instances in-process with this.
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { createDeadLetterQueue, createKafka, createRegistry, handleOps, topicNames } from '@newswire/shared'
import type { Logger, Readiness, Registry } from '@newswire/shared'
import { WebSocket, WebSocketServer } from 'ws'
import type { FanoutConfig } from './config.ts'
import { Hub } from './hub.ts'
import type { Transport } from './hub.ts'
import { wsTextFrame, wsTextFrameParts } from './messages.ts'
import { createFanoutMetrics } from './metrics.ts'
import { createPoisonHandler, poisonReason } from './poison.ts'
import { parseClientMessage, ProtocolError } from './protocol.ts'
import { createPages } from './pages.ts'
import { KafkaReplays } from './replay.ts'
import { handleSse } from './sse.ts'
import { Store } from './store.ts'
import { verifyNewsroomToken } from './token.ts'
import type { AudienceScope } from './audience.ts'
import type { Audience } from './visibility.ts'

export interface FanoutInstance {
  /** http://host:port */
  url: string
  /** ws://host:port/v1/stream */
  wsUrl: string
  server: Server
  registry: Registry
  hub: Hub
  instanceId: string
  /** Graceful: not ready, close every WebSocket with 1012, end SSE streams, disconnect from Kafka. */
  close(): Promise<void>
}

interface Admission {
  audience: Audience
  /** Newsroom token claims narrowing what the connection sees (audience.ts). */
  scope?: AudienceScope
  expiresAt: number | null
  /** Close right after the upgrade with this code (the client learns why; HTTP errors are opaque to browsers). */
  reject: { code: number; reason: string; metric: string } | null
}

const socketOf = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket

function tokenOf(req: IncomingMessage, url: URL): string | null {
  const q = url.searchParams.get('token')
  if (q) return q
  const h = req.headers.authorization
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : null
}

function httpError(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`)
}

export async function startFanout(config: FanoutConfig, log: Logger, onFatal: (err: unknown) => void): Promise<FanoutInstance> {
  const instanceId = `${process.pid}-${randomBytes(4).toString('hex')}`
  const registry = createRegistry('fanout')
  const metrics = createFanoutMetrics(registry)
  const kafka = createKafka(config.kafka, log.child({ component: 'kafka' }))
  let hub: Hub | null = null
  const poison = createPoisonHandler({
    dlq: config.deadLetter ? createDeadLetterQueue(kafka, topicNames(config.kafka.topicPrefix).dlq, log.child({ component: 'dlq' })) : null,
    log: log.child({ component: 'poison' }),
    counted: (reason) => metrics.decodeErrors.inc({ reason }),
    deadLettered: (result) => metrics.deadLetters.inc({ result }),
  })
  const store = new Store({
    kafka,
    kafkaConfig: config.kafka,
    historySize: config.historySize,
    instanceId,
    log: log.child({ component: 'store' }),
    onAppend: () => hub?.schedule(),
    onFatal,
    onPoison: (record, err) => poison.handle(record, err),
    metrics: {
      lag: (partition, lag) => metrics.lag.set({ partition: String(partition) }, lag),
      decodeErrors: (err) => metrics.decodeErrors.inc({ reason: poisonReason(err) }),
    },
  })
  const h = new Hub(
    store,
    {
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
    log.child({ component: 'hub' }),
  )
  hub = h
  const replays = new KafkaReplays({
    kafka,
    topic: `${config.kafka.topicPrefix}news.article-events`,
    groupPrefix: `${config.kafka.topicPrefix}newswire-fanout-replay-${instanceId}`,
    log,
    max: config.maxKafkaReplays,
    onDecodeError: (err) => metrics.decodeErrors.inc({ reason: poisonReason(err) }),
    onReader: (delta) => {
      if (delta > 0) metrics.replayReaders.inc()
      metrics.replayReadersActive.inc(delta)
    },
  })
  replays.attach(h)
  h.setReplays(replays)

  let ready = false
  let closing = false
  const perIp = new Map<string, number>()
  const sockets = new Map<WebSocket, { alive: boolean }>()
  const sseEnds = new Set<(reason: string) => void>()
  const anyOrigin = config.allowedOrigins.includes('*')
  const originAllowed = (origin: string | undefined) => anyOrigin || origin === undefined || config.allowedOrigins.includes(origin)

  const readiness = (): Readiness => ({
    ready: ready && !closing,
    checks: { caughtUp: ready, shuttingDown: closing, connections: String(h.connectionCount) },
  })

  const countIp = (ip: string): boolean => {
    const n = (perIp.get(ip) ?? 0) + 1
    if (n > config.maxConnectionsPerIp) return false
    perIp.set(ip, n)
    return true
  }
  const releaseIp = (ip: string) => {
    const n = (perIp.get(ip) ?? 1) - 1
    if (n <= 0) perIp.delete(ip)
    else perIp.set(ip, n)
  }

  const admit = async (req: IncomingMessage, url: URL): Promise<Admission> => {
    if (!originAllowed(req.headers.origin)) {
      return { audience: 'public', expiresAt: null, reject: { code: 1008, reason: 'origin not allowed', metric: 'origin' } }
    }
    const token = tokenOf(req, url)
    if (token === null) return { audience: 'public', expiresAt: null, reject: null }
    const v = await verifyNewsroomToken(token, config.jwtSecret, config.jwtAudience)
    if (!v.ok) return { audience: 'public', expiresAt: null, reject: { code: 4401, reason: v.reason, metric: 'unauthorized' } }
    return { audience: 'newsroom', scope: v.scope, expiresAt: v.expiresAt, reject: null }
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxMessageBytes,
    clientTracking: false,
    perMessageDeflate: config.permessageDeflate ? { threshold: 256, serverNoContextTakeover: true, clientNoContextTakeover: true } : false,
  })

  // The frames of one flush are usually the same buffers, in the same order, for every
  // connection (a broadcast): concatenate them once and write that buffer to each socket
  let lastFrames: Buffer[] = []
  let lastJoined: Buffer | null = null
  const joined = (frames: Buffer[]): Buffer => {
    if (frames.length === 1) return frames[0] as Buffer
    if (lastJoined !== null && frames.length === lastFrames.length) {
      let i = 0
      while (i < frames.length && frames[i] === lastFrames[i]) i++
      if (i === frames.length) return lastJoined
    }
    lastFrames = frames
    lastJoined = Buffer.concat(frames)
    return lastJoined
  }

  const onWebSocket = (ws: WebSocket, ip: string, admission: Admission) => {
    const deflate = ws.extensions.includes('permessage-deflate')
    const socket = socketOf(ws)
    let killTimer: NodeJS.Timeout | null = null
    const transport: Transport = {
      kind: deflate ? 'wsz' : 'ws',
      // without deflate every frame is written to the socket directly: its queue is the backlog
      buffered: deflate ? () => ws.bufferedAmount : () => socket.writableLength,
      // Pre-framed: one write per socket per tick; with deflate, ws compresses each message
      frame: deflate ? (_type, json) => Buffer.from(json) : (_type, json) => wsTextFrame(Buffer.from(json)),
      frameEvent: deflate ? undefined : wsTextFrameParts,
      write: (frames) => {
        if (ws.readyState !== WebSocket.OPEN) return
        if (!deflate) {
          socket.write(joined(frames))
          return
        }
        socket.cork()
        for (const f of frames) ws.send(f, { binary: false })
        process.nextTick(() => socket.uncork())
      },
      close: (code, reason) => {
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason)
        killTimer ??= setTimeout(() => ws.terminate(), 5000)
        killTimer.unref()
      },
    }
    const conn = h.addConnection(admission.audience, transport, admission.scope)
    sockets.set(ws, { alive: true })
    let expiry: NodeJS.Timeout | null = null
    if (admission.expiresAt !== null) {
      expiry = setTimeout(() => h.kill(conn, 4401, 'token expired'), Math.max(0, admission.expiresAt - Date.now()))
      expiry.unref()
    }
    ws.on('message', (data, isBinary) => {
      if (conn.closed) return
      if (isBinary) {
        h.kill(conn, 4400, 'binary frames are not accepted; send JSON text')
        return
      }
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8')
      try {
        const msg = parseClientMessage(text)
        if (msg.type === 'subscribe' && h.overSubscribeRate(conn, Date.now())) {
          h.kill(conn, 4429, 'too many subscribe messages')
          return
        }
        h.handle(conn, msg)
      } catch (err) {
        if (!(err instanceof ProtocolError)) {
          log.error({ err }, 'handling a client message failed')
          h.kill(conn, 1011, 'internal error')
        } else if (err.fatal) h.kill(conn, 4400, err.message)
        else h.sendError(conn, err)
      }
    })
    ws.on('pong', () => {
      const s = sockets.get(ws)
      if (s) s.alive = true
    })
    socket.on('drain', () => h.drained(conn))
    ws.on('error', (err) => log.debug({ err, conn: conn.id }, 'websocket error'))
    ws.on('close', () => {
      sockets.delete(ws)
      releaseIp(ip)
      if (expiry) clearTimeout(expiry)
      if (killTimer) clearTimeout(killTimer)
      h.removeConnection(conn)
    })
  }

  // Node checks headersTimeout/requestTimeout only every connectionsCheckingInterval (30 s by default)
  const pages = createPages({
    log: log.child({ component: 'pages' }),
    publicUrl: config.publicUrl,
    deskTimeZone: config.deskTimeZone,
    preload: config.production,
  })
  const server = createServer({ connectionsCheckingInterval: Math.min(1000, config.handshakeTimeoutMs) }, (req, res) => {
    if (handleOps(req, res, { registry, readiness })) return
    if (pages.handle(req, res)) return
    const url = new URL(req.url ?? '/', 'http://fanout')
    // CORS for /v1/sse: a ticker embedded on a news site (another origin) falls back to SSE
    // through fetch/EventSource; the same origin allowlist as WebSocket upgrades applies
    const origin = req.headers.origin
    if (url.pathname === '/v1/sse' && origin !== undefined && originAllowed(origin)) {
      res.setHeader('access-control-allow-origin', anyOrigin ? '*' : origin)
      res.setHeader('vary', 'Origin')
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET',
          'access-control-allow-headers': 'Last-Event-ID, Accept, Cache-Control',
          'access-control-max-age': '600',
        })
        res.end()
        return
      }
    }
    if (url.pathname !== '/v1/sse' || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          code: 'not_found',
          message: 'routes: /v1/stream (WebSocket), /v1/sse, /dashboard, /ticker, /ticker.js, /healthz, /readyz, /metrics',
        }),
      )
      return
    }
    if (!ready || closing) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', connection: 'close' })
      res.end(JSON.stringify({ code: 'not_ready', message: 'not ready; retry on another instance' }))
      return
    }
    const ip = req.socket.remoteAddress ?? 'unknown'
    admit(req, url).then(
      (admission) => {
        if (admission.reject) {
          metrics.connectionsRejected.inc({ reason: admission.reject.metric })
          const status = admission.reject.code === 4401 ? 401 : 403
          res.writeHead(status, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ code: admission.reject.metric, message: admission.reject.reason }))
          return
        }
        if (!countIp(ip)) {
          metrics.connectionsRejected.inc({ reason: 'per_ip' })
          res.writeHead(429, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ code: 'too_many_connections', message: 'too many connections from this address' }))
          return
        }
        res.on('close', () => releaseIp(ip))
        handleSse(req, res, url, admission.audience, {
          scope: admission.scope,
          hub: h,
          log,
          heartbeatMs: config.sseHeartbeatMs,
          track: (end) => {
            sseEnds.add(end)
            return () => sseEnds.delete(end)
          },
        })
      },
      (err: unknown) => {
        log.error({ err }, 'SSE request failed')
        if (!res.headersSent) res.writeHead(500)
        res.end()
      },
    )
  })
  server.keepAliveTimeout = 5000
  // Slowloris: a connection that has not sent complete request headers (an upgrade or an SSE
  // request) within the handshake timeout gets 408 and is closed
  server.headersTimeout = config.handshakeTimeoutMs
  server.requestTimeout = config.handshakeTimeoutMs

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://fanout')
    if (url.pathname !== '/v1/stream') return httpError(socket, 404, 'Not Found')
    if (!ready || closing) return httpError(socket, 503, 'Service Unavailable')
    const ip = req.socket.remoteAddress ?? 'unknown'
    admit(req, url).then(
      (admission) => {
        if (socket.destroyed) return
        let reject = admission.reject
        const counted = reject === null && countIp(ip)
        if (reject === null && !counted) reject = { code: 4429, reason: 'too many connections from this address', metric: 'per_ip' }
        wss.handleUpgrade(req, socket, head, (ws) => {
          if (reject) {
            metrics.connectionsRejected.inc({ reason: reject.metric })
            ws.close(reject.code, reject.reason)
            setTimeout(() => ws.terminate(), 2000).unref()
            return
          }
          if (closing) {
            releaseIp(ip)
            ws.close(1012, 'service restart')
            return
          }
          onWebSocket(ws, ip, admission)
        })
      },
      (err: unknown) => {
        log.error({ err }, 'upgrade failed')
        httpError(socket, 500, 'Internal Server Error')
      },
    )
  })

  // Protocol-level ping: keeps proxies from closing idle connections and finds dead peers
  let pinging = false
  const heartbeat = setInterval(() => {
    if (pinging) return
    pinging = true
    void (async () => {
      let i = 0
      for (const [ws, s] of [...sockets]) {
        if (!s.alive) ws.terminate()
        else {
          s.alive = false
          ws.ping()
        }
        if (++i % 1000 === 0) await new Promise((r) => setImmediate(r))
      }
    })().finally(() => {
      pinging = false
    })
  }, config.pingIntervalMs)
  heartbeat.unref()

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    // A reconnect storm opens thousands of connections at once: with Node's default backlog
    // (511) the accept queue overflows and the kernel drops handshakes, which clients only see
    // after TCP retransmission backoff (up to minutes). The kernel caps this at somaxconn.
    server.listen({ port: config.port, host: config.host, backlog: 4096 }, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${config.host}:${port}`
  const wsUrl = `ws://${config.host}:${port}/v1/stream`

  try {
    await store.start()
  } catch (err) {
    clearInterval(heartbeat)
    await new Promise<void>((r) => server.close(() => r()))
    await store.close().catch(() => undefined)
    await poison.close().catch(() => undefined)
    throw err
  }
  h.start()
  ready = true
  log.info({ url, partitions: store.partitions, articles: store.articleCount, history: store.history.size, instanceId }, 'fanout ready')

  let closed: Promise<void> | null = null
  return {
    url,
    wsUrl,
    server,
    registry,
    hub: h,
    instanceId,
    close() {
      closed ??= (async () => {
        closing = true
        clearInterval(heartbeat)
        const serverClosed = new Promise<void>((r) => server.close(() => r()))
        h.stop()
        replays.closeAll()
        // Clients reconnect to another instance and resume from their last position
        for (const conn of [...h.connections()]) {
          if (conn.transport.kind !== 'sse') h.closeForRestart(conn)
        }
        for (const end of [...sseEnds]) end('service restart')
        const deadline = Date.now() + 2000
        while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
        for (const ws of sockets.keys()) ws.terminate()
        server.closeAllConnections()
        await store.close()
        // dead-letter copies still in flight are written before we go
        await poison.close()
        await serverClosed
        wss.close()
      })()
      return closed
    },
  }
}
