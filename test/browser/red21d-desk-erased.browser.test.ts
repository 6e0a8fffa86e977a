// red21d attack run (2026-12-06): an erased story on the desk after a reload. Ingest's erasure is a
// kill without the content (the one version with an empty headline); the newsroom's snapshot holds
// it as killed, and the desk drew it as an empty line under "withdrawn": an editor checking that a
// legal removal went through could not tell it from another. No broker: a fake fan-out
// (test/browser/fake-desk-fanout.ts) and the real dashboard bundle.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deskStory, fakeDeskFanout } from './fake-desk-fanout.ts'
import { launch, openDashboard, openPage } from './helpers.ts'

test('an erased story in the snapshot reads "(erased: id)" under withdrawn, never an empty line (red21d)', async (t) => {
  const t0 = Date.now()
  const story = deskStory('gone', t0 - 60_000, { version: 3, headline: '', body: [], summary: null })
  const erased = { ...story, event: { ...story.event, type: 'WITHDRAWN', reason: 'legal removal' } }
  const site = await fakeDeskFanout(t, { desk: [erased, deskStory('a', t0 - 120_000)] })
  const browser = await launch(t)
  const { page } = await openPage(browser, 1000, 900)
  await openDashboard(page, site.url, 't')
  await page.waitForSelector('li[data-article-id="gone"]', { timeout: 15_000 })
  const [state, headline] = await page.evaluate(() => {
    const li = document.querySelector('li[data-article-id="gone"]')
    return [li?.getAttribute('data-state'), li?.querySelector('.headline')?.textContent ?? '']
  })
  assert.equal(state, 'withdrawn')
  assert.equal(headline, '(erased: gone)')
})
