// The story embed in a single-page site (red24c attack run, 2026-12-07), in Debian's Chromium
// against real ingest, Kafka and fan-out. The site's router goes from one story to the next in
// place and, as React and the like do, keeps the embed's container and changes its
// `data-article`. The embed read its attributes once: it went on following the first story (its
// live feed, its banner) on the second story's page, and the second story's kill never reached
// the reader reading it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { article, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { http, startTestIngest, uniquePrefix } from '../helpers.ts'
import { launch, openPage, siteWith } from './helpers.ts'

const storyState = (page: Page) => page.locator('#newswire-story').getAttribute('data-story-state')
const feedIds = (page: Page) =>
  page
    .locator('#newswire-story')
    .evaluate((host) =>
      [...(host.shadowRoot?.querySelectorAll<HTMLElement>('.feed > article') ?? [])].map((a) => a.dataset.entryId).join(','),
    )

test("a single-page site that changes the container's data-article: the embed follows the new story and hears its kill", {
  timeout: 120_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const first = 'red24c-spa-live'
  const second = 'red24c-spa-next'
  await publish(ingest.url, article(first, { headline: 'Flood: live', live: true }))
  const put = await http(`${ingest.url}/v1/articles/${first}/entries/e1`, {
    method: 'PUT',
    json: { headline: 'Water rising', body: ['At the bridge.'] },
  })
  assert.ok(put.status === 200 || put.status === 201, put.text)
  await publish(ingest.url, article(second, { headline: 'Minister resigns' }))

  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Flood: live</title></head><body>
<h1 id="headline">Flood: live</h1><div id="newswire-story" data-article="${first}" data-live></div>
<script src="${fanout.url}/story.js" async></script></body></html>`
  const browser = await launch(t)
  const { page, errors } = await openPage(browser, 390, 844)
  await page.goto(await siteWith(t, html))
  await page.waitForFunction(
    () => (document.querySelector('#newswire-story')?.shadowRoot?.querySelectorAll('.feed > article').length ?? 0) === 1,
  )

  // the router shows the next story in place: the same container, another story
  await page.evaluate((id) => {
    const host = document.querySelector<HTMLElement>('#newswire-story')
    if (!host) throw new Error('no container')
    ;(document.querySelector('#headline') as HTMLElement).textContent = 'Minister resigns'
    host.removeAttribute('data-live')
    host.dataset.article = id
  }, second)
  await page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-state') === 'connected')
  assert.equal(await feedIds(page), '', "the first story's live feed is not shown on the second story's page")

  await withdraw(ingest.url, second, 'legal: the resignation was never offered')
  await page
    .waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-story-state') === 'withdrawn', null, {
      timeout: 10_000,
    })
    .catch(() => {})
  assert.equal(await storyState(page), 'withdrawn', 'the reader of the second story hears of its kill')

  // a container the router adds later mounts when the script runs again, as the README says
  await page.evaluate(
    ({ id, src }) => {
      const more = document.createElement('div')
      more.id = 'more'
      more.dataset.newswireStory = ''
      more.dataset.article = id
      document.body.append(more)
      const script = document.createElement('script')
      script.src = src
      document.body.append(script)
    },
    { id: first, src: `${fanout.url}/story.js` },
  )
  await page.waitForFunction(() => (document.querySelector('#more')?.shadowRoot?.querySelector('.nw') ?? null) !== null)
  await page.waitForFunction(() => document.querySelector('#more')?.getAttribute('data-state') === 'connected')
  assert.equal(await storyState(page), 'withdrawn', 'the first container is left as it was')
  assert.deepEqual(errors, [])
})
