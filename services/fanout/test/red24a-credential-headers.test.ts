// red24a attack run (2026-12-07): a newsroom credential where HTTP lets one hide. Node keeps the
// first of two Authorization headers and drops the second without a word, so a request carrying
// two was admitted on the first: a proxy checking or logging the last (or the joined pair) saw
// another credential than the fan-out admitted, the one thing tokenOf refuses for every other pair
// of places (ingest refuses two Authorization headers too). And a plain GET with any `Upgrade`
// header had its `Sec-WebSocket-Protocol` read as a credential: a page or SSE request got the
// newsroom's view with no Authorization, no `token=`, nothing an edge checks for a token.
// Raw sockets against the real routes and upgrade handler over a harness with a held story.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { test } from 'node:test'
import { closeCodes, DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { WebSocket } from 'ws'
import { bearerProtocol } from '../src/http/access.ts'
import { signNewsroomToken } from '../src/token.ts'
import { serveRoutes } from './support/serve-routes.ts'
import { openAndHeld } from './support/ws-endpoint.ts'

/** One request written as it is (header lines as given); resolves with the status line and the rest. */
async function raw(base: string, requestLine: string, headers: string[]): Promise<{ status: number; text: string }> {
  const u = new URL(base)
  const socket = connect(Number(u.port), u.hostname)
  await once(socket, 'connect')
  socket.write([requestLine, `Host: ${u.host}`, 'Connection: close', ...headers, '', ''].join('\r\n'))
  let text = ''
  socket.setEncoding('utf8')
  socket.on('data', (c: string) => {
    text += c
    // an SSE stream does not end: its head and first frames are enough
    if (/^HTTP\/1\.1 200/.test(text) && text.includes('event: subscribed')) socket.destroy()
  })
  await Promise.race([once(socket, 'close'), new Promise((r) => setTimeout(r, 3000))])
  socket.destroy()
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text }
}

test('two Authorization headers, or two token parameters one of them empty, are refused on every route, never one admitted', {
  timeout: 30_000,
}, async (t) => {
  const h = await openAndHeld()
  t.after(() => h.hub.stop())
  const { url } = await serveRoutes(t, h, { allowedOrigins: ['*'], jwtSecret: DEV_NEWSROOM_SECRET, webSocket: true })
  const full = await signNewsroomToken(DEV_NEWSROOM_SECRET)
  const limited = await signNewsroomToken(DEV_NEWSROOM_SECRET, { embargo: false })
  // a limited token alone sees no held story: the baseline the pair must not beat
  const alone = await raw(url, 'GET /v1/snapshot?limit=10 HTTP/1.1', [`Authorization: Bearer ${limited}`])
  assert.equal(alone.status, 200, alone.text)
  assert.ok(!alone.text.includes('"id":"held1"'), 'a released-only token sees the held story')
  for (const path of ['/v1/snapshot?limit=10', '/v1/counts', '/v1/stories/open1/entries', '/v1/sse?channels=all']) {
    for (const pair of [
      [full, limited],
      [limited, full],
    ]) {
      const r = await raw(
        url,
        `GET ${path} HTTP/1.1`,
        pair.map((tok) => `Authorization: Bearer ${tok}`),
      )
      assert.equal(r.status, 400, `${path}: ${r.text.slice(0, 300)}`)
      assert.match(r.text, /more than one token/)
      assert.ok(!r.text.includes('"id":"held1"'), `${path}: the held story answered`)
    }
  }
  // an empty `token=` beside a real one: a proxy reading the first saw no token in the URL
  for (const query of [`token=&token=${full}`, `token=${full}&token=`]) {
    const r = await raw(url, `GET /v1/snapshot?limit=10&${query} HTTP/1.1`, [])
    assert.equal(r.status, 400, `${query.slice(0, 12)}: ${r.text.slice(0, 300)}`)
    assert.ok(!r.text.includes('"id":"held1"'), 'the held story answered')
  }
  // a lower-case scheme is the same scheme (RFC 9110): ignored, a proxy read it and the fan-out `token=`
  const lower = await raw(url, `GET /v1/snapshot?limit=10&token=${full} HTTP/1.1`, [`Authorization: bearer ${limited}`])
  assert.equal(lower.status, 400, lower.text.slice(0, 300))
  assert.ok(!lower.text.includes('"id":"held1"'), 'the held story answered')
  // the stream: refused after the upgrade, as a browser can read no HTTP error of one
  const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/stream`, ['newswire'], {
    headers: { authorization: [`Bearer ${full}`, `Bearer ${limited}`] as unknown as string },
  })
  const messages: string[] = []
  ws.on('message', (d) => void messages.push(String(d)))
  ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', id: 's', channels: ['all'] })))
  const [code, reason] = (await once(ws, 'close')) as [number, Buffer]
  assert.equal(code, closeCodes.badMessage, String(reason))
  assert.ok(!messages.some((m) => m.includes('"id":"held1"')), 'the stream sent the held story')
})

test('a token offered as a subprotocol is a credential only on a WebSocket upgrade', { timeout: 30_000 }, async (t) => {
  const h = await openAndHeld()
  t.after(() => h.hub.stop())
  const { url } = await serveRoutes(t, h, { allowedOrigins: ['*'], jwtSecret: DEV_NEWSROOM_SECRET, webSocket: true })
  const full = await signNewsroomToken(DEV_NEWSROOM_SECRET)
  for (const path of ['/v1/snapshot?limit=10', '/v1/counts', '/v1/sse?channels=breaking,category:national']) {
    const r = await raw(url, `GET ${path} HTTP/1.1`, ['Upgrade: anything', `Sec-WebSocket-Protocol: newswire, ${bearerProtocol}${full}`])
    assert.ok(!r.text.includes('"id":"held1"'), `${path}: the held story answered to a token in Sec-WebSocket-Protocol`)
    assert.ok(!/private, no-store/.test(r.text), `${path}: answered as the newsroom`)
  }
  // on the upgrade itself it is the way a browser sends it
  const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/stream`, ['newswire', `${bearerProtocol}${full}`])
  const messages: string[] = []
  ws.on('message', (d) => void messages.push(String(d)))
  await once(ws, 'open')
  ws.send(JSON.stringify({ type: 'subscribe', id: 's', channels: ['all'] }))
  for (let i = 0; i < 100 && !messages.some((m) => m.includes('"subscribed"')); i++) await new Promise((r) => setTimeout(r, 20))
  assert.ok(
    messages.some((m) => m.includes('"id":"held1"')),
    'the newsroom stream lacks the held story',
  )
  ws.close()
})
