// The README's integration recipe for a news site, run as written against the real thing (red24c
// attack run, 2026-12-07): its server block (the SDK in Node rendering the headlines with the
// position of that list) and its browser block (the page's script). The page is served twice from
// one cached render, as a site's cache or a CDN does; between the two visits a story on it is
// killed. The browser block once resumed from a position it kept in localStorage after every event
// (saved by the first visit, after the kill): the second visit's copy still listed the story, and
// the resume never sent its kill again, so the killed headline stayed on the page for good.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { article, publish, startTestFanout, withdraw } from '../../fanout/test/helpers.ts'
import { sleep, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { type Client, type ConnectOptions, connect } from '../src/index.ts'

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8')

/** The fenced block right after the README's marker for `which`, its imports taken out (the test passes them in). */
function block(which: 'server' | 'browser'): string {
  const at = readme.indexOf(`<!-- services/client/test/red24c-rendered-position.kafka.test.ts runs this ${which} block as written -->`)
  assert.ok(at >= 0, `the README marks its ${which} block`)
  const code = /```js\n([\s\S]*?)```/.exec(readme.slice(at))?.[1]
  assert.ok(code, `a js block follows the ${which} marker`)
  return code.replace(/^import .*$/gm, '').replace(/^export /gm, '')
}

async function until(pred: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

type Article = { id: string; headline: string }

/** The README's browser block in a page made of `html` (the server's render), with the browser's shared localStorage. */
function openPage(t: { after(fn: () => unknown): void }, html: string, storage: Map<string, string>, to: (o: ConnectOptions) => Client) {
  const list = /<ul id="headlines" data-newswire-position="([^"]*)">/.exec(html)
  assert.ok(list, 'the render holds the list')
  const shown = new Map([...html.matchAll(/<li data-id="([^"]+)">([^<]*)<\/li>/g)].map((m) => [m[1] as string, m[2] as string]))
  const document = { querySelector: (q: string) => (q === '#headlines' ? { dataset: { newswirePosition: list[1] } } : null) }
  const localStorage = {
    getItem: (k: string) => storage.get(k) ?? null,
    setItem: (k: string, v: string) => storage.set(k, String(v)),
  }
  const page = {
    upsertArticle: (a: Article) => shown.set(a.id, a.headline),
    removeArticle: (id: string) => shown.delete(id),
    replaceAllArticles: (all: Article[]) => {
      shown.clear()
      for (const a of all) shown.set(a.id, a.headline)
    },
    showStatus: () => {},
  }
  const run = new Function(
    'connect',
    'document',
    'localStorage',
    'upsertArticle',
    'removeArticle',
    'replaceAllArticles',
    'showStatus',
    'addEventListener',
    `${block('browser')}\nreturn client`,
  )
  const client = run(
    (_url: string, o: ConnectOptions) => to(o),
    document,
    localStorage,
    page.upsertArticle,
    page.removeArticle,
    page.replaceAllArticles,
    page.showStatus,
    () => {}, // no page lifecycle in Node: red24c-sdk-recipe-bfcache.kafka.browser.test.ts has it in Chromium
  ) as Client
  t.after(() => client.close())
  return { client, shown }
}

for (const transport of ['websocket', 'sse'] as const) {
  test(`the README's site recipe over ${transport}: a page served from a cached render after a kill takes the killed headline down`, {
    timeout: 90_000,
  }, async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    // stories in the recipe's view: breaking, international, Bengali
    const story = (id: string, headline: string) => article(id, { language: 'bn', category: 'international', urgency: 1, headline })
    const to = (o: ConnectOptions) => connect(fanout.url, { ...o, WebSocket, transport, backoff: { minMs: 50, maxMs: 200 } })

    await publish(ingest.url, story('r24-x', 'Minister resigns'))
    // the site's server: the README's server block, run as written
    const server = new Function('connect', 'WebSocket', 'process', `${block('server')}\nreturn { client, renderHeadlines }`)(
      (_url: string, o: ConnectOptions) => to(o),
      WebSocket,
      { env: {} },
    ) as { client: Client; renderHeadlines: () => string }
    t.after(() => server.client.close())
    await until(() => server.renderHeadlines().includes('r24-x'), 'the server to render the story')
    const cached = server.renderHeadlines() // what the site's cache (or a CDN) keeps and serves

    // the first visit: the page's script goes live; the story is killed, a new one comes
    const storage = new Map<string, string>() // the browser's localStorage, one for every tab of the site
    const first = openPage(t, cached, storage, to)
    assert.ok(first.shown.has('r24-x'), 'the render shows the story')
    await until(() => first.client.state === 'connected', 'the first visit to connect')
    await withdraw(ingest.url, 'r24-x', 'legal: the resignation was never offered')
    await until(() => !first.shown.has('r24-x'), 'the first visit to hear of the kill')
    await publish(ingest.url, story('r24-y', 'Port reopens'))
    await until(() => first.shown.has('r24-y'), 'the first visit to show the next story')
    await first.client.close()
    assert.ok(!server.renderHeadlines().includes('r24-x'), "the server's own render leaves the killed story out")

    // the second visit, within the cache's lifetime: the same cached render, the same browser
    const second = openPage(t, cached, storage, to)
    assert.ok(second.shown.has('r24-x'), 'the cached copy still lists the story: only the stream can take it down')
    await until(() => second.client.state === 'connected', 'the second visit to connect')
    await publish(ingest.url, story('r24-z', 'Flights resume'))
    await until(() => second.shown.has('r24-z'), 'the second visit to be live past the kill')
    assert.ok(!second.shown.has('r24-x'), 'the killed headline is taken down on the page served from the cache')
    assert.ok(second.shown.has('r24-y'), 'and the story published since the render comes')
  })
}
