// The real WebSocket endpoint (http/websocket.ts) served over a hub harness on a loopback port,
// with the server's side of every upgraded socket kept, for tests that read or hold what the
// fan-out hands a socket. Closed when the test ends.
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { TestContext } from 'node:test'
import { createLogger } from '@newswire/shared'
import { loadFanoutConfig } from '../../src/config.ts'
import { createAccess } from '../../src/http/access.ts'
import { createWebSocketEndpoint } from '../../src/http/websocket.ts'
import type { Harness } from './harness.ts'

export interface ServedEndpoint {
  port: number
  /** The server's side of each upgraded connection, in order. */
  upgraded: Socket[]
}

/**
 * `logBehind`: the process has not known the log read lately (readiness.ts; never). `watch` sees
 * each upgrade's socket before the endpoint does.
 */
export async function serveEndpoint(
  t: TestContext,
  h: Harness,
  name: string,
  logBehind?: () => boolean,
  watch?: (socket: Socket) => void,
): Promise<ServedEndpoint> {
  const config = loadFanoutConfig({ KAFKA_BROKERS: '127.0.0.1:1', FANOUT_PORT: '0', FANOUT_PING_INTERVAL_MS: '600000' })
  const endpoint = createWebSocketEndpoint({
    hub: h.hub,
    access: createAccess(config),
    config,
    metrics: h.metrics,
    log: createLogger(name, 'silent'),
    closing: () => false,
    ...(logBehind ? { logBehind } : {}),
  })
  const upgraded: Socket[] = []
  const http = createServer()
  http.on('upgrade', (req, socket: Socket, head: Buffer) => {
    upgraded.push(socket)
    watch?.(socket)
    endpoint.upgrade(req, socket, head, new URL(req.url ?? '/', 'http://fanout'))
  })
  http.listen(0, '127.0.0.1')
  await once(http, 'listening')
  const { port } = http.address() as AddressInfo
  t.after(() => {
    endpoint.terminateAll()
    endpoint.close()
    http.close()
  })
  return { port, upgraded }
}
