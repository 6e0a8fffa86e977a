// red21d attack run (2026-12-06): a dashboard refused for good (its reconnect closed with 1008
// once the operator changed the allowed origins, HTTP 403 or 400 from a proxy on SSE, an SSE
// stream held back twice) said "Disconnected: …" in its header and kept the whole desk on screen:
// every story by the state it had when the stream stopped, a story killed since reading `live`,
// one released since still "Embargoed until … · 5 min ago", the open live story's entries as they
// were. No kill, hold or release reaches a failed page any more (the SDK does not retry), so, as a
// failed embed (red16), it shows none of what it was sent, and says why. No broker: a fake
// fan-out (test/browser/fake-desk-fanout.ts) and the real dashboard bundle.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deskEntry, deskStory, fakeDeskFanout } from './fake-desk-fanout.ts'
import { launch, openDashboard, openPage } from './helpers.ts'

test('a dashboard refused for good (1008 on its reconnect): no story, state or entry left on screen as if current; it says why (red21d)', async (t) => {
  const t0 = Date.now()
  const site = await fakeDeskFanout(t, {
    desk: [
      deskStory('a', t0 - 60_000),
      deskStory('blog', t0 - 60_000, { live: true }),
      deskStory('held', t0 - 60_000, { embargoedUntil: new Date(t0 + 600_000).toISOString() }, { embargoed: true }),
    ],
    entries: { blog: [deskEntry('e1', 'blog', t0 - 60_000)] },
  })
  const browser = await launch(t)
  const { page } = await openPage(browser, 1000, 900)
  await openDashboard(page, site.url, 't')
  await page.waitForSelector('li[data-article-id="a"][data-state="live"]', { timeout: 15_000 })
  await page.click('button.open-story[data-story="blog"]')
  await page.waitForFunction(() => document.querySelector('#story-panel')?.textContent?.includes('1 entry: 1 live'), undefined, {
    timeout: 15_000,
  })
  site.restartRefusing()
  await page.waitForFunction(() => /origin not allowed/.test(document.body.textContent ?? ''), undefined, { timeout: 15_000 })
  await page.waitForTimeout(300)
  const seen = await page.evaluate(() => ({
    stories: [...document.querySelectorAll('#feed li[data-article-id]')].map(
      (li) => `${li.getAttribute('data-article-id')}:${li.getAttribute('data-state')}`,
    ),
    panel: (document.querySelector('#story-panel') as HTMLDialogElement | null)?.open
      ? (document.querySelector('#story-panel')?.textContent ?? '')
      : '',
    text: document.body.textContent ?? '',
  }))
  assert.deepEqual(seen.stories, [], `the failed desk still shows: ${seen.stories.join(', ')}`)
  assert.equal(seen.panel, '', 'the open story still shows its entries')
  assert.doesNotMatch(seen.text, /The story a|The entry e1/)
  assert.match(seen.text, /origin not allowed/)
  // Connect tries again with the same token; "Forget token" stays within reach and takes it
  assert.equal(await page.inputValue('#token-input'), 't')
  await page.click('#signout')
  assert.equal(await page.inputValue('#token-input'), '')
  assert.equal(await page.evaluate(() => sessionStorage.getItem('newswire.newsroomToken')), null)
})
