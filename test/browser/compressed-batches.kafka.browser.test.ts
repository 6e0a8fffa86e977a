// Compressed batches in a real browser: the SDK's esbuild bundle in Debian's Chromium, with the
// browser's own WebSocket, asks the real fan-out for `?batch=1&deflate=1`; Chromium offers
// permessage-deflate and the fan-out negotiates it with no context takeover either way. A burst of
// Bengali events then reaches the page once each, in the order a plain Node reader beside it gets
// them, and the fan-out's sockets were handed far fewer bytes than the messages' own.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { join } from 'node:path'
import { test } from 'node:test'
import { build } from 'esbuild'
import { WebSocket } from 'ws'
import { article, publishBatch, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { startTestIngest, uniquePrefix } from '../helpers.ts'
import { launch, openPage, repoRoot, serve } from './helpers.ts'

interface Seen {
  ids: string[]
  states: string[]
}

const page = (fanoutUrl: string) => `<!doctype html><meta charset="utf-8"><script type="module">
import { connect } from '/client.js'
const seen = { ids: [], states: [] }
window.seen = seen
const client = connect(${JSON.stringify(fanoutUrl)}, { channels: ['breaking'], transport: 'websocket' })
client.on('event', (m) => seen.ids.push(m.event.article.id))
client.on('state', (s) => seen.states.push(s.state))
</script>`

/** The fan-out's counter for WebSocket connections. */
async function wsCounter(fanoutUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${fanoutUrl}/metrics`)).text()
  return Number(new RegExp(`^${name}\\{[^}]*transport="ws"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0)
}

test("Chromium's SDK reader negotiates compressed batches and reads every event of a burst once, in order", {
  timeout: 120_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const bundle = await build({
    entryPoints: [join(repoRoot, 'services', 'client', 'src', 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  })
  const script = bundle.outputFiles[0]?.text ?? ''
  const port = await serve(t, (req, res) => {
    if (req.url === '/client.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' })
      res.end(script)
      return
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(page(fanout.url))
  })

  // what Chromium asked and what the fan-out answered, from the DevTools protocol (the page's
  // WebSocket must stay the browser's own: the SDK asks only then)
  const browser = await launch(t)
  const { page: tab, errors } = await openPage(browser, 800, 600)
  const cdp = await tab.context().newCDPSession(tab)
  const handshakes: { url: string; extensions: string }[] = []
  const urls = new Map<string, string>()
  cdp.on('Network.webSocketCreated', (e) => urls.set(e.requestId, e.url))
  cdp.on('Network.webSocketHandshakeResponseReceived', (e) => {
    const headers = e.response.headers as Record<string, string>
    const extensions = Object.entries(headers).find(([k]) => k.toLowerCase() === 'sec-websocket-extensions')?.[1] ?? ''
    handshakes.push({ url: urls.get(e.requestId) ?? '', extensions })
  })
  await cdp.send('Network.enable')

  // a plain reader beside it: one message per frame, the order to compare with
  const plain = new WebSocket(fanout.wsUrl, { perMessageDeflate: false })
  const plainIds: string[] = []
  plain.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; event?: { article: { id: string } } }
    if (m.type === 'event' && m.event) plainIds.push(m.event.article.id)
  })
  t.after(() => plain.terminate())
  await once(plain, 'open')
  plain.send(JSON.stringify({ type: 'subscribe', id: 'b', channels: ['breaking'] }))

  await tab.goto(`http://localhost:${port}/`)
  const seen = () => tab.evaluate(() => (globalThis as unknown as { seen: Seen }).seen)
  await tab.waitForFunction(() => (globalThis as unknown as { seen: Seen }).seen.states.includes('connected'), null, { timeout: 15_000 })
  assert.equal(handshakes.length, 1, JSON.stringify(handshakes))
  const url = new URL(handshakes[0]?.url ?? '')
  assert.equal(url.searchParams.get('batch'), '1')
  assert.equal(url.searchParams.get('deflate'), '1', 'the browser asks for compressed batches')
  assert.equal(handshakes[0]?.extensions, 'permessage-deflate; server_no_context_takeover; client_no_context_takeover')

  const framed0 = await wsCounter(fanout.url, 'newswire_fanout_bytes_sent_total')
  const wire0 = await wsCounter(fanout.url, 'newswire_fanout_wire_bytes_sent_total')
  const n = 200
  const ids = Array.from({ length: n }, (_, i) => `burst-${i}`)
  await publishBatch(
    ingest.url,
    ids.map((id, i) => article(id, { urgency: 1, headline: `শিরোনাম ${i}`, body: [`অনুচ্ছেদ ${i}: `.repeat(30)] })),
  )
  await tab.waitForFunction((n) => (globalThis as unknown as { seen: Seen }).seen.ids.length >= n, n, { timeout: 30_000 })
  const deadline = Date.now() + 15_000
  while (plainIds.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  await new Promise((r) => setTimeout(r, 300))
  const got = await seen()
  assert.equal(got.ids.length, n, 'every event once')
  assert.deepEqual(got.ids, plainIds, 'in the order the plain reader got them')
  assert.deepEqual([...got.ids].sort(), [...ids].sort())
  assert.ok(!got.states.includes('reconnecting'), `one connection throughout: ${got.states}`)
  // both readers' bytes: the page's compressed, the plain reader's as they are
  const framed = (await wsCounter(fanout.url, 'newswire_fanout_bytes_sent_total')) - framed0
  const wire = (await wsCounter(fanout.url, 'newswire_fanout_wire_bytes_sent_total')) - wire0
  assert.ok(framed > 0 && wire < framed * 0.7, `wire ${wire} B of ${framed} B framed`)
  assert.deepEqual(errors, [])
})
