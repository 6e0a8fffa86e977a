// /dashboard and /ticker end to end in Debian's headless Chromium against real ingest, Kafka and
// fan-out: the Bengali sample through ingest shows up on both within a second, a withdrawal takes
// it off the ticker, and a fan-out restart on the same port is caught up with nothing missing.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import type { Page } from 'playwright-core'
import { signNewsroomToken } from '../../services/fanout/src/index.ts'
import { article, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { startTestIngest, uniquePrefix } from '../helpers.ts'
import { bengaliExpected, importBengali, launch, openDashboard, openPage, screenshot } from './helpers.ts'

const bn = (id: string, headline: string, urgency: number) =>
  article(id, { language: 'bn', headline, body: ['বিস্তারিত আসছে।'], category: 'international', urgency })

const ids = async (page: Page, selector: string): Promise<string[]> =>
  page.locator(selector).evaluateAll((els) => els.map((e) => e.getAttribute('data-article-id') ?? ''))

test('dashboard and ticker: live Bengali item within a second, withdrawal, fan-out restart caught up', { timeout: 60_000 }, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const port = new URL(fanout.url).port
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: 600, sub: 'browser-test' })
  const browser = await launch(t)

  const dash = await openPage(browser, 1280, 1000)
  const tick = await openPage(browser, 900, 420)
  await openDashboard(dash.page, fanout.url, token)
  await tick.page.goto(`${fanout.url}/ticker?category=international&language=bn`)
  await dash.page.waitForSelector('#status[data-state=connected]', { timeout: 10_000 })
  await tick.page.waitForSelector('#newswire-ticker[data-state=connected]', { timeout: 10_000 })
  // The token left the address bar for sessionStorage
  assert.equal(new URL(dash.page.url()).hash, '')

  const host = tick.page.locator('#newswire-ticker')
  const hostArticle = tick.page.locator('.host-article')
  const layout = async () => ({ height: (await host.boundingBox())?.height, below: (await hostArticle.boundingBox())?.y })
  const emptyLayout = await layout()
  assert.equal(emptyLayout.height, 48)

  // The Bengali sample, breaking (urgency 2), through ingest's scraped-page import
  const t0 = Date.now()
  await importBengali(ingest.url, 'bn-breaking-1', 2)
  const postMs = Date.now() - t0
  const dashItem = dash.page.locator('#feed li[data-article-id="bn-breaking-1"]')
  const tickItem = tick.page.locator('#newswire-ticker li[data-article-id="bn-breaking-1"]')
  await dashItem.waitFor({ timeout: 5000 })
  await tickItem.waitFor({ timeout: 5000 })
  const dashMs = Number(await dashItem.getAttribute('data-shown-at')) - t0
  const tickMs = Number(await tickItem.getAttribute('data-shown-at')) - t0
  assert.ok(dashMs < 1000, `dashboard showed it ${dashMs} ms after the POST`)
  assert.ok(tickMs < 1000, `ticker showed it ${tickMs} ms after the POST`)
  t.diagnostic(
    `POST → shown: dashboard ${dashMs} ms, ticker ${tickMs} ms (the POST took ${postMs} ms; ingestedAt → received ${await dashItem.locator('.latency').textContent()})`,
  )

  const headline = bengaliExpected.article.headline
  assert.equal(await dashItem.locator('.headline').textContent(), headline)
  assert.equal(await dashItem.locator('.headline').getAttribute('lang'), 'bn')
  assert.match((await dashItem.getAttribute('class')) ?? '', /\bbreaking\b/)
  assert.equal(await dashItem.getAttribute('data-state'), 'live')
  assert.equal(await dashItem.getAttribute('data-change'), 'new')
  assert.match((await tickItem.textContent()) ?? '', new RegExp(headline))
  // Times in the article's language: Bengali digits
  assert.match((await tickItem.locator('time').textContent()) ?? '', /[০-৯]/)
  assert.match((await dash.page.locator('#latency').textContent()) ?? '', /latency: \d+ ms/)

  // More of a newsroom's traffic: routine Bengali, English breaking, embargoed, updated
  await publish(ingest.url, bn('bn-routine', 'ঢাকায় আজ বৃষ্টির সম্ভাবনা', 5))
  await publish(ingest.url, article('en-breaking-intl', { category: 'international', urgency: 1, headline: 'Earthquake shakes the coast' }))
  const releaseAt = new Date(Date.now() + 10 * 60_000).toISOString()
  await publish(ingest.url, article('en-embargoed', { category: 'business', headline: 'Inflation report', embargoedUntil: releaseAt }))
  await publish(ingest.url, article('en-update', { category: 'politics', headline: 'Debate opens' }))
  await publish(ingest.url, article('en-update', { category: 'politics', headline: 'Debate opens in parliament' }))
  const updated = dash.page.locator('#feed li[data-article-id="en-update"][data-version="2"]')
  await updated.waitFor({ timeout: 5000 })
  await dash.page.locator('#feed li[data-article-id="en-embargoed"]').waitFor({ timeout: 5000 })
  assert.equal(await updated.getAttribute('data-change'), 'updated')
  assert.match((await updated.locator('.changed').textContent()) ?? '', /headline/)
  const embargoed = dash.page.locator('#feed li[data-article-id="en-embargoed"]')
  assert.equal(await embargoed.getAttribute('data-state'), 'embargoed')
  assert.match((await embargoed.locator('.state-line').textContent()) ?? '', /^Embargoed until /)
  assert.equal(await embargoed.locator('.state-line time').getAttribute('datetime'), releaseAt)
  // The last hour by editorial time: the Bengali sample (published in 2024) is not in it
  assert.equal(await dash.page.locator('#counts tr[data-category=international] td.n').textContent(), '2')
  // The ticker is bn + international + breaking only
  assert.deepEqual(await ids(tick.page, '#newswire-ticker li'), ['bn-breaking-1'])
  // Filters
  await dash.page.selectOption('#filter-language', 'bn')
  assert.deepEqual((await ids(dash.page, '#feed li[data-article-id]')).sort(), ['bn-breaking-1', 'bn-routine'])
  await dash.page.selectOption('#filter-language', '')
  await dash.page.selectOption('#filter-category', 'politics')
  assert.deepEqual(await ids(dash.page, '#feed li[data-article-id]'), ['en-update'])
  await dash.page.selectOption('#filter-category', '')
  await screenshot(tick.page, 'ticker-live.png')
  assert.deepEqual(await layout(), emptyLayout, 'the ticker moved the host page')

  // Withdraw: off the ticker, struck through on the dashboard
  await withdraw(ingest.url, 'bn-breaking-1', 'legal')
  await tickItem.waitFor({ state: 'detached', timeout: 5000 })
  await dash.page.locator('#feed li[data-article-id="bn-breaking-1"][data-state=withdrawn]').waitFor({ timeout: 5000 })
  const decoration = await dashItem.locator('.headline').evaluate((el) => getComputedStyle(el).textDecorationLine)
  assert.match(decoration, /line-through/)
  assert.deepEqual(await layout(), emptyLayout)

  // Network gone: the fan-out stops; both pages say so
  await fanout.close()
  await dash.page.waitForSelector('#status[data-state=reconnecting]', { timeout: 5000 })
  await tick.page.waitForSelector('#newswire-ticker[data-state=reconnecting]', { timeout: 5000 })
  assert.match((await dash.page.locator('#status').textContent()) ?? '', /^Reconnecting/)
  await screenshot(dash.page, 'dashboard-reconnecting.png')
  await screenshot(tick.page, 'ticker-reconnecting.png')
  // News goes on meanwhile
  await publish(ingest.url, bn('bn-down-1', 'চট্টগ্রাম বন্দরে সাত নম্বর বিপদ সংকেত', 1))
  await publish(ingest.url, article('en-update', { category: 'politics', headline: 'Debate opens in parliament; vote on Friday' }))
  await importBengali(ingest.url, 'bn-down-2', 1)
  // A new fan-out on the same address; the pages resume from their last position
  await startTestFanout(t, prefix, { FANOUT_PORT: port })
  await dash.page.locator('#feed li[data-article-id="bn-down-2"]').waitFor({ timeout: 30_000 })
  await tick.page.locator('#newswire-ticker li[data-article-id="bn-down-2"]').waitFor({ timeout: 30_000 })
  await dash.page.locator('#feed li[data-article-id="en-update"][data-version="3"]').waitFor({ timeout: 5000 })
  await dash.page.waitForSelector('#status[data-state=connected]', { timeout: 5000 })
  await tick.page.waitForSelector('#newswire-ticker[data-state=connected]', { timeout: 5000 })

  // Nothing missing, nothing twice
  const all = await ids(dash.page, '#feed li[data-article-id]')
  assert.deepEqual(
    [...all].sort(),
    ['bn-breaking-1', 'bn-down-1', 'bn-down-2', 'bn-routine', 'en-breaking-intl', 'en-embargoed', 'en-update'],
    `dashboard shows ${all.join(', ')}`,
  )
  // Newest publication first: the imported sample was published in 2024
  assert.deepEqual(await ids(tick.page, '#newswire-ticker li'), ['bn-down-1', 'bn-down-2'])
  assert.equal(await dash.page.locator('#feed li[data-article-id="bn-breaking-1"]').getAttribute('data-state'), 'withdrawn')
  assert.equal(await dash.page.locator('#counts tr[data-category=international] td.n').textContent(), '3')
  const stats = await dash.page.evaluate(() => {
    const d = (globalThis as unknown as { newswireDashboard: { client(): { stats: { reconnects: number; delivered: number } } | null } })
      .newswireDashboard
    return d.client()?.stats ?? null
  })
  assert.ok(stats && stats.reconnects >= 1, `stats: ${JSON.stringify(stats)}`)
  assert.deepEqual(await layout(), emptyLayout)

  await screenshot(dash.page, 'dashboard.png')
  await screenshot(tick.page, 'ticker.png')
  assert.deepEqual(dash.errors, [])
  assert.deepEqual(tick.errors, [])
  const cspViolations = [...dash.consoleErrors, ...tick.consoleErrors].filter((m) => /Content Security Policy/i.test(m))
  assert.deepEqual(cspViolations, [])
})
