// The ticker through a reader's page lifecycle (red8 attack run, 2026-12-04), in Debian's Chromium
// against real ingest, Kafka and fan-out: what a screen reader is left with after a kill; Back to
// a page restored from the back/forward cache; a resume the server refuses (a reset); the network
// coming back; a connection that dies without a word behind a proxy (the documented bound).
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { createConnection, createServer, type Socket } from 'node:net'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { article, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { sleep, startTestIngest, uniquePrefix } from '../helpers.ts'
import { hostPageWithTicker, launch, launchWithBackForwardCache, openPage, siteWith } from './helpers.ts'

/** Everything in the ticker's shadow root a screen reader can reach, hidden text included. */
const readable = (page: Page) => page.locator('#newswire-ticker').evaluate((host) => host.shadowRoot?.textContent ?? '')
const announced = (page: Page) =>
  page.locator('#newswire-ticker').evaluate((host) => host.shadowRoot?.querySelector('[aria-live=polite]')?.textContent ?? '')

test('a killed breaking story is left in no aria-live region of the ticker', { timeout: 120_000 }, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const hostUrl = await hostPageWithTicker(t, fanout.url, '<div id="newswire-ticker"></div>', '')
  const browser = await launch(t)
  const { page, errors } = await openPage(browser, 900, 300)
  await page.goto(hostUrl)
  await page.waitForSelector('#newswire-ticker[data-state=connected]', { timeout: 10_000 })

  // a breaking story new to this reader is announced...
  await publish(ingest.url, article('red8-sr', { urgency: 1, headline: 'Minister arrested over port deal' }))
  await page.waitForFunction(() => document.querySelector('#newswire-ticker')?.getAttribute('data-current') === 'red8-sr', null, {
    timeout: 10_000,
  })
  assert.equal(await announced(page), 'Breaking: Minister arrested over port deal')

  // ...then killed: it leaves the list, and a screen reader must not find it in the live region
  // either (read in browse mode, or still queued to be spoken)
  await withdraw(ingest.url, 'red8-sr', 'legal')
  await page.waitForFunction(
    () => !document.querySelector('#newswire-ticker')?.shadowRoot?.querySelector('li[data-article-id="red8-sr"]'),
    null,
    { timeout: 10_000 },
  )
  assert.doesNotMatch(
    await readable(page),
    /Minister arrested/,
    `the killed headline is still in the ticker for a screen reader: its live region says '${await announced(page)}'`,
  )
  assert.deepEqual(errors, [])
})

test('a ticker whose resume is refused (a reset) drops a story killed while it was away', { timeout: 120_000 }, async (t) => {
  // The server answers a position it cannot verify (here: signed with a key it no longer has) with
  // `reset` and a fresh snapshot, which has no kill to tell: the ticker must replace what it held
  // with the snapshot, not add to it (stop 42 mutation sweep: wt4, wl2 survived every other test)
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const port = new URL(fanout.url).port
  const hostUrl = await hostPageWithTicker(t, fanout.url, '<div id="newswire-ticker"></div>', '')
  const browser = await launch(t)
  const { page, errors } = await openPage(browser, 900, 300)
  await page.goto(hostUrl)
  await page.waitForSelector('#newswire-ticker[data-state=connected]', { timeout: 10_000 })
  await publish(ingest.url, article('reset-kept', { urgency: 1, headline: 'Floods close the Dhaka highway' }))
  await publish(ingest.url, article('reset-killed', { urgency: 1, headline: 'Minister arrested over port deal' }))
  await page.waitForFunction(
    () => document.querySelector('#newswire-ticker')?.shadowRoot?.querySelectorAll('li[data-article-id^="reset-"]').length === 2,
    null,
    { timeout: 10_000 },
  )

  await fanout.close()
  await page.waitForSelector('#newswire-ticker[data-state=reconnecting]', { timeout: 10_000 })
  await withdraw(ingest.url, 'reset-killed', 'legal')
  await startTestFanout(t, prefix, { FANOUT_PORT: port, FANOUT_POSITION_KEY: 'a-new-position-key-after-a-rotation' })
  await page.waitForSelector('#newswire-ticker[data-state=connected]', { timeout: 30_000 })
  // the reset comes right after the connection; a ticker that keeps the killed story keeps it for good
  await page
    .waitForFunction(
      () => !document.querySelector('#newswire-ticker')?.shadowRoot?.querySelector('li[data-article-id="reset-killed"]'),
      null,
      { timeout: 10_000 },
    )
    .catch(() => {})
  const ids = await page
    .locator('#newswire-ticker')
    .evaluate((host) => [...(host.shadowRoot?.querySelectorAll('li') ?? [])].map((li) => li.getAttribute('data-article-id')))
  assert.deepEqual(ids, ['reset-kept'], 'after the reset the ticker shows what runs now, and only that')
  assert.doesNotMatch(await readable(page), /Minister arrested/)
  assert.deepEqual(errors, [])
})

test('a ticker restored from the back/forward cache after a kill never shows the killed headline', { timeout: 120_000 }, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>News</title></head><body>
<div id="newswire-ticker"></div><a id="away" href="/elsewhere">Elsewhere</a>
<script src="${fanout.url}/ticker.js" async></script></body></html>`
  const url = await siteWith(t, html)
  const browser = await launchWithBackForwardCache(t)
  const { page, errors } = await openPage(browser, 900, 300)
  await page.goto(url)
  await page.waitForSelector('#newswire-ticker[data-state=connected]', { timeout: 10_000 })
  await publish(ingest.url, article('red8-bf-kept', { urgency: 1, headline: 'Floods close the Dhaka highway' }))
  await publish(ingest.url, article('red8-bf-killed', { urgency: 1, headline: 'Minister arrested over port deal' }))
  await page.waitForFunction(
    () => document.querySelector('#newswire-ticker')?.shadowRoot?.querySelectorAll('li[data-article-id^="red8-bf-"]').length === 2,
    null,
    { timeout: 10_000 },
  )
  // Every moment the restored page holds the killed headline, from the first task after the restore
  // (a string: the test's compiler names inner functions with a helper the page does not have)
  await page.evaluate(`(() => {
    window.restored = false
    window.sightings = []
    const killedShown = () =>
      document.querySelector('#newswire-ticker')?.shadowRoot?.querySelector('li[data-article-id="red8-bf-killed"]') != null
    addEventListener('pageshow', (e) => {
      if (!e.persisted) return
      window.restored = true
      const at = performance.now()
      if (killedShown()) window.sightings.push(0)
      const look = () => {
        if (killedShown()) window.sightings.push(Math.round(performance.now() - at))
        if (performance.now() - at < 5000) requestAnimationFrame(look)
      }
      requestAnimationFrame(look)
    })
  })()`)

  await page.click('#away')
  await page.waitForURL(/elsewhere/)
  await withdraw(ingest.url, 'red8-bf-killed', 'legal')
  await sleep(1000)
  await page.goBack({ waitUntil: 'commit' })
  await page.waitForFunction(() => (window as unknown as { restored: boolean }).restored, null, { timeout: 10_000 })
  await sleep(5500)
  const sightings = await page.evaluate(() => (window as unknown as { sightings: number[] }).sightings)
  assert.deepEqual(
    sightings.length === 0 ? [] : [sightings[0], sightings.at(-1)],
    [],
    `the killed headline was on the restored page from ${sightings[0]} ms to ${sightings.at(-1)} ms after the restore`,
  )
  // and the ticker still shows what runs
  await page.waitForFunction(
    () => document.querySelector('#newswire-ticker')?.shadowRoot?.querySelector('li[data-article-id="red8-bf-kept"]') != null,
    null,
    { timeout: 10_000 },
  )
  assert.deepEqual(errors, [])
})

test('a ticker hears of a kill as soon as the network is back, not at the end of its backoff', { timeout: 180_000 }, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const browser = await launch(t)
  const { page, errors } = await openPage(browser, 900, 300)
  // The longest delay of each backoff step (the SDK takes the page's Math.random): what a reader
  // after a few minutes offline waits at worst, made certain
  await page.addInitScript('Math.random = () => 0.999')
  await page.clock.install()
  await page.goto(await hostPageWithTicker(t, fanout.url, '<div id="newswire-ticker"></div>', ''))
  await page.waitForSelector('#newswire-ticker[data-state=connected]', { timeout: 10_000 })
  await publish(ingest.url, article('red8-offline', { urgency: 1, headline: 'Minister arrested over port deal' }))
  const item = page.locator('#newswire-ticker li[data-article-id="red8-offline"]')
  await item.waitFor({ timeout: 10_000 })

  // the laptop's network goes away for four minutes (by the page's clock)
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  const network = (offline: boolean) =>
    cdp.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
  await network(true)
  for (let i = 0; i < 16; i++) {
    await page.clock.fastForward('00:15')
    await sleep(150)
  }
  assert.equal(await page.locator('#newswire-ticker').getAttribute('data-state'), 'reconnecting')
  await withdraw(ingest.url, 'red8-offline', 'legal')
  await sleep(500)

  // back online: the page is told (`online`), and the ticker should not sit out the rest of a
  // 20 s backoff showing the killed headline
  await network(false)
  const back = Date.now()
  await item.waitFor({ state: 'detached', timeout: 30_000 })
  const ms = Date.now() - back
  assert.ok(ms < 3000, `the killed headline stayed ${ms} ms after the network came back`)
  assert.deepEqual(errors, [])
})

test('a ticker behind a proxy that silently stops forwarding hears of a kill within the documented bound (about 36 s; 45 s with room for a loaded machine)', {
  timeout: 180_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  // A TCP proxy in front of the fan-out; "silent" stops every connection made so far without a
  // FIN or RST either way (an idle-timeout on a middlebox, a network change); new ones go through
  const target = new URL(fanout.url)
  const pairs: { a: Socket; b: Socket; dead: boolean }[] = []
  const proxy = createServer((a) => {
    const b = createConnection(Number(target.port), target.hostname)
    const pair = { a, b, dead: false }
    pairs.push(pair)
    a.on('data', (d) => pair.dead || b.write(d))
    b.on('data', (d) => pair.dead || a.write(d))
    for (const s of [a, b]) s.on('error', () => {})
    a.on('close', () => pair.dead || b.destroy())
    b.on('close', () => pair.dead || a.destroy())
  })
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
  t.after(() => {
    for (const p of pairs) for (const s of [p.a, p.b]) s.destroy()
    proxy.close()
  })
  const proxied = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
  const browser = await launch(t)
  const { page, errors } = await openPage(browser, 900, 300)
  await page.goto(await hostPageWithTicker(t, proxied, '<div id="newswire-ticker"></div>', ''))
  await page.waitForSelector('#newswire-ticker[data-state=connected]', { timeout: 10_000 })
  await publish(ingest.url, article('red8-silent', { urgency: 1, headline: 'Minister arrested over port deal' }))
  const item = page.locator('#newswire-ticker li[data-article-id="red8-silent"]')
  await item.waitFor({ timeout: 10_000 })

  for (const p of pairs) p.dead = true
  await withdraw(ingest.url, 'red8-silent', 'legal')
  const killed = Date.now()
  await item.waitFor({ state: 'detached', timeout: 60_000 })
  const ms = Date.now() - killed
  assert.ok(ms < 45_000, `the killed headline stayed ${ms} ms`)
  assert.deepEqual(errors, [])
})
