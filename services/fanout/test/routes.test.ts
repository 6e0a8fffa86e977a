// The fan-out's HTTP routes (http/routes.ts) over a hub harness, without Kafka: which requests
// reach a page or a stream, with whose admission, and what everything else is told. Until stop 44
// only Kafka files (cors, sse, pages) went through this handler, so no unit test would notice a
// route served without its admission, CORS granted to any origin, or a per-address slot kept.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, request } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import { test } from 'node:test'
import { SignJWT } from 'jose'
import { createUpgradeHandler } from '../src/http/routes.ts'
import type { Harness } from './support/harness.ts'
import { openAndHeld } from './support/ws-endpoint.ts'
import { serveRoutes } from './support/serve-routes.ts'

const SECRET = 'routes-test-secret-000000000001'
const SITE = 'https://news.example'

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

interface Served {
  url: string
  /** Whether the routes serve streams and pages (false: shutting down). */
  serving: { on: boolean }
  h: Harness
}

/** The routes over a harness holding a public story and one under embargo; `perIp` streams per address. */
async function serve(t: TestContext, perIp = 1): Promise<Served> {
  const h = await openAndHeld()
  const serving = { on: true }
  t.after(() => h.hub.stop())
  const { url } = await serveRoutes(t, h, {
    allowedOrigins: [SITE],
    jwtSecret: SECRET,
    maxConnectionsPerIp: perIp,
    serving: () => serving.on,
  })
  return { url, serving, h }
}

/** One request; a stream (200 text/event-stream) is answered by its head and cut. */
function ask(url: string, method = 'GET', headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' })
        res.destroy()
        return
      }
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        body += c
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** A stream held open until `close` (the per-address slot it takes). */
async function openStream(url: string): Promise<{ status: number; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      resolve({
        status: res.statusCode ?? 0,
        close: async () => {
          const closed = once(req.socket ?? res, 'close')
          res.destroy()
          await closed
        },
      })
    })
    req.on('error', reject)
    req.end()
  })
}

/** What a stream sends until the hub has settled; then it is cut. */
async function streamText(s: Served, url: string): Promise<string> {
  let text = ''
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, resolve)
    req.on('error', reject)
    req.end()
  })
  res.setEncoding('utf8')
  res.on('data', (c: string) => {
    text += c
  })
  for (let i = 0; i < 50 && !text.includes('open1'); i++) {
    await s.h.settle()
    await new Promise((r) => setTimeout(r, 10))
  }
  res.destroy()
  return text
}

const codeOf = (a: Answer): unknown => (JSON.parse(a.body) as { code?: unknown }).code

const newsroomToken = () =>
  new SignJWT({ scope: 'newsroom' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('editor')
    .setAudience('newswire')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET))

test('an allowed origin gets CORS on the API routes and its preflight; another origin neither, and is refused', {
  timeout: 30_000,
}, async (t) => {
  const s = await serve(t)
  for (const path of ['/v1/snapshot?channels=category:news', '/v1/counts', '/v1/sse?channels=category:news']) {
    const a = await ask(`${s.url}${path}`, 'GET', { origin: SITE })
    assert.equal(a.status, 200, path)
    assert.match(String(a.headers['content-type']), path.startsWith('/v1/sse') ? /^text\/event-stream/ : /^application\/json/, path)
    assert.equal(a.headers['access-control-allow-origin'], SITE, path)
    assert.ok(String(a.headers.vary).split(', ').includes('Origin'), `${path}: vary ${a.headers.vary}`)
  }
  const pre = await ask(`${s.url}/v1/snapshot`, 'OPTIONS', { origin: SITE, 'access-control-request-method': 'GET' })
  assert.equal(pre.status, 204)
  assert.equal(pre.headers['access-control-allow-origin'], SITE)
  assert.equal(pre.headers['access-control-allow-methods'], 'GET', 'reading is all a page may do across origins')
  for (const h of ['Last-Event-ID', 'Authorization', 'If-None-Match'])
    assert.ok(String(pre.headers['access-control-allow-headers']).split(', ').includes(h), h)

  for (const path of ['/v1/snapshot?channels=category:news', '/v1/sse?channels=category:news', '/v1/stories/open1/entries']) {
    const other = await ask(`${s.url}${path}`, 'GET', { origin: 'https://evil.example' })
    assert.equal(other.status, 403, path)
    assert.equal(codeOf(other), 'origin_not_allowed', path)
    assert.equal(other.headers['access-control-allow-origin'], undefined, path)
    assert.doesNotMatch(other.body, /open1/, path)
  }
  const otherPre = await ask(`${s.url}/v1/snapshot`, 'OPTIONS', { origin: 'https://evil.example', 'access-control-request-method': 'GET' })
  assert.equal(otherPre.status, 404)
  assert.equal(otherPre.headers['access-control-allow-origin'], undefined)
})

test('a page is served with the admission of its token: the public never sees what is under embargo, a bad token is a 401', {
  timeout: 30_000,
}, async (t) => {
  const s = await serve(t, 10)
  const pub = await ask(`${s.url}/v1/snapshot?channels=category:news`)
  assert.equal(pub.status, 200)
  assert.match(pub.body, /open1 v1/)
  assert.doesNotMatch(pub.body, /held1/, 'a public page held a story under embargo')

  const newsroom = await ask(`${s.url}/v1/snapshot?channels=category:news`, 'GET', { authorization: `Bearer ${await newsroomToken()}` })
  assert.equal(newsroom.status, 200)
  assert.match(newsroom.body, /held1 v1/, "the newsroom's token was not the page's admission")

  const bad = await ask(`${s.url}/v1/snapshot?channels=category:news`, 'GET', { authorization: 'Bearer not.a.token' })
  assert.equal(bad.status, 401)
  assert.equal(codeOf(bad), 'unauthorized')
  assert.doesNotMatch(bad.body, /open1|held1/)
  const badSse = await ask(`${s.url}/v1/sse?channels=category:news&token=not.a.token`)
  assert.equal(badSse.status, 401)

  const pubSse = await streamText(s, `${s.url}/v1/sse?channels=category:news`)
  assert.match(pubSse, /open1 v1/)
  assert.doesNotMatch(pubSse, /held1/, 'a public stream carried a story under embargo')
  const newsroomSse = await streamText(s, `${s.url}/v1/sse?channels=category:news&token=${await newsroomToken()}`)
  assert.match(newsroomSse, /held1 v1/, "the newsroom's token was not the stream's admission")

  const entries = await ask(`${s.url}/v1/stories/nothing-here/entries`)
  assert.equal(entries.status, 404)
  assert.match(entries.body, /no story 'nothing-here' for this client/, 'the entries route answers its own path')
})

test('only GET reaches the API routes; other paths and methods are a 404 naming the routes; while shutting down, a 503 to come back', {
  timeout: 30_000,
}, async (t) => {
  const s = await serve(t)
  for (const [method, path] of [
    ['POST', '/v1/snapshot?channels=category:news'],
    ['DELETE', '/v1/counts'],
    ['PUT', '/v1/sse?channels=category:news'],
    ['GET', '/v1/nowhere'],
    ['GET', '/v1/snapshots'],
    ['OPTIONS', '/v1/snapshot'],
  ] as const) {
    const a = await ask(`${s.url}${path}`, method)
    assert.equal(a.status, 404, `${method} ${path}`)
    assert.equal(codeOf(a), 'not_found', `${method} ${path}`)
    assert.match(a.body, /routes: \/v1\/stream/)
  }
  assert.equal((await ask(`${s.url}/healthz`)).status, 200, 'the ops routes come first')
  assert.equal((await ask(`${s.url}/readyz`)).status, 200)
  s.serving.on = false
  assert.equal((await ask(`${s.url}/readyz`)).status, 503)
  for (const path of ['/v1/snapshot?channels=category:news', '/v1/sse?channels=category:news', '/v1/stories/open1/entries']) {
    const a = await ask(`${s.url}${path}`)
    assert.equal(a.status, 503, path)
    assert.equal(a.headers['retry-after'], '1', path)
    assert.doesNotMatch(a.body, /open1/, path)
  }
})

test('a stream takes its address one slot, the pages none, and gives it back when it ends', { timeout: 30_000 }, async (t) => {
  const s = await serve(t)
  const first = await openStream(`${s.url}/v1/sse?channels=category:news`)
  assert.equal(first.status, 200)
  const second = await ask(`${s.url}/v1/sse?channels=category:news`)
  assert.equal(second.status, 429, 'a second stream from the address over its limit of one')
  assert.equal(codeOf(second), 'too_many_connections')
  assert.equal((await ask(`${s.url}/v1/snapshot?channels=category:news`)).status, 200, 'pages are not streams')
  await first.close()
  // the server sees the close a moment later
  for (let i = 0; i < 100; i++) {
    const again = await ask(`${s.url}/v1/sse?channels=category:news`)
    if (again.status === 200) return
    await new Promise((r) => setTimeout(r, 20))
  }
  assert.fail('the address never got its slot back after its stream ended')
})

test('an upgrade reaches the WebSocket endpoint only on /v1/stream, with its query, and only while serving', {
  timeout: 30_000,
}, async (t) => {
  const serving = { on: true }
  const handed: URL[] = []
  const server = createServer()
  server.on(
    'upgrade',
    createUpgradeHandler({
      serving: () => serving.on,
      upgrade: (_req, socket, _head, url) => {
        handed.push(url)
        socket.end('HTTP/1.1 418 Handed Over\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      },
    }),
  )
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => server.close())
  const port = (server.address() as AddressInfo).port
  /** The status line the server answers an upgrade of `path` with. */
  const statusOf = (path: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: fanout\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
        ),
      )
      let text = ''
      socket.on('data', (b) => {
        text += b.toString()
      })
      socket.on('error', reject)
      socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''))
    })

  assert.equal(await statusOf('/v1/other'), 'HTTP/1.1 404 Not Found')
  assert.equal(await statusOf('/v1/stream/more'), 'HTTP/1.1 404 Not Found')
  assert.equal(await statusOf('/v1/sse?channels=breaking'), 'HTTP/1.1 404 Not Found')
  assert.equal(handed.length, 0)
  assert.equal(await statusOf('/v1/stream'), 'HTTP/1.1 418 Handed Over')
  assert.equal(await statusOf('/v1/stream?token=abc&batch=1'), 'HTTP/1.1 418 Handed Over')
  assert.deepEqual(
    handed.map((u) => `${u.pathname}${u.search}`),
    ['/v1/stream', '/v1/stream?token=abc&batch=1'],
    'the endpoint reads the query as asked (a token, the framing)',
  )
  serving.on = false
  assert.equal(await statusOf('/v1/stream'), 'HTTP/1.1 503 Service Unavailable')
  assert.equal(handed.length, 2)
})
