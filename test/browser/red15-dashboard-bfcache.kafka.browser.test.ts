// The dashboard through an editor's Back (red15 attack run, 2026-12-06), in Debian's Chromium with
// its back/forward cache on, against real ingest, Kafka and fan-out: an editor watches the desk,
// goes to another site, and meanwhile a story is killed, one is held and one is put under embargo
// again. Back restores the page from the cache as it was left: each of those stories read as
// running until the SDK had reconnected and resumed (about a second), and an editor acting on
// that second (reading a killed story on air, passing it on) had been told it runs.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { signNewsroomToken } from '../../services/fanout/src/index.ts'
import { article, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { sleep, startTestIngest, uniquePrefix } from '../helpers.ts'
import { launchWithBackForwardCache, openDashboard, openPage, siteWith } from './helpers.ts'

const changed = ['bf-killed', 'bf-held', 'bf-embargoed'] as const

test('a dashboard restored from the back/forward cache never shows a story killed, held or embargoed again meanwhile as running', {
  timeout: 150_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: 600, sub: 'editor' })
  for (const id of ['bf-kept', ...changed]) await publish(ingest.url, article(id, { headline: `Story ${id}` }))
  const away = await siteWith(t, '<!doctype html><title>Away</title><a id="back" href="/">x</a>')

  const browser = await launchWithBackForwardCache(t)
  const { page, errors } = await openPage(browser, 1280, 1000)
  await openDashboard(page, fanout.url, token)
  await page.waitForSelector('#status[data-state=connected]', { timeout: 10_000 })
  for (const id of ['bf-kept', ...changed])
    await page.locator(`#feed li[data-article-id="${id}"][data-state=live]`).waitFor({ timeout: 10_000 })

  // Every moment the restored page says one of them runs, from the first task after the restore
  // (a string: the test's compiler names inner functions with a helper the page does not have)
  await page.evaluate(`(() => {
    window.restored = false
    window.sightings = []
    const stale = () => ${JSON.stringify(changed)}.filter((id) => document.querySelector('#feed li[data-article-id="' + id + '"][data-state=live]'))
    addEventListener('pageshow', (e) => {
      if (!e.persisted) return
      window.restored = true
      const at = performance.now()
      const look = () => {
        for (const id of stale()) window.sightings.push(id + '@' + Math.round(performance.now() - at))
        if (performance.now() - at < 5000) requestAnimationFrame(look)
      }
      look()
      requestAnimationFrame(look)
    })
  })()`)

  await page.goto(away)
  await withdraw(ingest.url, 'bf-killed', 'legal: wrong name')
  await publish(ingest.url, article('bf-held', { headline: 'Story bf-held', pubStatus: 'withheld' }))
  const later = new Date(Date.now() + 30 * 60_000).toISOString()
  await publish(ingest.url, article('bf-embargoed', { headline: 'Story bf-embargoed', embargoedUntil: later }))
  await sleep(1000)
  await page.goBack({ waitUntil: 'commit' })
  await page.waitForFunction(() => (window as unknown as { restored: boolean }).restored, null, { timeout: 10_000 })
  await sleep(5500)
  const sightings = await page.evaluate(() => (window as unknown as { sightings: string[] }).sightings)
  assert.deepEqual(
    sightings.length === 0 ? [] : [sightings[0], sightings.at(-1)],
    [],
    `the restored dashboard said a story runs that no longer does, first and last: ${sightings[0]} … ${sightings.at(-1)}`,
  )
  // and it shows the desk as it stands now
  await page.locator('#feed li[data-article-id="bf-killed"][data-state=withdrawn]').waitFor({ timeout: 10_000 })
  await page.locator('#feed li[data-article-id="bf-held"][data-state=withheld]').waitFor({ timeout: 10_000 })
  await page.locator('#feed li[data-article-id="bf-embargoed"][data-state=embargoed]').waitFor({ timeout: 10_000 })
  await page.locator('#feed li[data-article-id="bf-kept"][data-state=live]').waitFor({ timeout: 10_000 })
  assert.deepEqual(errors, [])
})

// A shared newsroom terminal: the editor opens the dashboard again in the same tab, signs out
// there ("Forget token"), and leaves. The next person presses Back: the first page, restored from
// the cache, held the desk and the token, and went on live with them (embargoed stories included).
test('Back to a dashboard after "Forget token" on a later page of the tab shows the sign-in form, nothing of the desk', {
  timeout: 150_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: 600, sub: 'editor' })
  const later = new Date(Date.now() + 30 * 60_000).toISOString()
  await publish(ingest.url, article('bf-merger', { headline: 'Merger agreed (embargoed)', embargoedUntil: later }))

  const browser = await launchWithBackForwardCache(t)
  const { page, errors } = await openPage(browser, 1280, 1000)
  await openDashboard(page, fanout.url, token)
  await page.locator('#feed li[data-article-id="bf-merger"][data-state=embargoed]').waitFor({ timeout: 10_000 })
  await page.evaluate(`(() => {
    window.restored = false
    window.sightings = []
    addEventListener('pageshow', (e) => {
      if (!e.persisted) return
      window.restored = true
      const at = performance.now()
      const look = () => {
        const shown = document.querySelector('#feed li[data-article-id]') != null || !document.querySelector('#app').hidden
        if (shown) window.sightings.push(Math.round(performance.now() - at))
        if (performance.now() - at < 4000) requestAnimationFrame(look)
      }
      look()
      requestAnimationFrame(look)
    })
  })()`)

  // the same tab opens the dashboard again (the token from this tab's storage) and signs out there
  await page.goto(`${fanout.url}/dashboard?again`)
  await page.waitForSelector('#status[data-state=connected]', { timeout: 10_000 })
  await page.click('#signout')
  await page.locator('#login:not([hidden])').waitFor({ timeout: 10_000 })
  await page.goBack({ waitUntil: 'commit' })
  await page.waitForFunction(() => (window as unknown as { restored: boolean }).restored, null, { timeout: 10_000 })
  await sleep(4500)
  const sightings = await page.evaluate(() => (window as unknown as { sightings: number[] }).sightings)
  assert.deepEqual(
    sightings.length === 0 ? [] : [sightings[0], sightings.at(-1)],
    [],
    `the desk showed on the restored page after "Forget token", from ${sightings[0]} ms to ${sightings.at(-1)} ms`,
  )
  assert.equal(await page.locator('#login').isHidden(), false, 'the sign-in form')
  const session = await page.evaluate(() => {
    const d = (globalThis as unknown as { newswireDashboard: { feed: { items: Map<string, unknown> }; client: () => unknown } })
      .newswireDashboard
    return { stories: d.feed.items.size, client: d.client() !== null }
  })
  assert.deepEqual(session, { stories: 0, client: false }, 'no story held, no stream open with the forgotten token')
  assert.deepEqual(errors, [])
})
