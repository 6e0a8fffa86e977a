// The client SDK's browser recipe (services/client/README.md, its browser block as written, the
// fan-out's address put in) on a news site's page, in Debian's Chromium with its back/forward cache
// on, against real ingest, Kafka and fan-out (red24c attack run, 2026-12-07). The reader goes to
// another page of the site, a headline on the list is killed, and the reader comes Back to the
// page restored from the cache: it showed the killed headline as it was left until the stream had
// resumed and sent the kill. The embeds go into the cache empty (red8); the recipe said nothing.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { build } from 'esbuild'
import { article, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { startTestIngest, uniquePrefix } from '../helpers.ts'
import { launchWithBackForwardCache, openPage, repoRoot, serve } from './helpers.ts'

const marker = '<!-- services/client/test/red24c-rendered-position.kafka.test.ts runs this browser block as written -->'

/** The README's browser block, the fan-out's address in place of the example's. */
function browserBlock(fanoutUrl: string): string {
  const readme = readFileSync(join(repoRoot, 'services', 'client', 'README.md'), 'utf8')
  const at = readme.indexOf(marker)
  assert.ok(at >= 0, 'the README marks its browser block')
  const code = /```js\n([\s\S]*?)```/.exec(readme.slice(at))?.[1] ?? ''
  assert.ok(code.includes("'wss://news.example'"), 'the block connects to the example address')
  return code.replace("'wss://news.example'", JSON.stringify(fanoutUrl))
}

/** The site's own list functions, which the recipe calls. */
const SITE_SCRIPT = `
const list = () => document.querySelector('#headlines')
const item = (a) => {
  const li = document.createElement('li')
  li.textContent = a.headline
  li.dataset.id = a.id
  return li
}
window.upsertArticle = (a) => {
  const old = list().querySelector('[data-id="' + a.id + '"]')
  if (old) old.replaceWith(item(a))
  else list().prepend(item(a))
}
window.removeArticle = (id) => list().querySelector('[data-id="' + id + '"]')?.remove()
window.replaceAllArticles = (all) => list().replaceChildren(...all.map(item))
window.showStatus = (state) => { document.body.dataset.state = state }
`

test("the SDK's browser recipe: Back to a page restored from the back/forward cache never shows a headline killed meanwhile", {
  timeout: 120_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const story = (id: string, headline: string) => article(id, { language: 'bn', category: 'international', urgency: 1, headline })
  await publish(ingest.url, story('r24-bf-x', 'Minister resigns'))

  const bundle = await build({
    entryPoints: [join(repoRoot, 'services', 'client', 'src', 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  })
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>News</title></head><body>
<ul id="headlines"></ul><a id="away" href="/elsewhere">Elsewhere</a>
<script>${SITE_SCRIPT}</script>
<script type="module">${browserBlock(fanout.url)}</script></body></html>`
  const port = await serve(t, (req, res) => {
    if (req.url === '/newswire-client.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' })
      res.end(bundle.outputFiles[0]?.text ?? '')
    } else if (req.url === '/elsewhere') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end('<!doctype html><title>Elsewhere</title><p>Another page of the site.</p>')
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(html)
    }
  })

  const browser = await launchWithBackForwardCache(t)
  const { page, errors } = await openPage(browser, 390, 844)
  await page.goto(`http://127.0.0.1:${port}/`)
  await page.waitForSelector('#headlines [data-id="r24-bf-x"]')
  // what the reader sees the moment the page comes back
  await page.evaluate(() => {
    const w = window as unknown as { restored: boolean; shownOnRestore: boolean | null }
    w.restored = false
    w.shownOnRestore = null
    addEventListener('pageshow', (e) => {
      w.restored = e.persisted
      const l = document.querySelector<HTMLElement>('#headlines')
      w.shownOnRestore = l !== null && !l.hidden && l.querySelector('[data-id="r24-bf-x"]') !== null
    })
  })

  await page.click('#away')
  await page.waitForURL(/elsewhere/)
  await withdraw(ingest.url, 'r24-bf-x', 'legal: the resignation was never offered')
  await publish(ingest.url, story('r24-bf-y', 'Port reopens'))
  await new Promise((r) => setTimeout(r, 1000))

  await page.goBack({ waitUntil: 'commit' })
  await page.waitForFunction(() => (window as unknown as { shownOnRestore: boolean | null }).shownOnRestore !== null)
  assert.equal(await page.evaluate(() => (window as unknown as { restored: boolean }).restored), true, 'restored from the cache')
  assert.equal(
    await page.evaluate(() => (window as unknown as { shownOnRestore: boolean }).shownOnRestore),
    false,
    'the killed headline shows on the page restored from the cache',
  )
  // then the stream: the story published since, and the list shown again
  await page.waitForSelector('#headlines:not([hidden]) [data-id="r24-bf-y"]')
  assert.equal(await page.locator('#headlines [data-id="r24-bf-x"]').count(), 0)
  assert.deepEqual(errors, [])
})
