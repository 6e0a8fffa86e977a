// A newsroom token out of the stream's URL, where an edge proxy or CDN logging request lines keeps
// it: the SDK offers it as a `newswire.bearer.<token>` subprotocol on the WebSocket upgrade and
// sends it in Authorization on SSE; the fan-out reads it there through the same checks as
// `?token=`, answers the plain `newswire` subprotocol, refuses a request carrying two tokens,
// counts `?token=` (older SDKs, an EventSource) and refuses it with FANOUT_TOKEN_IN_URL=refuse.
// Over real HTTP and WebSocket, the SDK behind a proxy that records request lines.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { request } from 'node:http'
import { type TestContext, test } from 'node:test'
import { inspect } from 'node:util'
import { closeCodes, type Logger } from '@newswire/shared'
import { WebSocket } from 'ws'
import { connect } from '../../client/src/index.ts'
import type { FetchLike } from '../../client/src/types.ts'
import { loadFanoutConfig } from '../src/config.ts'
import type { Transport } from '../src/http/access.ts'
import { signNewsroomToken } from '../src/token.ts'
import { Harness } from './support/harness.ts'
import { serveRoutes } from './support/serve-routes.ts'
import { event } from './support/events.ts'
import { loggingProxy } from './support/logging-proxy.ts'

const SECRET = 'token-out-of-url-secret-00000001'
const SITE = 'https://news.example'

/** /v1/sse and the pages' routes and /v1/stream over a harness holding a story, on one port. */
async function serve(t: TestContext, env: Record<string, string> = {}) {
  const h = new Harness({ partitions: 1, start: Date.now() })
  h.start()
  h.append(event('CREATED', { id: 'open1', version: 1 }, h.clock.now() - 1000), 0)
  await h.settle()
  const inUrl: Transport[] = []
  // every line the routes and the endpoint log, at every level, as text: none may carry a token
  const logged: string[] = []
  const record = (...args: unknown[]) => void logged.push(inspect(args, { depth: 6 }))
  const log = { trace: record, debug: record, info: record, warn: record, error: record, fatal: record } as unknown as Logger
  ;(log as unknown as { child: () => Logger }).child = () => log
  const { url } = await serveRoutes(t, h, {
    allowedOrigins: [SITE],
    jwtSecret: SECRET,
    env: { FANOUT_PING_INTERVAL_MS: '600000', NEWSROOM_JWT_SECRET: SECRET, FANOUT_ALLOWED_ORIGINS: SITE, ...env },
    onTokenInUrl: (transport) => inUrl.push(transport),
    log,
    webSocket: true,
  })
  t.after(() => h.hub.stop())
  const proxy = await loggingProxy(t, Number(new URL(url).port))
  /** Runs the hub until `done`. */
  const until = async (done: () => boolean, what: string) => {
    for (let i = 0; i < 300 && !done(); i++) {
      await h.settle()
      await new Promise((r) => setTimeout(r, 10))
    }
    assert.ok(done(), what)
  }
  /** newswire_fanout_connections_rejected_total{reason}. */
  const rejected = async (reason: string) =>
    (await h.metrics.connectionsRejected.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0
  return { h, proxy, inUrl, until, rejected, logged: () => logged.join('\n') }
}

/** The SDK on channel `all` (newsroom only) through the proxy: subscribed or failed, and why. */
function sdk(t: TestContext, host: string, transport: 'websocket' | 'sse', token: string) {
  const seen = { subscribed: 0, failed: '' }
  const client = connect(`http://${host}/`, {
    channels: ['all'],
    token,
    transport,
    WebSocket,
    fetch: fetch as unknown as FetchLike,
    maxRetries: 0,
  })
  t.after(() => client.close())
  client.on('subscribed', () => seen.subscribed++)
  client.on('error', () => {})
  client.on('state', (s) => {
    if (s.state === 'failed') seen.failed = s.reason ?? 'failed'
  })
  return seen
}

/** A raw WebSocket (ws) through `host`, offering `protocols`: how it closed, and the protocol the server chose. */
async function upgrade(host: string, query: string, protocols: string[] = []) {
  const ws = new WebSocket(`ws://${host}/v1/stream${query}`, protocols)
  // (not events.once: it rejects at the 'error' of a failed handshake, before the close)
  ws.on('error', () => undefined)
  // a refused upgrade is closed right after it opens; one left open (admitted) is ended here
  ws.on('open', () => setTimeout(() => ws.terminate(), 1000).unref())
  const [code, reason] = await new Promise<[number, Buffer]>((resolve) => ws.on('close', (c, r) => resolve([c, r])))
  return { code, reason: reason.toString(), protocol: ws.protocol }
}

/** An HTTP request through `host`: status and body. */
function get(host: string, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const [hostname, port] = host.split(':')
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request({ host: hostname, port: Number(port), path, method, headers }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => {
        body += c.toString()
        // an SSE stream stays open: its head and first bytes are all a check needs
        if (res.headers['content-type']?.startsWith('text/event-stream')) res.destroy()
      })
      res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

for (const transport of ['websocket', 'sse'] as const)
  for (const tokenInUrl of ['accept', 'refuse'])
    test(`the SDK over ${transport} (FANOUT_TOKEN_IN_URL=${tokenInUrl}): a newsroom stream, and no request line a proxy logs carries the token`, {
      timeout: 20_000,
    }, async (t) => {
      const s = await serve(t, { FANOUT_TOKEN_IN_URL: tokenInUrl })
      const token = await signNewsroomToken(SECRET)
      const seen = sdk(t, s.proxy.host, transport, token)
      await s.until(() => seen.subscribed > 0 || seen.failed !== '', 'neither subscribed nor failed')
      assert.equal(seen.failed, '', 'admitted as the newsroom (channel all)')
      const lines = s.proxy.requestLines()
      assert.ok(
        lines.some((l) => l.includes(transport === 'sse' ? '/v1/sse?' : '/v1/stream')),
        lines.join('\n'),
      )
      assert.deepEqual(
        lines.filter((l) => l.includes(token) || /[?&]token=/.test(l)),
        [],
      )
      // the server never sends the token back (a subprotocol answer would be logged on the way too)
      assert.ok(!s.proxy.answered().includes(token), 'the token in what the server answered')
      // (the SDK names its subscription in the URL: the answer says the server took it)
      if (transport === 'websocket') assert.match(s.proxy.answered(), /\r\nSec-WebSocket-Protocol: newswire\.url-subscription\r\n/i)
      assert.deepEqual(s.inUrl, [])
      assert.ok(!s.logged().includes(token), 'the fan-out logged the token')
    })

test('the subprotocol answered is `newswire` alone; a client offering no `newswire` gets none (ws fails its handshake)', {
  timeout: 20_000,
}, async (t) => {
  const s = await serve(t)
  const token = await signNewsroomToken(SECRET)
  const ws = new WebSocket(`ws://${s.proxy.host}/v1/stream`, ['newswire', `newswire.bearer.${token}`])
  await once(ws, 'open')
  assert.equal(ws.protocol, 'newswire')
  ws.close()
  // the token alone: nothing to answer with, and never the token
  const alone = await upgrade(s.proxy.host, '', [`newswire.bearer.${token}`])
  assert.equal(alone.protocol, '')
  assert.equal(alone.code, 1006)
  assert.ok(!s.proxy.answered().includes(token))
})

test('a bad token in the subprotocol is refused exactly like one in the URL (4401, the same reason)', { timeout: 20_000 }, async (t) => {
  const s = await serve(t)
  const bad = {
    expired: await signNewsroomToken(SECRET, { ttlSeconds: -60 }),
    'another audience': await signNewsroomToken(SECRET, { audience: 'elsewhere' }),
    'another secret': await signNewsroomToken('another-secret-0000000000000000'),
    'not a newsroom scope': await signNewsroomToken(SECRET, { scope: 'reader' }),
    garbage: 'not.a.token',
  }
  for (const [what, token] of Object.entries(bad)) {
    const inUrl = await upgrade(s.proxy.host, `?token=${token}`)
    const inProtocol = await upgrade(s.proxy.host, '', ['newswire', `newswire.bearer.${token}`])
    assert.equal(inUrl.code, closeCodes.unauthorized, what)
    assert.deepEqual({ code: inProtocol.code, reason: inProtocol.reason }, { code: inUrl.code, reason: inUrl.reason }, what)
    assert.equal(inProtocol.protocol, 'newswire', what)
  }
  assert.equal(await s.rejected('unauthorized'), 10)
  for (const token of Object.values(bad)) assert.ok(!s.logged().includes(token), 'the fan-out logged a refused token')
})

test('two tokens are refused, whichever is valid: 4400 on the WebSocket, 400 on SSE; one token per request', {
  timeout: 20_000,
}, async (t) => {
  const s = await serve(t)
  const newsroom = await signNewsroomToken(SECRET)
  const desk = await signNewsroomToken(SECRET, { desks: ['sports'] })
  const both = await upgrade(s.proxy.host, `?token=${desk}`, ['newswire', `newswire.bearer.${newsroom}`])
  assert.deepEqual(
    { code: both.code, reason: both.reason },
    { code: closeCodes.badMessage, reason: 'more than one token (url, protocol): send one' },
  )
  const twice = await upgrade(s.proxy.host, '', ['newswire', `newswire.bearer.${newsroom}`, `newswire.bearer.${desk}`])
  assert.deepEqual(
    { code: twice.code, reason: twice.reason },
    { code: closeCodes.badMessage, reason: 'more than one token (protocol): send one' },
  )
  const urlTwice = await upgrade(s.proxy.host, `?token=${newsroom}&token=${desk}`)
  assert.equal(urlTwice.code, closeCodes.badMessage)
  const sse = await get(s.proxy.host, `/v1/sse?channels=all&token=${desk}`, { authorization: `Bearer ${newsroom}` })
  assert.equal(sse.status, 400)
  assert.equal(JSON.parse(sse.body).detail, 'more than one token (url, header): send one')
  assert.equal(await s.rejected('two_tokens'), 4)
  assert.ok(!s.logged().includes(newsroom) && !s.logged().includes(desk), 'the fan-out logged a token')
})

test('FANOUT_TOKEN_IN_URL: accepted and counted by default; refused (1008, 401) when set, a subprotocol or header still admitted', {
  timeout: 20_000,
}, async (t) => {
  const token = await signNewsroomToken(SECRET)
  const accept = await serve(t)
  const old = new WebSocket(`ws://${accept.proxy.host}/v1/stream?token=${token}`)
  await once(old, 'open')
  old.send(JSON.stringify({ type: 'subscribe', id: 'a', channels: ['all'] }))
  const [frame] = (await once(old, 'message')) as [Buffer]
  assert.equal(JSON.parse(frame.toString()).type, 'subscribed', 'an older SDK is still served as the newsroom')
  old.close()
  const sse = await get(accept.proxy.host, `/v1/sse?channels=all&token=${token}`)
  assert.equal(sse.status, 200)
  await get(accept.proxy.host, `/v1/snapshot?channels=all&token=${token}`)
  assert.deepEqual(accept.inUrl, ['websocket', 'sse', 'http'])

  const refuse = await serve(t, { FANOUT_TOKEN_IN_URL: 'refuse' })
  const closed = await upgrade(refuse.proxy.host, `?token=${token}`)
  assert.equal(closed.code, closeCodes.policy)
  assert.match(closed.reason, /token in the URL is refused/)
  const refused = await get(refuse.proxy.host, `/v1/sse?channels=all&token=${token}`)
  assert.equal(refused.status, 401)
  assert.equal(JSON.parse(refused.body).code, 'unauthorized')
  assert.match(JSON.parse(refused.body).detail, /token in the URL is refused/)
  assert.deepEqual(refuse.inUrl, ['websocket', 'sse'], 'counted when refused too: who still sends it')
  assert.equal(await refuse.rejected('token_in_url'), 2)
  // the other ways still work: a subprotocol, Authorization
  const ws = new WebSocket(`ws://${refuse.proxy.host}/v1/stream`, ['newswire', `newswire.bearer.${token}`])
  await once(ws, 'open')
  ws.send(JSON.stringify({ type: 'subscribe', id: 'a', channels: ['all'] }))
  const [first] = (await once(ws, 'message')) as [Buffer]
  assert.equal(JSON.parse(first.toString()).type, 'subscribed', 'a subprotocol token is served as the newsroom')
  ws.close()
  assert.equal((await get(refuse.proxy.host, '/v1/sse?channels=all', { authorization: `Bearer ${token}` })).status, 200)
  assert.throws(() => loadFanoutConfig({ KAFKA_BROKERS: '127.0.0.1:1', FANOUT_TOKEN_IN_URL: 'sometimes' }), /FANOUT_TOKEN_IN_URL/)
})

test('CORS: /v1/sse preflight from an allowed origin allows Authorization (the SDK fetch sends its token there)', {
  timeout: 20_000,
}, async (t) => {
  const s = await serve(t)
  const preflight = await get(
    s.proxy.host,
    '/v1/sse?channels=all',
    { origin: SITE, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    'OPTIONS',
  )
  assert.equal(preflight.status, 204)
  assert.equal(preflight.headers['access-control-allow-origin'], SITE)
  assert.match(String(preflight.headers['access-control-allow-headers']), /(^|,\s*)Authorization(,|$)/i)
  const token = await signNewsroomToken(SECRET)
  const stream = await get(s.proxy.host, '/v1/sse?channels=all', { origin: SITE, authorization: `Bearer ${token}` })
  assert.equal(stream.status, 200)
  assert.equal(stream.headers['access-control-allow-origin'], SITE)
})
