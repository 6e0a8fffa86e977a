// The WebSocket endpoint (http/websocket.ts) over a hub harness, without Kafka: what a refused
// upgrade, a bad frame and a token's end are told (close code and reason), and that an admission's
// scope and expiry reach the hub. Until stop 44 only Kafka files opened refused or newsroom
// connections through this endpoint.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { TestContext } from 'node:test'
import { test } from 'node:test'
import { closeCodes, createLogger } from '@newswire/shared'
import { WebSocket } from 'ws'
import { loadFanoutConfig } from '../src/config.ts'
import { createAccess } from '../src/http/access.ts'
import { createWebSocketEndpoint, limitsServerWindow } from '../src/http/websocket.ts'
import { signNewsroomToken } from '../src/token.ts'
import type { Harness } from './support/harness.ts'
import { openAndHeld } from './support/ws-endpoint.ts'
import { event } from './support/events.ts'

const SECRET = 'websocket-test-secret-0000000001'
const SITE = 'https://news.example'

interface Served {
  url: string
  h: Harness
  /** Set: the endpoint is shutting down. */
  closing: { on: boolean }
}

/** The endpoint over a harness holding a public story and one under embargo; two connections per address. */
async function serve(t: TestContext, limits: { maxSubscribesPer10s?: number } = {}, pingIntervalMs = 600_000): Promise<Served> {
  const h = await openAndHeld({ limits })
  const config = loadFanoutConfig({
    KAFKA_BROKERS: '127.0.0.1:1',
    FANOUT_PORT: '0',
    FANOUT_PING_INTERVAL_MS: String(pingIntervalMs),
    FANOUT_MAX_MESSAGE_BYTES: '1024',
  })
  const closing = { on: false }
  const endpoint = createWebSocketEndpoint({
    hub: h.hub,
    access: createAccess({ allowedOrigins: [SITE], jwtSecret: SECRET, jwtAudience: 'newswire', maxConnectionsPerIp: 2 }),
    config,
    metrics: h.metrics,
    log: createLogger('websocket-test', 'silent'),
    closing: () => closing.on,
  })
  const http = createServer()
  http.on('upgrade', (req, socket: Socket, head: Buffer) => endpoint.upgrade(req, socket, head, new URL(req.url ?? '/', 'http://fanout')))
  http.listen(0, '127.0.0.1')
  await once(http, 'listening')
  t.after(() => {
    endpoint.terminateAll()
    endpoint.close()
    http.close()
    h.hub.stop()
  })
  return { url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/v1/stream`, h, closing }
}

interface Client {
  ws: WebSocket
  /** Text of every message so far. */
  got: string[]
  closed: Promise<{ code: number; reason: string }>
}

/** `deflate`: offers permessage-deflate (as ws' client does by default); `autoPong`: answers pings. */
function connect(url: string, headers: Record<string, string> = {}, deflate = true, autoPong = true): Client {
  const ws = new WebSocket(url, { headers, perMessageDeflate: deflate, autoPong })
  const got: string[] = []
  ws.on('message', (d) => got.push(String(d)))
  ws.on('error', () => undefined)
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  return { ws, got, closed }
}

/** Waits (settling the hub) until `done`, or fails after a few seconds. */
async function until(s: Served, done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !done(); i++) {
    await s.h.settle()
    await new Promise((r) => setTimeout(r, 10))
  }
  assert.ok(done(), what)
}

const subscribe = (id: string, channels: string[]) => JSON.stringify({ type: 'subscribe', id, channels })

test('a refused upgrade is closed with its own code and reason: origin 1008, bad token 4401, over the address limit 4429, shutting down 1012', {
  timeout: 30_000,
}, async (t) => {
  const s = await serve(t)
  assert.deepEqual(await connect(s.url, { origin: 'https://evil.example' }).closed, {
    code: closeCodes.policy,
    reason: 'origin not allowed',
  })
  const bad = await connect(`${s.url}?token=not.a.token`).closed
  assert.equal(bad.code, closeCodes.unauthorized)
  assert.notEqual(bad.reason, '')

  const a = connect(s.url, { origin: SITE })
  const b = connect(s.url)
  await Promise.all([once(a.ws, 'open'), once(b.ws, 'open')])
  assert.deepEqual(await connect(s.url).closed, { code: closeCodes.tooMany, reason: 'too many connections from this address' })
  // a connection that ends gives its address its slot back, and the hub forgets it
  a.ws.close()
  await a.closed
  await until(s, () => s.h.hub.conns.size === 1, 'the hub still holds a closed connection')
  const c = connect(s.url)
  await once(c.ws, 'open')
  c.ws.close()
  b.ws.close()
  await Promise.all([b.closed, c.closed])
  await until(s, () => s.h.hub.conns.size === 0, 'the hub still holds closed connections')

  s.closing.on = true
  assert.deepEqual(await connect(s.url).closed, { code: closeCodes.serviceRestart, reason: 'service restart' })
  s.closing.on = false
  for (let i = 0; i < 2; i++) {
    const again = connect(s.url)
    await once(again.ws, 'open')
    again.ws.close()
    await again.closed
  }
})

test('bad frames are closed with 4400 and a reason: binary, not JSON (after what was queued), past the size limit 1009; too many subscribes 4429', {
  timeout: 30_000,
}, async (t) => {
  const s = await serve(t, { maxSubscribesPer10s: 2 })
  const bin = connect(s.url)
  await once(bin.ws, 'open')
  bin.ws.send(Buffer.from(subscribe('b', ['breaking'])), { binary: true })
  assert.deepEqual(await bin.closed, { code: closeCodes.badMessage, reason: 'binary frames are not accepted; send JSON text' })

  const garbled = connect(s.url)
  await once(garbled.ws, 'open')
  // both frames in one write, so the fan-out reads them in one turn, the answer to the first still queued
  const raw = (garbled.ws as unknown as { _socket: Socket })._socket
  raw.cork()
  garbled.ws.send(subscribe('g', ['breaking']))
  garbled.ws.send('{"type":')
  process.nextTick(() => raw.uncork())
  assert.deepEqual(await garbled.closed, { code: closeCodes.badMessage, reason: 'the frame is not valid JSON' })
  assert.equal(garbled.got.length, 1, 'the answer queued before the bad frame goes out before the close')
  assert.match(garbled.got[0] as string, /"type":"subscribed"/)

  const unknown = connect(s.url)
  await once(unknown.ws, 'open')
  unknown.ws.send(JSON.stringify({ type: 'subscribe', id: 'u', channels: ['nonsense:x'] }))
  await until(s, () => unknown.got.length > 0, 'no answer to a bad subscribe')
  assert.match(unknown.got[0] as string, /"type":"error"/, 'a bad subscribe is an error, the connection stays')
  unknown.ws.send(JSON.stringify({ type: 'ping', id: 'p' }))
  await until(s, () => unknown.got.length > 1, 'the connection did not stay after a bad subscribe')
  unknown.ws.close()

  const big = connect(s.url)
  await once(big.ws, 'open')
  big.ws.send(JSON.stringify({ type: 'ping', id: 'x'.repeat(2000) }))
  assert.equal((await big.closed).code, 1009, 'a frame past FANOUT_MAX_MESSAGE_BYTES')

  const eager = connect(s.url)
  await once(eager.ws, 'open')
  for (const id of ['s1', 's2', 's3']) eager.ws.send(subscribe(id, ['breaking']))
  const closed = await eager.closed
  assert.deepEqual(closed, { code: closeCodes.tooMany, reason: 'too many subscribe messages' })
  assert.equal(eager.got.filter((m) => m.includes('"type":"subscribed"')).length, 2, 'the answers queued before the close went out')
})

test("a newsroom token's scope and expiry reach the hub: embargoed content only as the token allows, a 4401 when it ends", {
  timeout: 30_000,
}, async (t) => {
  const s = await serve(t)
  const full = connect(`${s.url}?token=${await signNewsroomToken(SECRET)}`)
  await once(full.ws, 'open')
  full.ws.send(subscribe('n', ['all']))
  await until(s, () => full.got.length > 0, 'no answer to a newsroom subscribe')
  assert.match(full.got[0] as string, /held1 v1/, 'a newsroom token sees what is under embargo')
  full.ws.close()

  const noEmbargo = connect(`${s.url}?token=${await signNewsroomToken(SECRET, { embargo: false })}`)
  await once(noEmbargo.ws, 'open')
  noEmbargo.ws.send(subscribe('n', ['all']))
  await until(s, () => noEmbargo.got.length > 0, 'no answer to a newsroom subscribe')
  assert.match(noEmbargo.got[0] as string, /open1 v1/)
  assert.doesNotMatch(noEmbargo.got[0] as string, /held1/, 'a token without embargo rights was shown an embargoed story')
  noEmbargo.ws.close()
  await Promise.all([full.closed, noEmbargo.closed])

  const brief = connect(`${s.url}?token=${await signNewsroomToken(SECRET, { ttlSeconds: 60 })}`)
  await once(brief.ws, 'open')
  await s.h.settle()
  await s.h.tick(61_000)
  const end = await Promise.race([brief.closed, new Promise<null>((r) => setTimeout(() => r(null), 3000))])
  assert.ok(end !== null, 'the connection outlived its token')
  assert.equal(end.code, closeCodes.unauthorized)
})

test('limitsServerWindow: any server_max_window_bits under 15 in the offer', { timeout: 30_000 }, () => {
  const offer = (v: string | undefined) =>
    limitsServerWindow({ headers: v === undefined ? {} : { 'sec-websocket-extensions': v } } as unknown as IncomingMessage)
  assert.equal(offer(undefined), false)
  assert.equal(offer('permessage-deflate'), false)
  assert.equal(offer('permessage-deflate; server_max_window_bits=15'), false)
  assert.equal(offer('permessage-deflate; server_max_window_bits=14'), true)
  assert.equal(offer('permessage-deflate; server_max_window_bits="10"'), true)
  assert.equal(offer('permessage-deflate, permessage-deflate; client_max_window_bits; server_max_window_bits=9'), true)
})

test('the framing a connection asked for: plain frames unless `batch=1`, no compressed frame without permessage-deflate', {
  timeout: 30_000,
}, async (t) => {
  const s = await serve(t)
  const breaking = (id: string) =>
    event('CREATED', { id, version: 1, breaking: true, urgency: 1, body: [`${id}: ${'খবর এসেছে। '.repeat(40)}`] }, s.h.clock.now())
  const plain = connect(`${s.url}?batch=0`)
  const bare = connect(`${s.url}?batch=1&deflate=1`, {}, false)
  for (const c of [plain, bare]) {
    await once(c.ws, 'open')
    c.ws.send(subscribe('b', ['breaking']))
  }
  await until(s, () => plain.got.length > 0 && bare.got.length > 0, 'no answer to a subscribe')
  // two events in one flush: a plain reader gets a frame each, a batch reader one frame of two lines
  s.h.append(breaking('one'), 0)
  s.h.append(breaking('two'), 0)
  await until(s, () => plain.got.length >= 3 && bare.got.join('\n').includes('two'), 'the events did not arrive')
  for (const m of plain.got) assert.equal((JSON.parse(m) as { type: string }).type.length > 0, true, 'a plain frame is one message')
  assert.equal(plain.got.length, 3)
  assert.equal(bare.ws.readyState, WebSocket.OPEN, 'a client that offered no compression can read every frame')
  assert.match(bare.got.join('\n'), /one v1[\s\S]*two v1/)
})

test('a failure handling a frame closes the connection with 1011; a peer that stops answering pings is cut, one that answers is kept', {
  timeout: 30_000,
}, async (t) => {
  const s = await serve(t, {}, 100)
  const c = connect(s.url)
  await once(c.ws, 'open')
  s.h.hub.handle = () => {
    throw new Error('a bug in the hub')
  }
  c.ws.send(JSON.stringify({ type: 'ping', id: 'p' }))
  assert.deepEqual(await c.closed, { code: closeCodes.internalError, reason: 'internal error' })

  const silent = connect(s.url, {}, true, false)
  const answering = connect(s.url)
  await Promise.all([once(silent.ws, 'open'), once(answering.ws, 'open')])
  const cut = await Promise.race([silent.closed, new Promise<null>((r) => setTimeout(() => r(null), 3000))])
  assert.ok(cut !== null, 'a peer that never answered a ping was kept')
  assert.equal(cut.code, 1006, 'terminated, not closed')
  assert.equal(answering.ws.readyState, WebSocket.OPEN, 'a peer that answers is kept')
  answering.ws.close()
  await answering.closed
})
