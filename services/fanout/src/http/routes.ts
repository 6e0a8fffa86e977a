// The fan-out's HTTP routes: /healthz, /readyz, /metrics, the pages, and /v1/sse (with CORS for
// the allowed origins, so a ticker embedded on a news site can fall back to SSE). Everything else
// is a 404 problem naming the routes.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { handleOps } from '@newswire/shared'
import type { Logger, Readiness, Registry } from '@newswire/shared'
import type { FanoutConfig } from '../config.ts'
import type { Hub } from '../hub.ts'
import type { FanoutMetrics } from '../metrics.ts'
import type { Pages } from '../pages.ts'
import type { Access } from './access.ts'
import { sendProblem } from './problem.ts'
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
  /** Serving streams: caught up and not shutting down. */
  serving: () => boolean
  /** Registers an SSE stream so shutdown can end it. */
  trackSse: (end: (reason: string) => void) => () => void
}

const routes = '/v1/stream (WebSocket), /v1/sse, /dashboard, /ticker, /ticker.js, /healthz, /readyz, /metrics'

export function createRequestHandler(d: RoutesDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { access, metrics, log } = d
  return (req, res) => {
    if (handleOps(req, res, { registry: d.registry, readiness: d.readiness })) return
    if (d.pages.handle(req, res)) return
    const url = new URL(req.url ?? '/', 'http://fanout')
    const origin = req.headers.origin
    if (url.pathname === '/v1/sse' && origin !== undefined && access.originAllowed(origin)) {
      res.setHeader('access-control-allow-origin', access.allowOrigin(origin))
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
      sendProblem(res, 'not_found', `no route ${req.method ?? 'GET'} ${url.pathname}; routes: ${routes}`)
      return
    }
    if (!d.serving()) {
      sendProblem(res, 'not_ready', 'not ready; retry on another instance', { 'retry-after': '1', connection: 'close' })
      return
    }
    const ip = req.socket.remoteAddress ?? 'unknown'
    access.admit(req, url).then(
      (admission) => {
        if (admission.reject) {
          metrics.connectionsRejected.inc({ reason: admission.reject.metric })
          sendProblem(res, admission.reject.metric, admission.reject.reason)
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
        log.error({ err }, 'SSE request failed')
        if (!res.headersSent) sendProblem(res, 'internal', 'the stream could not be opened')
        else res.end()
      },
    )
  }
}
