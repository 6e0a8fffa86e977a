// The ticker through a reader's page lifecycle (red8 attack run, 2026-12-04), in Debian's Chromium
// against real ingest, Kafka and fan-out: what a screen reader is left with after a kill.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { article, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { startTestIngest, uniquePrefix } from '../helpers.ts'
import { hostPageWithTicker, launch, openPage } from './helpers.ts'

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
