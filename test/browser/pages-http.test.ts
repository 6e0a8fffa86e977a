// The pages over plain HTTP, without a broker or a browser: the /ticker and /story snippets cannot
// be poisoned through the Host header, static assets are precompressed (brotli, gzip) with an
// ETag per encoding, and ticker.js and story.js stay within their size budgets.
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test, type TestContext } from 'node:test'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { createPages, embedBase, negotiate, type PagesOptions } from '../../services/fanout/src/pages.ts'
import { testLogger } from '../helpers.ts'
import { serve } from './helpers.ts'

/**
 * Budget for ticker.js as sent, with either encoding. Issue 15 set 12 KiB "for today's features";
 * the live-story protocol (issue 17) adds about 250 bytes gzip to every client (the hooks its
 * support plugs into, the `entries` option), which took gzip past it: 12.5 KiB since. The fixes
 * of the 2026-12-04 attack runs to changing a view (`update()` starts the new view from its
 * snapshot, and a replaced SSE stream keeps its connect deadline) took it past that by 31 bytes:
 * 12.75 KiB since. The red8 attack run's page-lifecycle fixes (the back/forward cache, the live
 * region emptied on a kill, the SDK reconnecting on `online`) took it past that by 66 bytes:
 * 13 KiB since. Compressed batches (issue 18: a browser's SDK asks `deflate=1`, which costs
 * its CPU 0.38-0.44 of plain frames in a burst) took it past that by 35 bytes (13,284 -> 13,347
 * gzip): 13.25 KiB since. Brotli, which browsers ask for over HTTPS, is still under 12 KiB.
 * 13.5 KiB since the red18 attack run's fix to the duplicate filter (a withdrawal decided on an
 * older version forgets the newer one a page ahead of the stream gave: a public story was lost for
 * good otherwise) took it past 13.25 KiB by 35 bytes (13,563 -> 13,603 gzip). 13.75 KiB since the
 * newsroom token left the stream's URL (91 bytes) and the red21d attack run's fix (a page's item
 * no longer embargoed taken as the release a gap shed) took it past 13.5 KiB by 3 bytes (13,731 ->
 * 13,827 gzip). 14 KiB since the red26a attack run's fix (a legal erasure's `withdrawn` after a
 * kill delivered, once: a desk that keeps killed stories kept the text of one withdrawn, then
 * erased) took it past 13.75 KiB by 36 bytes (14,070 -> 14,116 gzip).
 */
const TICKER_BUDGET_BYTES = 14 * 1024
/**
 * Budget for story.js (issue 17): the client with both live-story followers, the banner and the
 * feed. 20.25 KiB since compressed batches took it past 20 KiB by 36 bytes (20,458 -> 20,516 gzip).
 * 20.5 KiB since the red14 attack run's fixes (kills and deletions kept across a reset, pages that
 * wait for the stream's first position) took it past 20.25 KiB by 122 bytes (20,687 -> 20,858 gzip).
 * 20.75 KiB since the red16 attack run's fixes (a check of its own for every ping, 12 bytes; a page
 * failed for good showing none of what it was sent, 18 bytes) took it past 20.5 KiB by 9 bytes
 * (20,971 -> 21,001 gzip). 21 KiB since the red18 attack run's fixes (a killed story's entries
 * never delivered again, a held entry's deletion at once, withdrawals after a guess, stale stand-ins
 * on pages, re-paging after a gap, the duplicate filter's stale withdrawals) took it past 20.75 KiB
 * by 24 bytes (21,202 -> 21,272 gzip). 21.25 KiB since a newsroom token left the stream's URL
 * (a subprotocol on the WebSocket, Authorization on SSE, `?token=` kept for an injected
 * EventSource and a token no subprotocol can carry) took it past 21 KiB by 65 bytes (21,489 ->
 * 21,569 gzip); ticker.js took 91 bytes of its 93 to spare (13,731 -> 13,822).
 * The red21d attack run's fix (a page's item no longer embargoed, of the version held under
 * embargo, taken as its release after a gap shed it) added its bytes within it. 21.5 KiB since
 * the red24c attack run's fix (an embed whose container a single-page site gives another story
 * starts over for it, 115 bytes; "not available" on any page, 23 bytes less) took it past 21.25 KiB
 * by 81 bytes (21,749 -> 21,841 gzip); its mounted mark on the element, not an attribute, 32 more,
 * and 31 of the ticker's last 34.
 */
const STORY_BUDGET_BYTES = 21.5 * 1024

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

async function servePages(
  t: TestContext,
  options: Omit<PagesOptions, 'log'> = {},
): Promise<(path: string, headers?: Record<string, string>, method?: string) => Promise<Reply>> {
  const pages = createPages({ log: testLogger('pages'), ...options })
  const port = await serve(t, (req, res) => {
    if (!pages.handle(req, res)) {
      res.writeHead(404)
      res.end()
    }
  })
  // node:http rather than fetch: fetch neither sends a Host of our choosing nor leaves the body encoded
  return (path, headers = {}, method = 'GET') =>
    new Promise<Reply>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      })
      req.on('error', reject)
      req.end()
    })
}

const snippetOf = (html: string) => /<code id="snippet">([^<]*)<\/code>/.exec(html)?.[1] ?? ''

test('Host poisoning: a forged Host never reaches another reader, and a malformed one is refused', async (t) => {
  const get = await servePages(t)
  // The attacker's own request may name their host: it is built for them and cached for nobody
  const forged = await get('/ticker?language=bn', { host: 'evil.example' })
  assert.equal(forged.status, 200)
  assert.match(snippetOf(forged.body.toString()), /src=&quot;\/\/evil\.example\/ticker\.js&quot;/)
  const honest = await get('/ticker?language=bn', { host: 'news.example:8082' })
  const snippet = snippetOf(honest.body.toString())
  assert.match(snippet, /src=&quot;\/\/news\.example:8082\/ticker\.js&quot;/)
  assert.doesNotMatch(honest.body.toString(), /evil/)
  assert.notEqual(honest.headers.etag, forged.headers.etag)
  // Markup or a path in Host: 400, nothing built from it
  for (const host of ['evil.example"><script>alert(1)</script>', 'evil.example/x', 'a b', 'user@evil.example']) {
    const r = await get('/ticker', { host })
    assert.equal(r.status, 400, host)
    assert.doesNotMatch(r.body.toString(), /evil|script/)
  }
})

test('Host poisoning: with FANOUT_PUBLIC_URL the snippet names it whatever the Host', async (t) => {
  const get = await servePages(t, { publicUrl: 'https://wire.news.example/embed/' })
  for (const host of ['evil.example', '127.0.0.1:8082', 'evil.example"><script>']) {
    const r = await get('/ticker?category=international', { host })
    assert.equal(r.status, 200, host)
    const html = r.body.toString()
    assert.match(snippetOf(html), /src=&quot;https:\/\/wire\.news\.example\/embed\/ticker\.js&quot;/)
    assert.match(snippetOf(html), /data-category=&quot;international&quot;/)
    assert.doesNotMatch(html, /evil/)
  }
  assert.equal(embedBase('https://wire.news.example/embed/', 'evil.example'), 'https://wire.news.example/embed')
  assert.equal(embedBase(null, 'News.Example:443'), '//news.example:443')
  assert.equal(embedBase(null, '[::1]:8082'), '//[::1]:8082')
  assert.equal(embedBase(null, undefined), null)
})

test('static assets: brotli or gzip by Accept-Encoding, an ETag per encoding, caching kept', async (t) => {
  const get = await servePages(t)
  const raw = await get('/ticker.js')
  assert.equal(raw.status, 200)
  assert.equal(raw.headers['content-encoding'], undefined)
  assert.equal(raw.headers.vary, 'Accept-Encoding')
  const br = await get('/ticker.js', { 'accept-encoding': 'gzip, deflate, br' })
  const gz = await get('/ticker.js', { 'accept-encoding': 'gzip;q=1, br;q=0' })
  assert.equal(br.headers['content-encoding'], 'br')
  assert.equal(gz.headers['content-encoding'], 'gzip')
  assert.deepEqual(brotliDecompressSync(br.body), raw.body)
  assert.deepEqual(gunzipSync(gz.body), raw.body)
  assert.equal(Number(br.headers['content-length']), br.body.length)
  const tags = [raw, br, gz].map((r) => String(r.headers.etag))
  assert.equal(new Set(tags).size, 3, `one ETag per encoding: ${tags.join(' ')}`)
  for (const r of [raw, br, gz]) {
    assert.match(String(r.headers['cache-control']), /^public, max-age=300, stale-while-revalidate=300$/)
    assert.equal(r.headers['cross-origin-resource-policy'], 'cross-origin')
    assert.match(String(r.headers['content-type']), /^text\/javascript/)
  }
  // Revalidation answers per encoding: the brotli ETag matches the brotli representation only
  const again = await get('/ticker.js', { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) })
  assert.equal(again.status, 304)
  assert.equal(again.body.length, 0)
  assert.equal(again.headers.etag, br.headers.etag)
  assert.equal((await get('/ticker.js', { 'accept-encoding': 'gzip', 'if-none-match': String(br.headers.etag) })).status, 200)
  const head = await get('/ticker.js', { 'accept-encoding': 'br' }, 'HEAD')
  assert.equal(head.body.length, 0)
  assert.equal(head.headers['content-length'], br.headers['content-length'])
  // The pages' scripts and stylesheets are compressed too; the pages keep their CSP
  for (const path of ['/dashboard.js', '/dashboard.css', '/dashboard']) {
    const r = await get(path, { 'accept-encoding': 'br' })
    assert.equal(r.headers['content-encoding'], 'br', path)
    assert.equal(r.headers['cache-control'], 'no-cache', path)
  }
  const dashboard = await get('/dashboard')
  assert.match(String(dashboard.headers['content-security-policy']), /default-src 'none'; script-src 'self'; style-src 'self'/)
})

test('negotiation follows q-values and falls back to identity', () => {
  const offered = ['identity', 'br', 'gzip'] as const
  assert.equal(negotiate('gzip, deflate, br, zstd', offered), 'br')
  assert.equal(negotiate('gzip', offered), 'gzip')
  assert.equal(negotiate('br;q=0, gzip;q=0.5', offered), 'gzip')
  assert.equal(negotiate('*', offered), 'br')
  assert.equal(negotiate('*;q=0', offered), 'identity')
  assert.equal(negotiate('deflate', offered), 'identity')
  assert.equal(negotiate(undefined, offered), 'identity')
  assert.equal(negotiate('br', ['identity', 'gzip']), 'identity')
})

test('the dashboard names the desk time zone it was configured with (escaped)', async (t) => {
  const get = await servePages(t, { deskTimeZone: 'Asia/Dhaka' })
  assert.match((await get('/dashboard')).body.toString(), /<meta name="newswire-desk-time-zone" content="Asia\/Dhaka">/)
  const none = await servePages(t)
  assert.match((await none('/dashboard')).body.toString(), /<meta name="newswire-desk-time-zone" content="">/)
})

for (const [script, budget] of [
  ['ticker.js', TICKER_BUDGET_BYTES],
  ['story.js', STORY_BUDGET_BYTES],
] as const) {
  test(`${script} size budget: ≤ ${budget} bytes compressed, as served`, async (t) => {
    const get = await servePages(t)
    const raw = (await get(`/${script}`)).body.length
    const gzip = (await get(`/${script}`, { 'accept-encoding': 'gzip' })).body.length
    const br = (await get(`/${script}`, { 'accept-encoding': 'br' })).body.length
    t.diagnostic(`${script}: ${raw} bytes minified, ${gzip} gzip, ${br} brotli (budget ${budget})`)
    assert.ok(gzip <= budget, `gzip ${gzip} > ${budget}`)
    assert.ok(br <= budget, `brotli ${br} > ${budget}`)
    assert.ok(br < gzip && gzip < raw / 2, `compression took effect: ${raw} → ${gzip} / ${br}`)
  })
}

test('the ticker carries no live-story code; story.js does', async (t) => {
  const get = await servePages(t)
  const ticker = (await get('/ticker.js')).body.toString()
  const story = (await get('/story.js')).body.toString()
  // the entry frame validation (entry-protocol.ts) and the follower's paging (follow-story.ts)
  for (const marker of ['malformed entryWithdrawn', 'followStory needs a client']) {
    assert.doesNotMatch(ticker, new RegExp(marker), marker)
    assert.match(story, new RegExp(marker), marker)
  }
})

test('/story: the demo story page, its snippet from the request, the id and attributes checked', async (t) => {
  const get = await servePages(t)
  const r = await get('/story?id=bd-2024-0817-port-fire&version=3&live=1&language=bn', { host: 'news.example:8082' })
  assert.equal(r.status, 200)
  const html = r.body.toString()
  assert.equal(
    snippetOf(html),
    '&lt;div id=&quot;newswire-story&quot; data-article=&quot;bd-2024-0817-port-fire&quot; data-version=&quot;3&quot; data-live data-language=&quot;bn&quot;&gt;&lt;/div&gt;\n&lt;script src=&quot;//news.example:8082/story.js&quot; async&gt;&lt;/script&gt;',
  )
  assert.match(html, /<div id="newswire-story" data-article="bd-2024-0817-port-fire" data-version="3" data-live data-language="bn"><\/div>/)
  assert.match(html, /<div class="page" lang="bn">/)
  assert.match(String(r.headers['content-security-policy']), /script-src 'self'/)
  // what cannot be an id or a version is left out, never echoed
  const bad = await get(`/story?id=${encodeURIComponent('"><script>alert(1)</script>')}&version=1e9&language=${encodeURIComponent('"x')}`)
  const badHtml = bad.body.toString()
  assert.equal(bad.status, 200)
  assert.doesNotMatch(badHtml, /alert|"x/)
  assert.match(badHtml, /<div id="newswire-story"><\/div>/, 'no story: the container is left unmounted')
  assert.equal((await get('/story', { host: 'evil.example/x' })).status, 400)
  // story.js is cached and loadable from other sites, like the ticker
  const js = await get('/story.js', { 'accept-encoding': 'br' })
  assert.equal(js.headers['cache-control'], 'public, max-age=300, stale-while-revalidate=300')
  assert.equal(js.headers['access-control-allow-origin'], '*')
  assert.equal((await get('/story-page.css')).status, 200)
})
