// red21d attack run (2026-12-06): the countdowns an editor reads on the dashboard. An editor
// deciding whether to hold or kill something before it goes out reads "in 25 min" as the time
// left. No broker: a fake fan-out (test/browser/fake-desk-fanout.ts), the real dashboard bundle,
// the page's clock driven by Playwright.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deskEntry, deskStory, fakeDeskFanout } from './fake-desk-fanout.ts'
import { launch, openDashboard, openPage } from './helpers.ts'

const MIN = 60_000

test("an open live story's entry under embargo: its countdown moves on with the clock, as the list's does (red21d)", async (t) => {
  const t0 = Date.now()
  const until = t0 + 25 * MIN + 30_000
  // the fan-out's clock (the answers' Date) moves on with the page's
  let ahead = 0
  const site = await fakeDeskFanout(t, {
    desk: [deskStory('blog', t0 - MIN, { live: true })],
    entries: { blog: [{ ...deskEntry('e1', 'blog', t0 - MIN, { embargoedUntil: new Date(until).toISOString() }), embargoed: true }] },
    serverNow: () => Date.now() + ahead,
  })
  const browser = await launch(t)
  const { page } = await openPage(browser, 1000, 900)
  ahead = t0 - Date.now()
  await page.clock.install({ time: t0 })
  await openDashboard(page, site.url, 't')
  await page.waitForSelector('button.open-story[data-story="blog"]', { timeout: 15_000 })
  await page.click('button.open-story[data-story="blog"]')
  const line = () => page.evaluate(() => document.querySelector('#story-panel li.entry .state-line')?.textContent ?? '')
  await page.waitForFunction(
    () => /in 26 min/.test(document.querySelector('#story-panel li.entry .state-line')?.textContent ?? ''),
    undefined,
    {
      timeout: 15_000,
    },
  )
  // twenty minutes on (the desk's 15 s tick redraws)
  ahead += 20 * MIN
  await page.clock.fastForward(20 * MIN)
  ahead += 15_000
  await page.clock.fastForward(15_000)
  await page.waitForTimeout(300)
  const text = await line()
  assert.match(text, /Embargoed until/, text)
  assert.match(text, /in 6 min/, `the panel still counts from when it drew the entry: ${text}`)
})
