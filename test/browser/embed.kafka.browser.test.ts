// The one-script embed on someone else's page (another origin, a strict CSP, hostile CSS, no
// framework), the pages' HTTP headers, and the dashboard's token handling, in headless Chromium.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { signNewsroomToken } from '../../services/fanout/src/index.ts'
import { article, publish, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { http, startTestIngest, uniquePrefix } from '../helpers.ts'
import { hostPageWithTicker, launch, openPage, screenshot } from './helpers.ts'

test('ticker.js on a foreign page: strict CSP, hostile CSS, fixed height, live and withdrawn', { timeout: 60_000 }, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  await publish(ingest.url, article('en-before', { urgency: 1, headline: 'Already breaking before the page loaded' }))

  // The host: another origin than the fan-out, nothing inline allowed
  const hostCss = `body { font: 40px/4 serif; color: red; } li, span, time { display: block; font-size: 50px !important; color: red !important; }
#newswire-ticker + p { margin: 0; }`
  const hostUrl = await hostPageWithTicker(
    t,
    fanout.url,
    '<div id="newswire-ticker" data-language="en"></div>\n<p id="after">Host content below the ticker.</p>',
    hostCss,
  )

  const browser = await launch(t)
  const { page, errors, consoleErrors } = await openPage(browser, 800, 400)
  await page.goto(hostUrl)
  const ticker = page.locator('#newswire-ticker')
  await page.waitForSelector('#newswire-ticker[data-state=connected]', { timeout: 10_000 })
  await page.locator('#newswire-ticker li[data-article-id="en-before"]').waitFor({ timeout: 5000 })
  const after = page.locator('#after')
  const before = { box: await ticker.boundingBox(), after: (await after.boundingBox())?.y }
  assert.equal(before.box?.height, 48)

  // Host CSS does not reach inside; the ticker's CSS (a constructed sheet, allowed under the CSP) applies
  const style = await page
    .locator('#newswire-ticker li[data-article-id="en-before"]')
    .evaluate((el) => ({ fontSize: getComputedStyle(el).fontSize, color: getComputedStyle(el).color }))
  assert.equal(style.fontSize, '15px')
  assert.notEqual(style.color, 'rgb(255, 0, 0)')
  assert.equal(await page.locator('#newswire-ticker [aria-live]').getAttribute('aria-live'), 'polite')
  assert.equal(await ticker.getAttribute('role'), 'region')

  await publish(ingest.url, article('en-live', { urgency: 2, headline: 'Live: second breaking item' }))
  await publish(ingest.url, article('en-routine', { urgency: 6, headline: 'Routine: not for the ticker' }))
  await page.locator('#newswire-ticker li[data-article-id="en-live"]').waitFor({ timeout: 5000 })
  const items = await page.locator('#newswire-ticker li').evaluateAll((els) => els.map((e) => e.getAttribute('data-article-id')))
  assert.deepEqual(items, ['en-live', 'en-before'])
  assert.deepEqual({ box: await ticker.boundingBox(), after: (await after.boundingBox())?.y }, before)

  // Withdrawn: gone; the ticker keeps its height
  const res = await http(`${ingest.url}/v1/articles/en-live/withdraw`, { method: 'POST', json: { reason: 'error' } })
  assert.equal(res.status, 200)
  await page.locator('#newswire-ticker li[data-article-id="en-live"]').waitFor({ state: 'detached', timeout: 5000 })
  assert.deepEqual({ box: await ticker.boundingBox(), after: (await after.boundingBox())?.y }, before)
  await screenshot(page, 'ticker-embedded.png')
  assert.deepEqual(errors, [])
  assert.deepEqual(
    consoleErrors.filter((m) => /Content Security Policy/i.test(m)),
    [],
  )
})

test('page headers, caching, and the dashboard token form', { timeout: 60_000 }, async (t) => {
  const prefix = uniquePrefix()
  const fanout = await startTestFanout(t, prefix)

  const dashboard = await http(`${fanout.url}/dashboard`, { key: null })
  assert.equal(dashboard.status, 200)
  assert.match(dashboard.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/)
  const csp = dashboard.headers.get('content-security-policy') ?? ''
  for (const d of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "style-src 'self'"]) {
    assert.ok(csp.includes(d), `CSP lacks ${d}: ${csp}`)
  }
  assert.equal(dashboard.headers.get('cache-control'), 'no-cache')
  assert.equal(dashboard.headers.get('referrer-policy'), 'no-referrer')

  const js = await http(`${fanout.url}/ticker.js`, { key: null })
  assert.equal(js.status, 200)
  assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/)
  assert.match(js.headers.get('cache-control') ?? '', /^public, max-age=300/)
  assert.equal(js.headers.get('cross-origin-resource-policy'), 'cross-origin')
  const etag = js.headers.get('etag') ?? ''
  assert.match(etag, /^"[0-9a-f]+(-br|-gz)?"$/)
  assert.ok(js.text.length < 80_000, `ticker.js is ${js.text.length} bytes`)
  const again = await http(`${fanout.url}/ticker.js`, { key: null, headers: { 'if-none-match': etag } })
  assert.equal(again.status, 304)
  assert.equal(again.text, '')
  const ticker = await http(`${fanout.url}/ticker?category=%22%3E%3Cscript%3E&language=bn`, { key: null })
  assert.equal(ticker.status, 200)
  assert.ok(!ticker.text.includes('"><script>'), 'query values are escaped into the page')
  assert.equal((await http(`${fanout.url}/nope`, { key: null })).status, 404)

  const browser = await launch(t)
  const { page, errors } = await openPage(browser, 1000, 700)
  // No token: the form; a rejected token: the form again, with the reason
  await page.goto(`${fanout.url}/dashboard`)
  await page.waitForSelector('#login:not([hidden])')
  await page.fill('#token-input', 'not-a-token')
  await page.click('#login button[type=submit]')
  await page.waitForSelector('#login:not([hidden])', { timeout: 10_000 })
  assert.match((await page.locator('#login-error').textContent()) ?? '', /rejected/)
  assert.equal(await page.evaluate(() => sessionStorage.getItem('newswire.newsroomToken')), null)
  // A good one from the form: connected, kept for this tab
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: 600 })
  await page.fill('#token-input', token)
  await page.click('#login button[type=submit]')
  await page.waitForSelector('#status[data-state=connected]', { timeout: 10_000 })
  await page.reload()
  await page.waitForSelector('#status[data-state=connected]', { timeout: 10_000 })
  assert.deepEqual(errors, [])
})
