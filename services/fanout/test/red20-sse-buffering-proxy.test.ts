// red20 attack run, 2026-12-06: the SDK's SSE stream behind a proxy that forwards a response's
// head at once and its body in blocks (an HTTP proxy with response buffering, a compressing or
// scanning middlebox: the networks that block WebSockets and so make a reader use SSE). The
// fan-out's `X-Accel-Buffering: no` speaks to nginx only. A public reader's snapshot, larger than
// a block, came through; the kill of a story it showed (a `withdrawn` of some 200 bytes) and the
// heartbeats waited in the proxy; the SDK found the stream silent and resumed from its position
// before the kill: the resumed stream (the `retry:` line, the `subscribed`, the missed `withdrawn`)
// was smaller than a block too, and waited in the proxy, and so on: the killed headline stayed
// until giveUpAfterMs (10 min) ended the client, the SDK `connected` each time the proxy passed a
// head. The README's bound (a kill heard within about 36 s of a connection going silent) did not
// hold. Now the fetch reader's SSE stream is open at its first byte: a head with no byte after it
// within connectTimeoutMs is held back, and so is a stream silent for good before its first frame
// (a proxy that passed the first bytes, the `retry:` line, and held the rest); the SDK tries
// again, and fails (NEWSWIRE_ERR_CLIENT_HELD_BACK) at the second in a row, so an embed empties (a
// failed embed shows none of what it was sent, red16).
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, request } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import { test } from 'node:test'
import { type Client, connect } from '@newswire/client'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { serveRoutes } from './support/serve-routes.ts'

/** The block size the proxy forwards in (nginx's default proxy buffer is 4 or 8 KB). */
const BLOCK = 8192

/** The fan-out's routes over `h` on a real port, SSE heartbeats every 100 ms, its hub run every 20 ms. */
async function fanout(t: TestContext, h: Harness): Promise<string> {
  const pump = setInterval(() => void h.settle(), 20)
  t.after(() => clearInterval(pump))
  const served = await serveRoutes(t, h, {
    allowedOrigins: ['*'],
    jwtSecret: 'red20-secret-0000000000000000001',
    env: { FANOUT_SSE_HEARTBEAT_MS: '100' },
  })
  return served.url
}

/**
 * A proxy passing each response's head at once and its body only in whole blocks (or at its end);
 * `passFirst`: the first read of the body goes through at once too (the server's `retry:` line).
 */
async function bufferingProxy(t: TestContext, upstream: string, passFirst = false): Promise<string> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const up = request(`${upstream}${req.url}`, { method: req.method, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers)
      res.flushHeaders()
      let held: Buffer[] = []
      let size = 0
      let first = passFirst
      ur.on('data', (c: Buffer) => {
        held.push(c)
        size += c.length
        if (size < BLOCK && !first) return
        first = false
        res.write(Buffer.concat(held))
        held = []
        size = 0
      })
      ur.on('end', () => res.end(Buffer.concat(held)))
    })
    up.on('error', () => res.destroy())
    res.on('close', () => up.destroy())
    req.pipe(up)
  })
  return listen(t, server)
}

async function listen(t: TestContext, server: ReturnType<typeof createServer>): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => {
    server.closeAllConnections()
    server.close()
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** The SDK on SSE over fetch, on `breaking`, with timers short enough for a test; closed when it ends. */
function sseReader(t: TestContext, url: string): Client {
  const client = connect(url, {
    channels: ['breaking'],
    transport: 'sse',
    fetch: (u, init) => fetch(u, init as RequestInit) as never,
    pingIntervalMs: 1000,
    pongTimeoutMs: 500,
    connectTimeoutMs: 1000,
    backoff: { minMs: 10, maxMs: 50 },
  })
  t.after(() => client.close())
  return client
}

const until = async (what: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !what() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20))
  return what()
}

for (const passFirst of [false, true])
  test(`a story killed while an SSE reader sits behind a buffering proxy${passFirst ? ' passing its first bytes' : ''} leaves its page (kill heard, or the client failed)`, async (t) => {
    const h = new Harness({ partitions: 1, start: Date.now() })
    h.start()
    const now = h.clock.now()
    // a front page larger than a block, so the first snapshot comes through
    for (let i = 0; i < 30; i++)
      h.append(event('CREATED', { id: `s${i}`, version: 1, urgency: 1, summary: 'x'.repeat(400) }, now - 60_000 + i), 0)
    h.append(event('CREATED', { id: 'target', version: 1, urgency: 1, headline: 'TO BE KILLED' }, now), 0)
    await h.settle()
    t.after(() => h.hub.stop())
    const proxy = await bufferingProxy(t, await fanout(t, h), passFirst)

    const client = sseReader(t, proxy)
    const shown = new Set<string>()
    client.on('event', (m) => shown.add(m.event.article.id))
    client.on('withdrawn', (m) => shown.delete(m.articleId))
    client.on('reset', () => shown.clear())
    let failed: string | null = null
    client.on('state', (s) => {
      if (s.state === 'failed') {
        failed = s.error?.code ?? 'failed'
        shown.clear() // what an embed does when its client fails (red16)
      }
    })
    client.on('error', () => undefined)
    assert.ok(await until(() => shown.has('target'), 5000), 'the reader shows the story')

    h.append(event('WITHDRAWN', { id: 'target', version: 2, urgency: 1, pubStatus: 'canceled' }, h.clock.now()), 0)
    await h.settle()
    // about seven silent periods of this client (1.5 s each): before the fix, every resume waited in the proxy
    const gone = await until(() => !shown.has('target'), 10_000)
    assert.ok(gone, "the killed story is still on the reader's page: its kill waits in the proxy, resume after resume")
    assert.equal(failed, 'NEWSWIRE_ERR_CLIENT_HELD_BACK', 'the client says the proxy holds its stream back')
  })

test('an SSE reader whose proxy passes every byte at once is not held back', async (t) => {
  const h = new Harness({ partitions: 1, start: Date.now() })
  h.start()
  h.append(event('CREATED', { id: 'target', version: 1, urgency: 1 }, h.clock.now()), 0)
  await h.settle()
  t.after(() => h.hub.stop())
  const client = sseReader(t, await fanout(t, h))
  const states: string[] = []
  client.on('state', (s) => states.push(s.state))
  const shown = new Set<string>()
  client.on('event', (m) => shown.add(m.event.article.id))
  client.on('withdrawn', (m) => shown.delete(m.articleId))
  assert.ok(await until(() => shown.has('target'), 5000), 'the reader shows the story')
  await new Promise((r) => setTimeout(r, 3000))
  h.append(event('WITHDRAWN', { id: 'target', version: 2, urgency: 1, pubStatus: 'canceled' }, h.clock.now()), 0)
  await h.settle()
  assert.ok(await until(() => !shown.has('target'), 3000), 'the kill is heard')
  assert.deepEqual(states, ['connected'], 'one connection, never held back')
})
