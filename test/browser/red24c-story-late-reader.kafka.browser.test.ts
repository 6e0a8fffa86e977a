// The story embed on a site's story page as the fan-out README's snippet lets a site write it,
// without `data-version` (optional: a site's template need not know the version it shows), in
// Debian's Chromium against real ingest, Kafka and fan-out (red24c attack run, 2026-12-07). The
// site serves its page of the story from its cache (or a CDN) after the story was killed: the
// site's own headline and text are on the page. The embed's snapshot has no visible version, and it
// said so only on a page with `data-version`: without one, no banner, `data-story-state` stayed
// `current`, and the reader read the killed story on a page that said nothing. And a page the site
// saved as the browser drew it (a prerenderer) carried the embed's mounted mark, an attribute, so
// in it no embed ever started.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { article, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { sleep, startTestIngest, uniquePrefix } from '../helpers.ts'
import { launch, openPage, siteWith } from './helpers.ts'

const bannerText = (page: Page) =>
  page.locator('#newswire-story').evaluate((host) => {
    const b = host.shadowRoot?.querySelector<HTMLElement>('.banner')
    return b && !b.hidden ? (b.textContent ?? '') : ''
  })

for (const mode of ['article', 'live'] as const) {
  test(`a cached story page without data-version (${mode}), opened after the kill, tells the reader`, { timeout: 120_000 }, async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    const id = `red24c-late-${mode}`
    await publish(ingest.url, article(id, { headline: 'Minister resigns', live: mode === 'live' }))
    // the site rendered its page while the story ran, and keeps it in its cache
    const live = mode === 'live' ? ' data-live' : ''
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>Minister resigns</title></head><body>
<h1>Minister resigns</h1><p>The site's own text of the story.</p>
<div id="newswire-story" data-article="${id}"${live}></div>
<script src="${fanout.url}/story.js" async></script></body></html>`
    const url = await siteWith(t, html)
    await withdraw(ingest.url, id, 'legal: the resignation was never offered')
    await sleep(500) // the fan-out has read the kill

    const browser = await launch(t)
    const { page, errors } = await openPage(browser, 390, 844)
    await page.goto(url)
    await page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-state') === 'connected')
    await page
      .waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-story-state') !== 'current', null, {
        timeout: 5_000,
      })
      .catch(() => {})
    assert.equal(
      await page.locator('#newswire-story').getAttribute('data-story-state'),
      'unavailable',
      `the page shows the killed story and the embed says nothing (banner: '${await bannerText(page)}')`,
    )
    assert.match(await bannerText(page), /This story is not available at the moment/)
    assert.deepEqual(errors, [])
  })
}

test('a story page set up before its story runs says "not available", then takes the banner down when it comes', {
  timeout: 120_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const id = 'red24c-upcoming'
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Election night</title></head><body>
<h1>Election night</h1><div id="newswire-story" data-article="${id}" data-live></div>
<script src="${fanout.url}/story.js" async></script></body></html>`
  const browser = await launch(t)
  const { page, errors } = await openPage(browser, 390, 844)
  await page.goto(await siteWith(t, html))
  await page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-story-state') === 'unavailable')
  await publish(ingest.url, article(id, { headline: 'Election night: live', live: true }))
  await page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-story-state') === 'current')
  assert.equal(await bannerText(page), '', 'the story runs: nothing to say')
  assert.deepEqual(errors, [])
})

test('a page the site saved as the browser had drawn it (a prerendering snapshot), opened after the kill, tells the reader', {
  timeout: 120_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const id = 'red24c-snapshot'
  await publish(ingest.url, article(id, { headline: 'Minister resigns' }))
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Minister resigns</title></head><body>
<h1>Minister resigns</h1><p>The site's own text of the story.</p>
<div id="newswire-story" data-article="${id}"></div>
<script src="${fanout.url}/story.js" async></script></body></html>`
  const browser = await launch(t)
  // the site's prerenderer (react-snap, Rendertron and the like) loads the page and keeps its DOM
  const prerender = await openPage(browser, 390, 844)
  await prerender.page.goto(await siteWith(t, html))
  await prerender.page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-state') === 'connected')
  const saved = await prerender.page.content()
  await prerender.page.close()
  await withdraw(ingest.url, id, 'legal: the resignation was never offered')
  await sleep(500)

  const { page, errors } = await openPage(browser, 390, 844)
  await page.goto(await siteWith(t, saved))
  await page
    .waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-story-state') === 'unavailable', null, {
      timeout: 8_000,
    })
    .catch(() => {})
  assert.equal(
    await page.locator('#newswire-story').getAttribute('data-story-state'),
    'unavailable',
    `the saved page's embed never started (banner: '${await bannerText(page)}')`,
  )
  assert.deepEqual(errors, [])
})
