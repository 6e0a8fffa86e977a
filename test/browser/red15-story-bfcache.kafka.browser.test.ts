// The story embed's banner through a reader's Back (red15 attack run, 2026-12-06), in Debian's
// Chromium with its back/forward cache on, against real ingest, Kafka and fan-out. The banner
// quotes the newsroom's correction notes ("Correction: …"), text of the story's versions. A reader
// leaves, the story is killed (a note that named the wrong man is a legal kill's usual reason),
// and Back restored the page as it was: the note showed until the resume brought the kill (about
// a second), the one thing of a killed story's text the red8 fixes (the ticker's headlines, the
// live feed's entries) had left on a restored page.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { article, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { sleep, startTestIngest, uniquePrefix } from '../helpers.ts'
import { launchWithBackForwardCache, openPage, siteWith } from './helpers.ts'

const NOTE = 'An earlier version named the wrong official.'

for (const mode of ['article', 'live'] as const) {
  test(`a story embed (${mode}) restored from the back/forward cache never shows a killed story's correction note`, {
    timeout: 120_000,
  }, async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    const id = `red15-bf-${mode}`
    const live = mode === 'live'
    await publish(ingest.url, article(id, { headline: 'Port official arrested', live }))
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>Port</title></head><body>
<h1>Port official arrested</h1><p>The site's own text.</p>
<div id="newswire-story" data-article="${id}" data-version="1"${live ? ' data-live' : ''}></div><a id="away" href="/elsewhere">Elsewhere</a>
<script src="${fanout.url}/story.js" async></script></body></html>`
    const url = await siteWith(t, html)
    const browser = await launchWithBackForwardCache(t)
    const { page, errors } = await openPage(browser, 390, 844)
    await page.goto(url)
    await page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-state') === 'connected')
    await publish(ingest.url, article(id, { headline: 'Port official arrested', live, correction: { note: NOTE } }))
    await page.waitForFunction(
      (note) => document.querySelector('#newswire-story')?.shadowRoot?.querySelector('.banner .note')?.textContent?.includes(note),
      NOTE,
      { timeout: 10_000 },
    )
    await page.evaluate(`(() => {
      window.restored = false
      window.sightings = []
      const noted = () => (document.querySelector('#newswire-story')?.shadowRoot?.textContent ?? '').includes(${JSON.stringify(NOTE)})
      addEventListener('pageshow', (e) => {
        if (!e.persisted) return
        window.restored = true
        const at = performance.now()
        const look = () => {
          if (noted()) window.sightings.push(Math.round(performance.now() - at))
          if (performance.now() - at < 5000) requestAnimationFrame(look)
        }
        look()
        requestAnimationFrame(look)
      })
    })()`)

    await page.click('#away')
    await page.waitForURL(/elsewhere/)
    await withdraw(ingest.url, id, 'legal: wrong man named')
    await sleep(1000)
    await page.goBack({ waitUntil: 'commit' })
    await page.waitForFunction(() => (window as unknown as { restored: boolean }).restored, null, { timeout: 10_000 })
    await sleep(5500)
    const sightings = await page.evaluate(() => (window as unknown as { sightings: number[] }).sightings)
    assert.deepEqual(
      sightings.length === 0 ? [] : [sightings[0], sightings.at(-1)],
      [],
      `the killed story's correction note was on the restored page from ${sightings[0]} ms to ${sightings.at(-1)} ms`,
    )
    // and the reader is told
    await page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-story-state') !== 'updated', null, {
      timeout: 10_000,
    })
    assert.match(
      await page.locator('#newswire-story').evaluate((h) => h.shadowRoot?.querySelector('.banner')?.textContent ?? ''),
      /withdrawn|not available/,
    )
    assert.deepEqual(errors, [])
  })
}

test('a live story still running when restored from the back/forward cache quotes its correction note again', {
  timeout: 120_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const id = 'red15-bf-running'
  await publish(ingest.url, article(id, { headline: 'Port official arrested', live: true }))
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Port</title></head><body>
<div id="newswire-story" data-article="${id}" data-version="1" data-live></div><a id="away" href="/elsewhere">Elsewhere</a>
<script src="${fanout.url}/story.js" async></script></body></html>`
  const browser = await launchWithBackForwardCache(t)
  const { page, errors } = await openPage(browser, 390, 844)
  await page.goto(await siteWith(t, html))
  await page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-state') === 'connected')
  await publish(ingest.url, article(id, { headline: 'Port official arrested', live: true, correction: { note: NOTE } }))
  const noted = () =>
    page.waitForFunction(
      (note) => document.querySelector('#newswire-story')?.shadowRoot?.querySelector('.banner .note')?.textContent?.includes(note),
      NOTE,
      { timeout: 10_000 },
    )
  await noted()
  await page.evaluate(() => {
    addEventListener('pageshow', (e) => {
      ;(window as unknown as { restored: boolean }).restored = e.persisted
    })
  })
  await page.click('#away')
  await page.waitForURL(/elsewhere/)
  await page.goBack({ waitUntil: 'commit' })
  await page.waitForFunction(() => (window as unknown as { restored?: boolean }).restored === true, null, { timeout: 10_000 })
  await noted()
  assert.equal(await page.locator('#newswire-story').getAttribute('data-story-state'), 'updated')
  assert.deepEqual(errors, [])
})
