// red24e attack run (2026-12-07): the story embed starts over when a single-page site's router
// changes its container's attributes (red24c), but only a container it mounted was watched. A
// router that takes `data-article` off between two stories (React renders `data-article={story?.id}`
// while the next story loads: the attribute is removed, then set) stopped the embed on the
// removal, found no story to follow and watched no more: the next story, killed before the reader
// came, was shown by the site's page with no word from the embed. Debian's Chromium against real
// ingest, Kafka and fan-out.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { article, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { startTestIngest, uniquePrefix } from '../helpers.ts'
import { launch, openPage, siteWith } from './helpers.ts'

test('a router that takes data-article off between two stories: the embed follows the next one and says it is not available', {
  timeout: 120_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const first = 'red24e-spa-first'
  const second = 'red24e-spa-killed'
  await publish(ingest.url, article(first, { headline: 'Budget passes' }))
  await publish(ingest.url, article(second, { headline: 'Minister resigns' }))
  await withdraw(ingest.url, second, 'legal: the resignation was never offered')

  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Budget passes</title></head><body>
<h1 id="headline">Budget passes</h1><div id="newswire-story" data-article="${first}"></div>
<script src="${fanout.url}/story.js" async></script></body></html>`
  const browser = await launch(t)
  const { page, errors } = await openPage(browser, 390, 844)
  await page.goto(await siteWith(t, html))
  await page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-state') === 'connected')
  assert.equal(await page.locator('#newswire-story').getAttribute('data-story-state'), 'current')

  // the router leaves the story: the attribute goes while the next one loads, then comes back
  await page.evaluate(() => document.querySelector('#newswire-story')?.removeAttribute('data-article'))
  await page.waitForTimeout(200)
  await page.evaluate((id) => {
    ;(document.querySelector('#headline') as HTMLElement).textContent = 'Minister resigns'
    ;(document.querySelector('#newswire-story') as HTMLElement).dataset.article = id
  }, second)
  await page
    .waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-story-state') === 'unavailable', null, {
      timeout: 10_000,
    })
    .catch(() => {})
  const state = await page.locator('#newswire-story').evaluate((host) => ({
    story: host.getAttribute('data-story-state'),
    banner: host.shadowRoot?.querySelector<HTMLElement>('.banner')?.dataset.state ?? null,
  }))
  assert.equal(state.story, 'unavailable', `the killed story's page says nothing: ${JSON.stringify(state)}`)
  assert.deepEqual(errors, [])
})
