// A fan-out still reading Kafka (here a broker that refuses: its start fails after kafkajs' retries)
// already listens, and answers as the close order in app.ts says a not-ready instance does: the
// ops routes (alive, not ready, caught up false), 503 with retry-after on every other request and
// upgrade, so a balancer and a reconnecting reader wait and come back. Then its start fails and
// the port is let go. Seventh mutation batch: ap8 (503 without retry-after while starting) had no
// test; no unit file started a fan-out.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { testLogger } from '../../../test/helpers.ts'
import { loadFanoutConfig, startFanout } from '../src/index.ts'

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1')
  await once(s, 'listening')
  const { port } = s.address() as AddressInfo
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

/** A GET (or an upgrade) answered with its status, headers and body; null while nothing listens. */
function get(port: number, path: string, upgrade = false) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string } | null>((resolve) => {
    const headers: Record<string, string> = upgrade
      ? { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }
      : {}
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        body += c
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('upgrade', () => resolve({ status: 101, headers: {}, body: '' }))
    req.on('error', () => resolve(null))
    req.end()
  })
}

test('starting: ops routes answer, everything else is 503 with retry-after; a failed start lets the port go', async () => {
  const port = await freePort()
  const config = loadFanoutConfig({ KAFKA_BROKERS: '127.0.0.1:1', FANOUT_PORT: String(port) })
  const started = startFanout(config, testLogger('fanout'), () => undefined).then(
    () => 'started',
    (err: unknown) => (err instanceof Error ? err.message : String(err)),
  )
  let alive = await get(port, '/healthz')
  for (const until = Date.now() + 5_000; alive === null && Date.now() < until; alive = await get(port, '/healthz'))
    await new Promise((r) => setTimeout(r, 20))
  assert.equal(alive?.status, 200, 'alive while starting')
  const ready = await get(port, '/readyz')
  assert.equal(ready?.status, 503)
  assert.match(ready?.body ?? '', /"caughtUp":false/)
  for (const path of ['/v1/snapshot?channels=breaking', '/v1/sse?channels=breaking', '/v1/counts', '/ticker.js', '/nowhere']) {
    const a = await get(port, path)
    assert.equal(a?.status, 503, path)
    assert.equal(a?.headers['retry-after'], '1', path)
    assert.match(String(a?.headers['content-type']), /application\/problem\+json/, path)
    assert.equal((JSON.parse(a?.body ?? '{}') as { code?: string }).code, 'not_ready', path)
  }
  assert.equal((await get(port, '/v1/stream', true))?.status, 503, 'no WebSocket while starting')
  // the broker never answers: the start fails (it is not left half up) and the port is free again
  assert.notEqual(await started, 'started')
  assert.equal(await get(port, '/healthz'), null)
})
