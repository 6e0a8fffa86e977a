// /healthz (process alive), /readyz (can do its job now) and /metrics, the same on every service.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Registry } from 'prom-client'

export interface Readiness {
  ready: boolean
  /** Why not ready, or what is checked when ready. */
  checks: Record<string, boolean | string>
}

export interface OpsOptions {
  registry: Registry
  readiness: () => Readiness
  /**
   * Answer /metrics here (default true). False on a service's port when the metrics have a port
   * of their own (ops-listener.ts): that port is the one an edge routes to readers.
   */
  metrics?: boolean
}

/** Answers the ops routes; returns false for any other path (and /metrics where not served) so the caller goes on. */
export function handleOps(req: IncomingMessage, res: ServerResponse, options: OpsOptions): boolean {
  const path = (req.url ?? '/').split('?')[0]
  if (req.method !== 'GET' && req.method !== 'HEAD') return false
  if (path === '/healthz') {
    send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }))
    return true
  }
  if (path === '/readyz') {
    const r = options.readiness()
    send(res, r.ready ? 200 : 503, 'application/json', JSON.stringify({ status: r.ready ? 'ready' : 'not ready', ...r }))
    return true
  }
  if (path === '/metrics' && options.metrics !== false) {
    options.registry.metrics().then(
      (text) => send(res, 200, options.registry.contentType, text),
      (err: unknown) => send(res, 500, 'text/plain', String(err)),
    )
    return true
  }
  return false
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
  res.end(body)
}
