// The embed as a site owner ships it and a reader uses it, in Debian's Chromium against real
// ingest, Kafka and fan-out: a host page on another origin with a strict CSP and CSS that hits
// everything, the ticker's computed styles inside its shadow root (reset, themed only through its
// custom properties), every headline visible in turn, pauses on hover, focus and its button,
// reduced motion, keyboard access to every link, polite announcements of new breaking stories
// only, and the demo page's snippet after a Host-poisoning attempt.
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { article, publish, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { startTestIngest, uniquePrefix } from '../helpers.ts'
import { hostPageWithTicker, launch, openPage, screenshot } from './helpers.ts'

const LONG =
  'Cyclone Remal makes landfall between Mongla and Khepupara with wind speeds of 90 km/h; ' +
  'a million people moved to shelters, ports closed and flights suspended at three airports until further notice'

/** Every host-page rule a careless site might have, all !important, on every element of its body. */
const HOSTILE_CSS = `body, body * { font: italic 100 40px/4 serif !important; letter-spacing: 6px !important;
  text-transform: uppercase !important; color: red !important; height: 300px !important; display: inline !important;
  white-space: normal !important; text-align: right !important; box-sizing: content-box !important; transition: none !important; }
/* The site's theme, through the documented custom properties */
#newswire-ticker { --newswire-ticker-bg: rgb(1, 2, 3); --newswire-ticker-font: monospace; }`

const current = (page: Page) => page.locator('#newswire-ticker').getAttribute('data-current')

/** Ids of the items fully shown inside the ticker's box right now (opaque, not clipped). */
const shownNow = (page: Page) =>
  page.locator('#newswire-ticker').evaluate((host) => {
    const box = host.getBoundingClientRect()
    return [...(host.shadowRoot?.querySelectorAll('li') ?? [])]
      .filter((li) => {
        const r = li.getBoundingClientRect()
        return getComputedStyle(li).opacity === '1' && r.width > 0 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5
      })
      .map((li) => ({
        id: li.dataset.articleId ?? '',
        cut: (() => {
          const hl = li.querySelector<HTMLElement>('.hl')
          return hl ? hl.scrollWidth > hl.clientWidth && getComputedStyle(hl).textOverflow === 'ellipsis' : false
        })(),
      }))
  })

/** Waits until the ticker shows another item than `from`; returns it. */
async function advancesFrom(page: Page, from: string | null, timeoutMs: number): Promise<string | null> {
  await page.waitForFunction((f) => document.querySelector('#newswire-ticker')?.getAttribute('data-current') !== f, from, {
    timeout: timeoutMs,
  })
  return current(page)
}

test('ticker.js embedded: reset and themed styles, every item in turn, pauses, keyboard, announcements', {
  timeout: 180_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const now = Date.now()
  const ids = ['t1', 't2', 't3', 't4', 't5']
  for (const [i, id] of ids.entries()) {
    await publish(
      ingest.url,
      article(id, {
        urgency: 1 + (i % 2),
        headline: id === 't3' ? LONG : `Breaking story ${id}`,
        url: `https://news.example/${id}`,
        publishedAt: new Date(now - (10 - i) * 60_000).toISOString(),
      }),
    )
  }

  // The host: another origin than the fan-out, nothing inline allowed, CSS that hits everything
  const f = new URL(fanout.url)
  const hostUrl = await hostPageWithTicker(
    t,
    fanout.url,
    '<p>Host page text above.</p>\n<div id="newswire-ticker" data-rotate-seconds="2"></div>\n<p id="after">Host content below the ticker.</p>',
    HOSTILE_CSS,
  )

  const browser = await launch(t)
  const reader = await openPage(browser, 900, 400)
  const { page } = reader
  await page.goto(hostUrl)
  await page.waitForSelector('#newswire-ticker[data-state=connected]', { timeout: 10_000 })
  await page.waitForFunction(() => document.querySelector('#newswire-ticker')?.shadowRoot?.querySelectorAll('li').length === 5, null, {
    timeout: 10_000,
  })
  await page.mouse.move(890, 390) // well away from the ticker

  await t.test('host CSS does not reach in; the custom properties do', async () => {
    const host = await page
      .locator('#newswire-ticker')
      .evaluate((el) => ({ height: el.getBoundingClientRect().height, display: getComputedStyle(el).display }))
    assert.deepEqual(host, { height: 48, display: 'block' })
    const inside = await page.locator('#newswire-ticker').evaluate((el) => {
      const root = el.shadowRoot
      const hl = root?.querySelector('li.on .hl')
      const box = root?.querySelector('.nw')
      if (!hl || !box) return null
      const s = getComputedStyle(hl)
      return {
        fontSize: s.fontSize,
        fontStyle: s.fontStyle,
        fontWeight: s.fontWeight,
        fontFamily: s.fontFamily,
        lineHeight: s.lineHeight,
        letterSpacing: s.letterSpacing,
        textTransform: s.textTransform,
        textAlign: s.textAlign,
        whiteSpace: s.whiteSpace,
        color: s.color,
        background: getComputedStyle(box).backgroundColor,
        boxHeight: box.getBoundingClientRect().height,
      }
    })
    assert.deepEqual(inside, {
      fontSize: '15px',
      fontStyle: 'normal',
      fontWeight: '600',
      fontFamily: 'monospace',
      lineHeight: '21px',
      letterSpacing: 'normal',
      textTransform: 'none',
      textAlign: 'start',
      whiteSpace: 'nowrap',
      color: 'rgb(255, 255, 255)',
      background: 'rgb(1, 2, 3)',
      boxHeight: 48,
    })
    await screenshot(page, 'ticker-hostile-host.png')
  })

  await t.test('every item becomes visible in turn, one at a time; a long headline ends in an ellipsis', async () => {
    const seen = new Map<string, boolean>()
    let shot = false
    const deadline = Date.now() + 5 * 2000 + 6000
    while (seen.size < ids.length && Date.now() < deadline) {
      const shown = await shownNow(page)
      assert.ok(shown.length <= 1, `more than one item shown at once: ${JSON.stringify(shown)}`)
      for (const s of shown) seen.set(s.id, s.cut)
      if (shown[0]?.id === 't3' && !shot) {
        shot = true
        await screenshot(page, 'ticker-long-headline.png')
      }
      await page.waitForTimeout(150)
    }
    assert.deepEqual([...seen.keys()].sort(), ids, 'every item was shown')
    assert.equal(seen.get('t3'), true, 'the long headline is cut with an ellipsis')
    assert.equal(seen.get('t1'), false)
    const pos = await page.locator('#newswire-ticker').evaluate((el) => el.shadowRoot?.querySelector('.pos')?.textContent ?? '')
    assert.match(pos, /^[1-5]\/5$/, 'where the reader is in the list')
  })

  await t.test('hover pauses the rotation; leaving resumes it', async () => {
    await page.hover('#newswire-ticker')
    const held = await current(page)
    await page.waitForTimeout(4500)
    assert.equal(await current(page), held, 'moved under the pointer')
    assert.equal(await page.locator('#newswire-ticker').getAttribute('data-paused'), 'true')
    await page.mouse.move(890, 390)
    assert.notEqual(await advancesFrom(page, held, 4000), held)
  })

  await t.test('keyboard: Tab reaches every link and the pause button; a focused story is the one shown', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    const reached: string[] = []
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab')
      const focus = await page.evaluate(() => {
        const host = document.querySelector('#newswire-ticker')
        if (document.activeElement !== host) return null
        const el = host?.shadowRoot?.activeElement
        const li = el?.closest('li')
        return { tag: el?.tagName ?? '', id: li?.getAttribute('data-article-id') ?? null, on: li?.classList.contains('on') ?? false }
      })
      if (!focus) {
        if (reached.length > 0) break
        continue
      }
      if (focus.tag === 'A') {
        assert.equal(focus.on, true, `focused ${focus.id} is not the one shown`)
        assert.equal(await current(page), focus.id)
        // Fully in view once it has slid in: focus did not scroll the box
        await page.waitForTimeout(400)
        assert.deepEqual(
          (await shownNow(page)).map((x) => x.id),
          [focus.id],
        )
        if (reached.length === 1) await screenshot(page, 'ticker-keyboard-focus.png')
      }
      reached.push(focus.tag === 'A' ? (focus.id ?? '?') : focus.tag)
    }
    assert.deepEqual(reached, [...(await idsInOrder(page)), 'BUTTON'])
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  })

  await t.test('the pause button stops the rotation until pressed again', async () => {
    const button = page.locator('#newswire-ticker button')
    assert.equal(await button.getAttribute('aria-label'), 'Pause headlines')
    await button.click()
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    await page.mouse.move(890, 390)
    assert.equal(await button.getAttribute('aria-pressed'), 'true')
    const held = await current(page)
    await page.waitForTimeout(4500)
    assert.equal(await current(page), held)
    await button.click()
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    await page.mouse.move(890, 390)
    assert.equal(await button.getAttribute('aria-pressed'), 'false')
    assert.notEqual(await advancesFrom(page, held, 4000), held)
  })

  await t.test('aria-live announces new breaking stories only: not the ones there on load, not a correction', async () => {
    const announced = () =>
      page.locator('#newswire-ticker').evaluate((el) => el.shadowRoot?.querySelector('[aria-live=polite]')?.textContent ?? '')
    assert.equal(await announced(), '', 'the stories present on load are not announced')
    assert.equal(await page.locator('#newswire-ticker').evaluate((el) => el.shadowRoot?.querySelectorAll('[aria-live]').length), 1)
    await publish(
      ingest.url,
      article('t6', { urgency: 1, headline: 'Earthquake of magnitude 5.6 felt in Dhaka', url: 'https://news.example/t6' }),
    )
    await page.waitForFunction(() => document.querySelector('#newswire-ticker')?.getAttribute('data-current') === 't6', null, {
      timeout: 5000,
    })
    assert.equal(await announced(), 'Breaking: Earthquake of magnitude 5.6 felt in Dhaka')
    const spoken = await page
      .locator('#newswire-ticker')
      .evaluate((el) => el.shadowRoot?.querySelector('[aria-live=polite] span')?.getAttribute('lang') ?? null)
    assert.equal(spoken, 'en', 'the headline carries its language for the screen reader')
    await publish(
      ingest.url,
      article('t6', { urgency: 1, headline: 'Earthquake of magnitude 5.8 felt in Dhaka', url: 'https://news.example/t6' }),
    )
    await page.waitForFunction(
      () => document.querySelector('#newswire-ticker')?.shadowRoot?.querySelector('li[data-article-id=t6]')?.textContent?.includes('5.8'),
      null,
      { timeout: 5000 },
    )
    assert.equal(await announced(), 'Breaking: Earthquake of magnitude 5.6 felt in Dhaka', 'a correction is not news')
    await publish(ingest.url, article('t7', { urgency: 6, headline: 'Routine: traffic update' }))
    await publish(ingest.url, article('t8', { urgency: 2, headline: 'Port closed', url: 'https://news.example/t8' }))
    await page.waitForFunction(
      () => document.querySelector('#newswire-ticker')?.shadowRoot?.querySelector('li[data-article-id=t8]'),
      null,
      { timeout: 5000 },
    )
    assert.equal(await announced(), 'Breaking: Port closed')
    assert.equal(
      await page.locator('#newswire-ticker').evaluate((el) => el.shadowRoot?.querySelectorAll('li').length),
      5,
      'at most 5 items',
    )
  })

  await t.test('a story arriving while a reader is on a link neither takes the focus nor moves what is shown', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    const focused = () =>
      page.evaluate(
        () => document.querySelector('#newswire-ticker')?.shadowRoot?.activeElement?.closest('li')?.getAttribute('data-article-id') ?? null,
      )
    const before = await focused()
    assert.ok(before, 'a story link has focus')
    await publish(ingest.url, article('t9', { urgency: 1, headline: 'Flights resume', url: 'https://news.example/t9' }))
    await page.waitForFunction(
      () => document.querySelector('#newswire-ticker')?.shadowRoot?.querySelector('li[data-article-id=t9]'),
      null,
      { timeout: 5000 },
    )
    assert.equal(await focused(), before)
    assert.equal(await current(page), before)
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  })

  await t.test('prefers-reduced-motion: the same rotation without animation', async () => {
    const transition = (p: Page) =>
      p.locator('#newswire-ticker').evaluate((el) => getComputedStyle(el.shadowRoot?.querySelector('li') as Element).transitionDuration)
    assert.equal(await transition(page), '0.35s, 0.35s')
    const still = await openPage(browser, 900, 400)
    await still.page.emulateMedia({ reducedMotion: 'reduce' })
    await still.page.goto(hostUrl)
    await still.page.waitForSelector('#newswire-ticker[data-state=connected]', { timeout: 10_000 })
    await still.page.mouse.move(890, 390)
    await still.page.waitForFunction(
      () => (document.querySelector('#newswire-ticker')?.shadowRoot?.querySelectorAll('li').length ?? 0) > 1,
      null,
      {
        timeout: 10_000,
      },
    )
    assert.equal(await transition(still.page), '0s')
    const first = await current(still.page)
    const second = await advancesFrom(still.page, first, 4000)
    assert.notEqual(second, first)
    assert.equal((await shownNow(still.page)).length, 1, 'swapped at once, no item half-way')
    await screenshot(still.page, 'ticker-reduced-motion.png')
    assert.deepEqual(still.errors, [])
  })

  assert.deepEqual(reader.errors, [])
  assert.deepEqual(
    reader.consoleErrors.filter((m) => /Content Security Policy/i.test(m)),
    [],
  )

  await t.test('Host poisoning: a forged request does not change the snippet another visitor copies', async () => {
    const poisoned = await new Promise<number>((resolve, reject) => {
      const req = request({ host: f.hostname, port: f.port, path: '/ticker', headers: { host: 'evil.example' } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })
    assert.equal(poisoned, 200)
    const visitor = await openPage(browser, 900, 700)
    await visitor.page.goto(`${fanout.url}/ticker`)
    const snippet = (await visitor.page.locator('#snippet').textContent()) ?? ''
    assert.match(snippet, new RegExp(`<script src="//${f.host.replace(/\./g, '\\.')}/ticker\\.js" async></script>`))
    assert.doesNotMatch(snippet, /evil/)
    await visitor.page.waitForSelector('#newswire-ticker[data-state=connected]', { timeout: 10_000 })
    await screenshot(visitor.page, 'ticker-demo-page.png')
    assert.deepEqual(visitor.errors, [])
  })
})

/** The ticker's items in their order (newest first). */
const idsInOrder = (page: Page) =>
  page
    .locator('#newswire-ticker')
    .evaluate((el) => [...(el.shadowRoot?.querySelectorAll('li') ?? [])].map((li) => li.getAttribute('data-article-id') ?? ''))
