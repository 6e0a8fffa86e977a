// The fan-out's HTTP routes: /healthz, /readyz, /metrics, the pages, /v1/sse, /v1/snapshot and
// /v1/counts (snapshot.ts), /v1/stories/<id>/entries (entries.ts), with CORS for the allowed origins, so a ticker embedded on a news site
// can fall back to SSE and page. Everything else is a 404 problem naming the routes. And the
// server's `upgrade` handler, which hands /v1/stream to the WebSocket endpoint (websocket.ts).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { handleOps } from '@newswire/shared'
import type { Logger, Readiness, Registry } from '@newswire/shared'
import type { FanoutConfig } from '../config.ts'
import type { Hub } from '../hub.ts'
import type { FanoutMetrics } from '../metrics.ts'
import type { Pages } from '../pages.ts'
import type { Access } from './access.ts'
import { handleEntriesRoute, isEntriesPath } from './entries.ts'
import { sendProblem } from './problem.ts'
import { handleSnapshotRoute } from './snapshot.ts'
import type { SnapshotRouteDeps } from './snapshot.ts'
import { handleSse } from './sse.ts'

export interface RoutesDeps {
  hub: Hub
  access: Access
  config: FanoutConfig
  metrics: FanoutMetrics
  log: Logger
  pages: Pages
  registry: Registry
  readiness: () => Readiness
  /** /metrics answered on this port (else on FANOUT_METRICS_PORT's listener: red22a). */
  metricsHere: boolean
  /** Serving streams: caught up and not shutting down. */
  serving: () => boolean
  /** Registers an SSE stream so shutdown can end it. */
  trackSse: (end: (reason: string) => void) => () => void
  /** What /v1/snapshot and /v1/counts read. */
  snapshots: SnapshotRouteDeps
}

const routes =
  '/v1/stream (WebSocket), /v1/sse, /v1/snapshot, /v1/counts, /v1/stories/<id>/entries, /dashboard, /ticker, /ticker.js, /healthz, /readyz, /metrics'

/** Routes with CORS for the allowed origins; the page routes take a token in Authorization too. */
const apiRoutes = new Set(['/v1/sse', '/v1/snapshot', '/v1/counts'])
const isApiRoute = (path: string) => apiRoutes.has(path) || isEntriesPath(path)

export function createRequestHandler(d: RoutesDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { access, metrics, log } = d
  return (req, res) => {
    if (handleOps(req, res, { registry: d.registry, readiness: d.readiness, metrics: d.metricsHere })) return
    if (d.pages.handle(req, res)) return
    const url = new URL(req.url ?? '/', 'http://fanout')
    const origin = req.headers.origin
    if (isApiRoute(url.pathname) && origin !== undefined && access.originAllowed(origin)) {
      res.setHeader('access-control-allow-origin', access.allowOrigin(origin))
      res.setHeader('vary', 'Origin')
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET',
          'access-control-allow-headers': 'Last-Event-ID, Accept, Cache-Control, Authorization, If-None-Match',
          'access-control-max-age': '600',
        })
        res.end()
        return
      }
    }
    if (!isApiRoute(url.pathname) || req.method !== 'GET') {
      sendProblem(res, 'not_found', `no route ${req.method ?? 'GET'} ${url.pathname}; routes: ${routes}`)
      return
    }
    if (!d.serving()) {
      sendProblem(res, 'not_ready', 'not ready; retry on another instance', { 'retry-after': '1', connection: 'close' })
      return
    }
    const ip = access.addressOf(req)
    Promise.resolve(access.admit(req, url)).then(
      (admission) => {
        // its client left while it was admitted (a token verified meanwhile): its close has passed,
        // so nothing counted or subscribed now would ever be released (red23c)
        if (res.destroyed || res.closed) return
        if (admission.reject) {
          metrics.connectionsRejected.inc({ reason: admission.reject.metric })
          sendProblem(res, admission.reject.metric, admission.reject.reason)
          return
        }
        if (isEntriesPath(url.pathname)) {
          handleEntriesRoute(req, res, url, admission, d.snapshots)
          return
        }
        if (url.pathname !== '/v1/sse') {
          handleSnapshotRoute(req, res, url, admission, d.snapshots)
          return
        }
        if (!access.countIp(ip)) {
          metrics.connectionsRejected.inc({ reason: 'per_ip' })
          sendProblem(res, 'too_many_connections', 'too many connections from this address')
          return
        }
        res.on('close', () => access.releaseIp(ip))
        handleSse(req, res, url, admission, { hub: d.hub, log, heartbeatMs: d.config.sseHeartbeatMs, track: d.trackSse })
      },
      (err: unknown) => {
        log.error({ err, path: url.pathname }, 'request failed')
        if (!res.headersSent) sendProblem(res, 'internal', 'the request could not be served')
        else res.end()
      },
    )
  }
}

/** The WebSocket path without a query, and its URL: parsed once, read by every such upgrade. */
const STREAM_PATH = '/v1/stream'
const streamUrl: URL = new URL(STREAM_PATH, 'http://fanout')

/**
 * The server's `upgrade` handler: /v1/stream goes to the WebSocket endpoint while serving (503
 * otherwise); any other path is a 404. Most upgrades ask for the bare path: one URL parsed once
 * serves them all (only read, never changed), instead of a URL and its URLSearchParams per
 * connection.
 */
export function createUpgradeHandler(d: {
  serving: () => boolean
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void
}): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    const url = req.url === STREAM_PATH ? streamUrl : new URL(req.url ?? '/', 'http://fanout')
    if (url.pathname !== STREAM_PATH) return void socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
    if (!d.serving()) return void socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
    d.upgrade(req, socket, head, url)
  }
}
