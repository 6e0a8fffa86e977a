// The ticker across a fan-out outage longer than the SDK's `giveUpAfterMs` (ten minutes): it used to
// give up for good and keep its headlines, a killed one too, for as long as the tab stayed open
// (red6 attack run, 2026-12-04). The pages now keep trying (web/staying.ts). The page's clock is
// faked (Playwright) so that ten minutes pass in seconds.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { article, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { sleep, startTestIngest, uniquePrefix } from '../helpers.ts'
import { launch, openPage } from './helpers.ts'

test('a ticker that was offline for ten minutes still hears of a kill once the fan-out is back', { timeout: 120_000 }, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const port = new URL(fanout.url).port
  const browser = await launch(t)
  const tick = await openPage(browser, 900, 420)
  await tick.page.clock.install()
  await tick.page.goto(`${fanout.url}/ticker`)
  await tick.page.waitForSelector('#newswire-ticker[data-state=connected]', { timeout: 10_000 })

  await publish(ingest.url, article('red6-breaking', { urgency: 1, headline: 'Minister resigns' }))
  const item = tick.page.locator('#newswire-ticker li[data-article-id="red6-breaking"]')
  await item.waitFor({ timeout: 10_000 })

  // the fan-out is down for eleven minutes (by the page's clock)
  await fanout.close()
  await tick.page.waitForSelector('#newswire-ticker[data-state=reconnecting]', { timeout: 10_000 })
  for (let i = 0; i < 22; i++) {
    await tick.page.clock.fastForward('00:30')
    await sleep(150)
  }
  const stateWhileDown = await tick.page.locator('#newswire-ticker').getAttribute('data-state')

  // back, and the story is killed
  await startTestFanout(t, prefix, { FANOUT_PORT: port })
  await withdraw(ingest.url, 'red6-breaking', 'legal')
  for (let i = 0; i < 20; i++) {
    await tick.page.clock.fastForward('00:15')
    await sleep(250)
  }
  const shown = await item.count()
  const state = await tick.page.locator('#newswire-ticker').getAttribute('data-state')
  assert.equal(
    shown,
    0,
    `the killed story is still on the ticker: the embed's state was '${stateWhileDown}' after the outage and is '${state}' five minutes after the fan-out came back`,
  )
})
