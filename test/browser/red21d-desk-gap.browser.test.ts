// red21d attack run (2026-12-06): the desk after a `gap` that shed updates. A release (the same
// version, no longer embargoed, not breaking) goes in the routine lane, which the fan-out sheds
// for a connection behind; the desk asked for the newest page of its view again, and a story
// whose editorial time lay below that page (written in the morning for a release in the
// afternoon, on a busy desk) kept reading "Embargoed until … · 12 min ago" while the public read
// it, until a reload. No broker: a fake fan-out (test/browser/fake-desk-fanout.ts) and the real
// dashboard bundle.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deskStory, fakeDeskFanout } from './fake-desk-fanout.ts'
import { launch, openDashboard, openPage } from './helpers.ts'

test('a gap that shed updates: the desk starts over from a fresh snapshot, a story released meanwhile reads live (red21d)', async (t) => {
  const t0 = Date.now()
  const until = new Date(t0 - 60_000).toISOString()
  // written six hours ago, embargoed until a minute ago
  const held = deskStory('held', t0 - 6 * 3_600_000, { embargoedUntil: until }, { embargoed: true })
  const frames = { desk: [deskStory('new', t0 - 60_000), held] }
  const site = await fakeDeskFanout(t, frames)
  const browser = await launch(t)
  const { page } = await openPage(browser, 1000, 900)
  await openDashboard(page, site.url, 't')
  await page.waitForSelector('li[data-article-id="held"][data-state="embargoed"]', { timeout: 15_000 })
  // the fan-out released it; the release was shed, the desk is told of a gap
  frames.desk = [deskStory('new', t0 - 60_000), deskStory('held', t0 - 6 * 3_600_000, { embargoedUntil: until })]
  site.sendDesk({ type: 'gap', position: 'p3', shed: { routine: 1 }, conflated: 0 })
  await page.waitForSelector('li[data-article-id="held"][data-state="live"]', { timeout: 5_000 }).catch(() => undefined)
  const state = await page.evaluate(() => document.querySelector('li[data-article-id="held"]')?.getAttribute('data-state'))
  assert.equal(state, 'live', 'the desk still reads the story the public reads as embargoed')
  // once: a second gap within the window waits
  site.sendDesk({ type: 'gap', position: 'p4', shed: { routine: 1 }, conflated: 0 })
  await page.waitForTimeout(500)
  assert.equal(site.subscribes.filter((c) => c === 'all').length, 2)
})
