// The fan-out's HTTP routes (http/routes.ts) over a hub harness, served on a loopback port: no
// pages, a registry of their own, readiness and serving as the test says; with `webSocket`, the
// stream's upgrade on the same port. Closed when the test ends.
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import { createLogger, createRegistry } from '@newswire/shared'
import type { Logger, Readiness } from '@newswire/shared'
import { loadFanoutConfig } from '../../src/config.ts'
import { createAccess } from '../../src/http/access.ts'
import type { Access, TokenInUrlCounter } from '../../src/http/access.ts'
import { createRequestHandler, createUpgradeHandler } from '../../src/http/routes.ts'
import { createWebSocketEndpoint } from '../../src/http/websocket.ts'
import type { Harness } from './harness.ts'

export interface ServeRoutesOptions {
  /** Origins allowed (['*']: any). */
  allowedOrigins: string[]
  /** Newsroom tokens are signed with it. */
  jwtSecret: string
  maxConnectionsPerIp?: number
  /** Fan-out variables beside the defaults (FANOUT_SSE_HEARTBEAT_MS, …). */
  env?: Record<string, string>
  /** Whether streams are served and /readyz is 200 (always). */
  serving?: () => boolean
  /** What /readyz answers (ready as `serving` says). */
  readiness?: () => Readiness
  /** Counts a token seen in a URL (access.ts). */
  onTokenInUrl?: TokenInUrlCounter
  /** Where the routes (and the endpoint) log; silent. */
  log?: Logger
  /** Serves /v1/stream too (http/websocket.ts). */
  webSocket?: boolean
}

export async function serveRoutes(t: TestContext, h: Harness, o: ServeRoutesOptions): Promise<{ url: string; access: Access }> {
  const config = loadFanoutConfig({ KAFKA_BROKERS: '127.0.0.1:1', FANOUT_PORT: '0', ...o.env })
  const serving = o.serving ?? (() => true)
  const access = createAccess(
    {
      allowedOrigins: o.allowedOrigins,
      jwtSecret: o.jwtSecret,
      jwtAudience: 'newswire',
      maxConnectionsPerIp: o.maxConnectionsPerIp ?? 50,
      tokenInUrl: config.tokenInUrl,
    },
    o.onTokenInUrl,
  )
  const log = o.log ?? createLogger('routes-test', 'silent')
  const server = createServer(
    createRequestHandler({
      hub: h.hub,
      access,
      config,
      metrics: h.metrics,
      log,
      pages: { handle: () => false, ready: async () => undefined },
      registry: createRegistry('fanout'),
      readiness: o.readiness ?? (() => ({ ready: serving(), checks: {} })),
      metricsHere: true,
      serving,
      trackSse: () => () => undefined,
      snapshots: h.routeDeps(50),
    }),
  )
  const endpoint = o.webSocket
    ? createWebSocketEndpoint({ hub: h.hub, access, config, metrics: h.metrics, log, closing: () => false })
    : null
  if (endpoint) server.on('upgrade', createUpgradeHandler({ serving, upgrade: endpoint.upgrade }))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => {
    endpoint?.terminateAll()
    endpoint?.close()
    server.closeAllConnections()
    server.close()
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, access }
}
