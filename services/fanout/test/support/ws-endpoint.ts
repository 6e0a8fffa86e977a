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
import type { HarnessOptions } from './harness.ts'
import { Harness } from './harness.ts'
import { event } from './events.ts'

export interface ServedEndpoint {
  port: number
  /** The server's side of each upgraded connection, in order. */
  upgraded: Socket[]
}

/**
 * `logBehind`: the process has not known the log read lately (readiness.ts; never). `watch` sees
 * each upgrade's socket before the endpoint does. `env`: more of the fan-out's settings.
 */
export async function serveEndpoint(
  t: TestContext,
  h: Harness,
  name: string,
  logBehind?: () => boolean,
  watch?: (socket: Socket) => void,
  env: Record<string, string> = {},
): Promise<ServedEndpoint> {
  const config = loadFanoutConfig({ KAFKA_BROKERS: '127.0.0.1:1', FANOUT_PORT: '0', FANOUT_PING_INTERVAL_MS: '600000', ...env })
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

/**
 * A started harness on the host's clock (a token's times are read against it) holding a public
 * story (`open1`) and one under embargo for an hour (`held1`), both read.
 */
export async function openAndHeld(options: HarnessOptions = {}): Promise<Harness> {
  const h = new Harness({ partitions: 1, start: Date.now(), ...options })
  h.start()
  const now = h.clock.now()
  h.append(event('CREATED', { id: 'open1', version: 1 }, now - 2000), 0)
  h.append(event('CREATED', { id: 'held1', version: 1, embargoedUntil: now + 3_600_000 }, now - 1000), 0)
  await h.settle()
  return h
}
