// red21d attack run (2026-12-06): the countdowns an editor reads on the dashboard. An editor
// deciding whether to hold or kill something before it goes out reads "in 25 min" as the time
// left. No broker: a fake fan-out (test/browser/fake-desk-fanout.ts), the real dashboard bundle,
// the page's clock driven by Playwright.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { clockNote, offsetOf } from '../../services/fanout/web/server-clock.ts'
import { deskEntry, deskStory, fakeDeskFanout } from './fake-desk-fanout.ts'
import { launch, openDashboard, openPage, servePages } from './helpers.ts'

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

test("this computer's clock 10 minutes slow: the desk's countdowns count by the fan-out's clock, and the header says so (red21d)", async (t) => {
  const t0 = Date.now()
  // the fan-out releases at `until` by its own clock (Node's here, in the answers' Date)
  const until = t0 + 15 * MIN + 30_000
  const embargoed = { embargoedUntil: new Date(until).toISOString() }
  const site = await fakeDeskFanout(t, {
    desk: [deskStory('held', t0 - MIN, embargoed, { embargoed: true }), deskStory('blog', t0 - MIN, { live: true })],
    entries: { blog: [{ ...deskEntry('e1', 'blog', t0 - MIN, embargoed), embargoed: true }] },
  })
  const browser = await launch(t)
  const { page } = await openPage(browser, 1000, 900)
  // the editor's computer runs ten minutes slow
  await page.clock.install({ time: t0 - 10 * MIN })
  await openDashboard(page, site.url, 't')
  await page.waitForSelector('li[data-article-id="held"] .state-line', { timeout: 15_000 })
  await page.waitForSelector('button.open-story[data-story="blog"]', { timeout: 15_000 })
  await page.click('button.open-story[data-story="blog"]')
  await page.waitForSelector('#story-panel li.entry .state-line', { timeout: 15_000 })
  // the first reading of the fan-out's clock, then a tick of the desk
  await page.waitForTimeout(1000)
  await page.clock.fastForward(15_000)
  await page.waitForTimeout(300)
  const [list, panel, note] = await page.evaluate(() => [
    document.querySelector('li[data-article-id="held"] .state-line')?.textContent ?? '',
    document.querySelector('#story-panel li.entry .state-line')?.textContent ?? '',
    document.getElementById('clock-note')?.hidden ? '' : (document.getElementById('clock-note')?.textContent ?? ''),
  ])
  // 15.5 min away by the fan-out's clock (less the tick): "in 16 min", never the computer's "in 26 min"
  assert.match(list, /in 1[56] min/, `the list counts by this computer's clock: ${list}`)
  assert.match(panel, /in 1[56] min/, `the panel counts by this computer's clock: ${panel}`)
  assert.match(note, /10 min behind/, `the header says nothing of the clock: "${note}"`)
})

test('the fan-out answers the HEAD the dashboard reads its clock from with a Date (red21d)', async (t) => {
  const base = await servePages(t, 'red21d-date')
  const res = await fetch(`${base}/dashboard`, { method: 'HEAD', cache: 'no-store' })
  assert.equal(res.status, 200)
  const date = Date.parse(res.headers.get('date') ?? '')
  assert.ok(Math.abs(date - Date.now()) < 5000, `no usable Date: ${res.headers.get('date')}`)
})

test("reading the fan-out's clock from a Date: whole seconds and half the round trip are no difference; the header's words (red21d)", () => {
  const t = Date.parse('2026-12-06T22:00:00.000Z')
  // the same clock: a Date of the same second, whatever the milliseconds
  assert.equal(offsetOf(t, t + 900, t + 1000), 0)
  assert.equal(offsetOf(t - 1000, t - 100, t + 100), 0)
  // ten minutes behind
  const off = offsetOf(t + 10 * MIN, t, t + 200)
  assert.ok(Math.abs(off - 10 * MIN) < 1000, String(off))
  assert.equal(clockNote(0), '')
  assert.equal(clockNote(20_000), '')
  assert.equal(clockNote(off), "This computer's clock is 10 min behind the fan-out's: times here count by the fan-out's.")
  assert.match(clockNote(-45_000), /45 s ahead of/)
})

test("the open story's entries follow a change of the desk's zone, as the list does (red21d)", async (t) => {
  const t0 = Date.parse('2026-12-06T08:30:00Z')
  const until = t0 + 3 * 3_600_000
  const site = await fakeDeskFanout(t, {
    desk: [deskStory('blog', t0 - MIN, { live: true })],
    entries: { blog: [{ ...deskEntry('e1', 'blog', t0 - MIN, { embargoedUntil: new Date(until).toISOString() }), embargoed: true }] },
    serverNow: () => t0,
    zone: 'Asia/Dhaka',
  })
  const browser = await launch(t)
  const { page } = await openPage(browser, 1000, 900)
  await page.clock.install({ time: t0 })
  await openDashboard(page, site.url, 't')
  await page.waitForSelector('button.open-story[data-story="blog"]', { timeout: 15_000 })
  await page.click('button.open-story[data-story="blog"]')
  await page.waitForSelector('#story-panel li.entry .state-line', { timeout: 15_000 })
  const line = () => page.evaluate(() => document.querySelector('#story-panel li.entry')?.textContent ?? '')
  assert.match(await line(), /14:29/, 'the entry in Dhaka time')
  assert.match(await line(), /Embargoed until 17:30:00 Asia\/Dhaka/)
  // the editor picks UTC in the header (the dialog is modal: as the select's change would)
  await page.evaluate(() => {
    const select = document.getElementById('time-zone') as HTMLSelectElement
    select.value = 'UTC'
    select.dispatchEvent(new Event('change'))
  })
  await page.waitForTimeout(300)
  const text = await line()
  assert.match(text, /08:29/, `the entry's time is still in the zone left: ${text}`)
  assert.match(text, /Embargoed until 11:30:00 UTC/, text)
})
