// The start-up warm-up (http/warm-up.ts) through the real WebSocket endpoint over the hub harness:
// every connection (fresh, compressed batches, resumed, named in the URL) gets its `subscribed` and is gone afterwards (no connection, subscription or
// per-address count left behind), and a warm-up that cannot connect never fails the start.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLogger } from '@newswire/shared'
import { loadFanoutConfig } from '../src/config.ts'
import { createAccess } from '../src/http/access.ts'
import { warmUp } from '../src/http/warm-up.ts'
import { createWebSocketEndpoint } from '../src/http/websocket.ts'
import type { WebSocketEndpoint } from '../src/http/websocket.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'

function endpointOn(h: Harness, perIp: number): { endpoint: WebSocketEndpoint; access: ReturnType<typeof createAccess> } {
  const config = loadFanoutConfig({
    KAFKA_BROKERS: '127.0.0.1:1',
    FANOUT_PORT: '0',
    FANOUT_PING_INTERVAL_MS: '600000',
    FANOUT_MAX_CONNECTIONS_PER_IP: String(perIp),
  })
  const access = createAccess(config)
  const endpoint = createWebSocketEndpoint({
    hub: h.hub,
    access,
    config,
    metrics: h.metrics,
    log: createLogger('warm-up-test', 'silent'),
    closing: () => false,
  })
  return { endpoint, access }
}

/** Runs `f` while the harness's hub is given passes (its clock is fake). */
async function settling<T>(h: Harness, f: () => Promise<T>): Promise<T> {
  let done = false
  const passes = (async () => {
    while (!done) {
      await h.settle()
      await new Promise((r) => setTimeout(r, 1))
    }
  })()
  try {
    return await f()
  } finally {
    done = true
    await passes
  }
}

test('every warm-up connection is subscribed, then nothing of it is left', async (t) => {
  const h = new Harness()
  h.append(event('CREATED', { id: 'a1', version: 1, breaking: true, urgency: 1 }, 0))
  h.start()
  const { endpoint, access } = endpointOn(h, 3)
  t.after(() => endpoint.close())
  const r = await settling(h, () =>
    warmUp({ connections: 48, concurrency: 3, upgrade: (req, socket, head, url) => endpoint.upgrade(req, socket, head, url) }),
  )
  assert.equal(r.connected, 48)
  // a quarter resumed from a position an earlier one was given (the first few before one was), all admitted at once
  const resumes = (await h.metrics.resumesAdmission.get()).values
  assert.ok(
    resumes.some((v) => v.labels.result === 'admitted' && v.value >= 9),
    JSON.stringify(resumes),
  )
  assert.ok(
    resumes.every((v) => v.labels.result === 'admitted'),
    JSON.stringify(resumes),
  )
  for (let i = 0; i < 200 && (endpoint.size > 0 || h.hub.conns.size > 0); i++) await new Promise((res) => setTimeout(res, 10))
  assert.equal(endpoint.size, 0)
  assert.equal(h.hub.conns.size, 0)
  const subs = (await h.metrics.subscriptions.get()).values
  assert.ok(subs.length > 0 && subs.every((v) => v.value === 0), JSON.stringify(subs))
  // the per-address limit (3) counts none of them: three more are admitted
  for (let i = 0; i < 3; i++) assert.equal(access.countIp('127.0.0.1'), true)
  assert.equal(access.countIp('127.0.0.1'), false)
})

test('a warm-up whose upgrades are refused or never answered resolves, connecting none', async (t) => {
  const h = new Harness()
  h.start()
  const refused = await warmUp({ connections: 5, upgrade: (_req, socket) => socket.destroy() })
  assert.equal(refused.connected, 0)
  const held: { destroy(): void }[] = []
  t.after(() => {
    for (const s of held) s.destroy()
  })
  const started = performance.now()
  const hung = await warmUp({ connections: 5, timeoutMs: 300, upgrade: (_req, socket) => void held.push(socket) })
  assert.equal(hung.connected, 0)
  assert.ok(performance.now() - started < 3000, `gave up after ${performance.now() - started} ms`)
})

test('no connections asked: nothing is opened', async () => {
  let upgrades = 0
  const r = await warmUp({ connections: 0, upgrade: () => upgrades++ })
  assert.deepEqual([r.connected, upgrades], [0, 0])
})
