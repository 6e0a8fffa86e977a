// red21d attack run (2026-12-06): the desk's entry counts of a live story whose older entries could
// not be paged in (the page failed: a process behind, a timeout, an error). The desk follows each
// live story with the snapshot's latest 100 entries and pages the rest in; when a page failed, it
// showed the counts it had as the story's whole ("100 entries: 100 live" of 250, a withheld one
// among the rest), to an editor checking whether anything of the story is held. No broker: a fake
// fan-out (test/browser/fake-desk-fanout.ts) that answers no page, and the real dashboard bundle.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { countsText } from '../../services/fanout/web/story-panel.ts'
import { deskEntry, deskStory, fakeDeskFanout } from './fake-desk-fanout.ts'
import { launch, openDashboard, openPage } from './helpers.ts'

test("a live story whose older entries could not be paged in: the desk's counts say they are partial, on the list and in the panel (red21d)", async (t) => {
  const t0 = Date.now()
  const site = await fakeDeskFanout(t, {
    desk: [deskStory('blog', t0 - 60_000, { live: true })],
    entries: { blog: [{ ...deskEntry('e2', 'blog', t0 - 60_000), seq: 2 }] },
    entriesMore: { blog: 2 },
  })
  const browser = await launch(t)
  const { page } = await openPage(browser, 1000, 900)
  await openDashboard(page, site.url, 't')
  await page.waitForFunction(
    () => {
      const text = document.querySelector('li[data-article-id="blog"] .entry-counts')?.textContent ?? ''
      return text !== '' && !text.startsWith('Loading')
    },
    undefined,
    { timeout: 15_000 },
  )
  const line = await page.evaluate(() => document.querySelector('li[data-article-id="blog"] .entry-counts')?.textContent ?? '')
  assert.match(line, /at least 1 entry: 1 live; older entries could not be loaded/, `the counts read as the whole story: "${line}"`)
  await page.click('button.open-story[data-story="blog"]')
  await page.waitForSelector('#story-panel li.entry', { timeout: 15_000 })
  const panel = await page.evaluate(() => document.querySelector('#story-panel .counts')?.textContent ?? '')
  assert.match(panel, /^at least 1 entry: 1 live; older entries could not be loaded$/, panel)
})

test('the counts line: whole, or at least, when older entries could not be loaded (red21d)', () => {
  const c = { live: 98, embargoed: 0, withheld: 2, deleted: 0 }
  assert.equal(countsText(c), '100 entries: 98 live · 2 withheld')
  assert.equal(countsText(c, true), 'at least 100 entries: 98 live · 2 withheld; older entries could not be loaded')
})
