// red20 attack run (2026-12-06): the dashboard opened by another site's page (window.open, from a
// link an editor followed). That page kept a handle on the dashboard's window for as long as both
// were open, and could navigate it whenever it chose: the editor's tab, signed in, turned into the
// site's look-alike asking for the token again ("session expired"), which the editor pasted into a
// page that sends it on; the token then read the desk, embargoed stories included. The pages now
// answer with Cross-Origin-Opener-Policy: same-origin, so an opener of another origin has no
// handle on them (it reads as closed). Hardening: it takes the editor's paste on the look-alike.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { launch, openPage, serve, servePages } from './helpers.ts'

test('a page of another site that opened the dashboard cannot navigate it later (red20)', async (t) => {
  const fanout = await servePages(t, 'red20-pages')
  const port = await serve(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(
      req.url === '/look-alike'
        ? '<!doctype html><title>Newswire — newsroom</title><p>Session expired: paste your token again.</p>'
        : `<!doctype html><button id="open" onclick="window.desk = window.open('${fanout}/dashboard')">Newsroom</button>`,
    )
  })
  const site = `http://localhost:${port}`
  const browser = await launch(t)
  const { page } = await openPage(browser, 1000, 700)
  await page.goto(site)
  const [dashboard] = await Promise.all([page.context().waitForEvent('page'), page.click('#open')])
  await dashboard.waitForLoadState()
  await dashboard.fill('#token-input', 'a-newsroom-token')
  await dashboard.click('#login button[type=submit]')
  await dashboard.waitForSelector('#app:not([hidden])')

  const handle = await page.evaluate(`(() => {
    const closed = window.desk.closed
    try { window.desk.location.href = '${site}/look-alike' } catch (e) { return { closed, threw: String(e) } }
    return { closed, threw: null }
  })()`)
  await page.waitForTimeout(1500)
  t.diagnostic(`the opener's handle: ${JSON.stringify(handle)}`)
  assert.equal(new URL(dashboard.url()).origin, fanout, `the dashboard's tab was taken to ${dashboard.url()}`)
  assert.equal(await dashboard.locator('#app').isVisible(), true)
})
