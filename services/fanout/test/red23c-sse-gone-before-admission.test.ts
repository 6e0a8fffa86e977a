// red23c attack run (2026-12-07): an SSE request whose client left while its token was being
// verified. The route counted the address and listened for the response's `close` only once the
// token was verified: a client gone by then (a phone losing its network, a reader reloading, a
// proxy's retry cut short) had closed already, so the count stayed for good and its subscription
// was made for a response nobody reads, the connection kept in the hub with its queue. Enough of
// them, and every reader from the address (behind an ingress, every reader) was refused 429.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { signNewsroomToken } from '../src/token.ts'
import { openAndHeld } from './support/ws-endpoint.ts'
import { serveRoutes } from './support/serve-routes.ts'

/** An SSE request sent whole, its client gone at once (FIN, then the socket destroyed). */
async function goneAtOnce(url: URL, token: string): Promise<void> {
  const socket = connect(Number(url.port), url.hostname)
  await once(socket, 'connect')
  socket.on('error', () => undefined)
  socket.write(
    ['GET /v1/sse?channels=all HTTP/1.1', `Host: ${url.host}`, 'Accept: text/event-stream', `Authorization: Bearer ${token}`, '', ''].join(
      '\r\n',
    ),
  )
  socket.end()
}

async function opens(url: string): Promise<{ status: number; abort: () => void }> {
  const ac = new AbortController()
  const res = await fetch(`${url}/v1/sse?channels=breaking`, { signal: ac.signal })
  return { status: res.status, abort: () => ac.abort() }
}

test('an SSE request whose client left while its token was verified holds no count and no connection', { timeout: 30_000 }, async (t) => {
  const h = await openAndHeld()
  t.after(() => h.hub.stop())
  const { url, access } = await serveRoutes(t, h, { allowedOrigins: ['*'], jwtSecret: DEV_NEWSROOM_SECRET, maxConnectionsPerIp: 2 })
  // a loaded host: verifying a token takes a while, and the client's FIN comes in meanwhile
  const admit = access.admit.bind(access)
  access.admit = (req, u) => {
    const a = admit(req, u)
    return a instanceof Promise ? new Promise((r) => setTimeout(() => r(a), 100)) : a
  }
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET)
  for (let i = 0; i < 4; i++) await goneAtOnce(new URL(url), token)
  await new Promise((r) => setTimeout(r, 500))
  await h.settle()
  assert.equal(h.hub.conns.size, 0, 'connections kept in the hub for requests whose clients had gone')
  const a = await opens(url)
  const b = await opens(url)
  a.abort()
  b.abort()
  assert.deepEqual([a.status, b.status], [200, 200], 'readers from the address refused')
})
