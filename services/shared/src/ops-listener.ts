// /metrics on a port of its own (INGEST_METRICS_PORT, FANOUT_METRICS_PORT). The service's port is
// the one a Service, an ingress or a CDN routes to readers and CMSes; the metrics tell when
// unpublished work arrives and leaves (the fan-out's embargoed_held gauge moved 0 -> 1 the moment
// an embargoed story was read, whoever asked: red22a attack run). Prometheus scrapes this port;
// nothing routes the public to it.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { handleOps } from './ops.ts'
import type { OpsOptions } from './ops.ts'
import { ProblemError, sendProblem } from './problem.ts'

export interface OpsListener {
  url: string
  close(): Promise<void>
}

/**
 * Listens on host:port for /healthz, /readyz and /metrics; anything else is a 404. `reusePort`
 * for a FANOUT_WORKERS worker that binds its service port itself too (Node >= 22.12).
 */
export async function listenOps(
  host: string,
  port: number,
  options: OpsOptions,
  listen: { reusePort?: boolean } = {},
): Promise<OpsListener> {
  const server = createServer((req, res) => {
    if (handleOps(req, res, { ...options, metrics: true })) return
    sendProblem(res, new ProblemError('not_found', 'this port serves /healthz, /readyz and /metrics'))
  })
  server.keepAliveTimeout = 5000
  server.headersTimeout = 10_000
  server.requestTimeout = 10_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ ...listen, host, port }, () => resolve())
  })
  const bound = (server.address() as AddressInfo).port
  return {
    url: `http://${host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
