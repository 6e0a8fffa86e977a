// The story-page embed (/story.js) as a site ships it and a reader uses it, in Debian's Chromium
// against real ingest, Kafka and fan-out, on a host page of another origin with a strict CSP and
// CSS that hits everything: the update banner ("Updated 2 min ago — headline and body changed"),
// a correction, a withdrawal, none of them moving the page's text; reset and themed styles inside
// the shadow root; keyboard access. Live stories are in story-live.kafka.browser.test.ts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { article, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { startTestIngest, uniquePrefix } from '../helpers.ts'
import { hostPageWith, launch, openPage, screenshot } from './helpers.ts'

/** Every host-page rule a careless site might have, all !important, on every element of its body. */
const HOSTILE_CSS = `body * { font: italic 100 40px/4 serif !important; letter-spacing: 6px !important; color: red !important;
  text-transform: uppercase !important; display: inline !important; position: static !important; height: 300px !important; }
body { margin: 0; } p.text { display: block !important; font: 18px/1.6 Georgia, serif !important; height: auto !important;
  color: #222 !important; letter-spacing: 0 !important; text-transform: none !important; margin: 0 16px 16px !important; }
/* The site's theme, through the documented custom properties */
#newswire-story { --newswire-story-banner-bg: rgb(1, 2, 3); --newswire-story-font: monospace; }`

const PARAGRAPHS = Array.from(
  { length: 40 },
  (_, i) => `<p class="text" id="p${i}">Paragraph ${i + 1} of the site's own story text.</p>`,
).join('\n')

const hostState = (page: Page) => page.locator('#newswire-story').getAttribute('data-story-state')

/** The banner as a reader sees it: shown or not, its text, its place and its computed look. */
const bannerOf = (page: Page) =>
  page.locator('#newswire-story').evaluate((host) => {
    const b = host.shadowRoot?.querySelector<HTMLElement>('.banner')
    if (!b) return null
    const r = b.getBoundingClientRect()
    const cs = getComputedStyle(b)
    return {
      shown: !b.hidden && r.height > 0,
      // biome-ignore lint/performance/useDomNodeTextContent: the text as a reader sees it (hidden parts left out)
      text: b.innerText.replace(/\s+/g, ' ').trim(),
      role: b.getAttribute('role'),
      live: b.getAttribute('aria-live'),
      state: b.dataset.state,
      bottom: Math.round(innerHeight - r.bottom),
      position: cs.position,
      background: cs.backgroundColor,
      font: cs.fontFamily,
      fontStyle: cs.fontStyle,
      transform: cs.textTransform,
      msgLang: b.querySelector('.note span')?.getAttribute('lang') ?? null,
    }
  })

const paragraphTop = (page: Page, id: string) => page.locator(`#${id}`).evaluate((el) => el.getBoundingClientRect().top)

test('story.js on a story page: the banner on an update, a correction and the withdrawal, moving no text', {
  timeout: 180_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const id = 'Port-Strike-1'
  await publish(ingest.url, article(id, { headline: 'Dock workers walk out at Chattogram', body: ['Work stopped at dawn.'] }))

  const host = await hostPageWith(
    t,
    fanout.url,
    'story.js',
    `<p class="text">Site header</p>\n<div id="newswire-story" data-article="${id}" data-version="1"></div>\n${PARAGRAPHS}`,
    HOSTILE_CSS,
  )
  const browser = await launch(t)
  const { page, errors } = await openPage(browser, 390, 844)
  await page.goto(host)
  await page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-state') === 'connected')
  assert.equal(await hostState(page), 'current')
  assert.equal((await bannerOf(page))?.shown ?? false, false, 'nothing to say while the page is current')
  // the reader is somewhere in the text
  await page.evaluate(() => scrollTo(0, 300))
  assert.equal(await page.evaluate(() => scrollY), 300)
  const before = await paragraphTop(page, 'p6')

  // an update two minutes ago that changed the headline and the body
  const twoMinAgo = new Date(Date.now() - 2 * 60_000 - 5_000).toISOString()
  await publish(
    ingest.url,
    article(id, {
      headline: 'Dock workers walk out at Chattogram and Mongla',
      body: ['Work stopped at dawn.', 'Mongla joined.'],
      updatedAt: twoMinAgo,
    }),
  )
  await page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-story-state') === 'updated')
  let banner = await bannerOf(page)
  assert.ok(banner?.shown)
  assert.match(banner.text, /^Updated 2 min ago — headline and body changed Reload ×$/)
  assert.equal(banner.role, 'status')
  assert.equal(banner.live, 'polite')
  assert.equal(banner.position, 'fixed')
  assert.ok(banner.bottom >= 8 && banner.bottom <= 40, `at the bottom of the screen: ${banner.bottom}`)
  // reset and themed: the page's !important rules do not reach in, the custom properties do
  assert.equal(banner.background, 'rgb(1, 2, 3)')
  assert.equal(banner.font, 'monospace')
  assert.equal(banner.fontStyle, 'normal')
  assert.equal(banner.transform, 'none')
  assert.equal(await paragraphTop(page, 'p6'), before, 'the text being read did not move')
  await screenshot(page, 'story-banner-updated.png')

  // a correction
  await publish(
    ingest.url,
    article(id, {
      headline: 'Dock workers walk out at Chattogram and Mongla',
      body: ['Work stopped at dawn.', 'Mongla joined at noon.'],
      correction: { note: 'An earlier version said Mongla joined at dawn.' },
    }),
  )
  await page.waitForFunction(() =>
    document.querySelector('#newswire-story')?.shadowRoot?.querySelector('.banner .note')?.textContent?.includes('Correction'),
  )
  banner = await bannerOf(page)
  assert.match(
    banner?.text ?? '',
    /^Updated now — headline and body changed Correction: An earlier version said Mongla joined at dawn\. Reload ×$/,
  )
  assert.equal(banner?.msgLang, 'en')
  assert.equal(await paragraphTop(page, 'p6'), before)
  await screenshot(page, 'story-banner-correction.png')

  // keyboard: the reload and dismiss buttons are reachable; dismiss hides the banner
  const focusable = await page
    .locator('#newswire-story')
    .evaluate((host) => [...(host.shadowRoot?.querySelectorAll('.banner button') ?? [])].map((b) => (b as HTMLElement).tabIndex))
  assert.deepEqual(focusable, [0, 0])
  await page.locator('#newswire-story').evaluate((host) => host.shadowRoot?.querySelector<HTMLElement>('.banner .dismiss')?.focus())
  await page.keyboard.press('Enter')
  assert.equal((await bannerOf(page))?.shown, false)

  // the kill: whatever the reader dismissed, they hear of it
  await withdraw(ingest.url, id, 'legal')
  await page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-story-state') === 'withdrawn')
  banner = await bannerOf(page)
  assert.ok(banner?.shown)
  assert.match(banner.text, /^This story has been withdrawn ×$/)
  assert.equal(banner.state, 'withdrawn')
  assert.equal(await paragraphTop(page, 'p6'), before)
  await screenshot(page, 'story-banner-withdrawn.png')

  // a reader who opens the page of the killed story later is told too
  const late = await openPage(browser, 390, 844)
  await late.page.goto(host)
  await late.page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-story-state') === 'unavailable')
  assert.match((await bannerOf(late.page))?.text ?? '', /^This story is not available at the moment ×$/)
  assert.deepEqual(errors, [])
  assert.deepEqual(late.errors, [])
})
