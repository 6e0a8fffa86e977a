// The story-page embed on a live story, in Debian's Chromium against real ingest, Kafka and
// fan-out, at a phone's size: the pinned summary, key events, the feed newest first and older
// entries on request; 100 entries arriving while the reader scrolls, with the element being read
// measured before and after every batch (it never moves) and Chrome's own layout-shift record
// empty; new entries held behind the "N new entries" button while the top of the feed is on
// screen; deletions and edits above the reader; a Bengali live story in Bengali, its glyphs
// drawn by a Bengali font; reduced motion.
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { Page } from 'playwright-core'
import { article, publish, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { http, literal, startTestIngest, uniquePrefix } from '../helpers.ts'
import { hostPageWith, launch, openPage, screenshot } from './helpers.ts'

const PAGE_CSS = `body { margin: 0; font: 17px/1.6 Georgia, serif; } .text { margin: 16px; }
#newswire-story { display: block; margin: 0 16px; }`

/** Sentences of different lengths, so entries differ in height as on a real blog. */
const words = 'Fire crews reached the third warehouse as the wind turned north and the harbour master closed two more berths'.split(' ')
const bodyOf = (n: number) => Array.from({ length: 1 + (n % 3) }, (_, i) => `${words.slice(0, 6 + ((n * 7 + i * 5) % 14)).join(' ')}.`)

async function putEntry(ingestUrl: string, story: string, id: string, body: Record<string, unknown>): Promise<void> {
  const r = await http(`${ingestUrl}/v1/articles/${story}/entries/${id}`, { method: 'PUT', json: body })
  assert.ok(r.status === 200 || r.status === 201, `PUT ${id}: ${r.status} ${r.text}`)
}

async function postEntries(ingestUrl: string, story: string, lines: Record<string, unknown>[]): Promise<void> {
  const r = await http(`${ingestUrl}/v1/articles/${story}/entries/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`,
  })
  assert.equal(r.status, 200, r.text)
}

/** What the embed shows: entry ids in the feed top to bottom, the pinned ones, the key events, the button. */
const feedOf = (page: Page) =>
  page.locator('#newswire-story').evaluate((host) => {
    // no named functions in here: the test's compiler would wrap them in a helper the page lacks
    const root = host.shadowRoot as ShadowRoot
    const [feed, pinned, keys] = ['.feed > article', '.pinned article', '.keys li'].map((sel) =>
      [...root.querySelectorAll<HTMLElement>(sel)].map((e) => e.dataset.entryId ?? ''),
    )
    const button = root.querySelector<HTMLElement>('.new')
    return {
      feed: feed ?? [],
      pinned: pinned ?? [],
      keys: keys ?? [],
      button: button && !button.hidden ? button.textContent : null,
      older: !(root.querySelector<HTMLElement>('.older')?.hidden ?? true),
    }
  })

/** The entry at the middle of the screen (what the reader is reading) and its top. */
const reading = (page: Page) =>
  page.locator('#newswire-story').evaluate((host) => {
    const el = (host.shadowRoot as ShadowRoot).elementFromPoint(innerWidth / 2, innerHeight / 2)?.closest('article')
    return el ? { id: el.dataset.entryId ?? '', top: el.getBoundingClientRect().top } : null
  })

const topOf = (page: Page, entryId: string) =>
  page
    .locator('#newswire-story')
    .evaluate((host, id) => host.shadowRoot?.querySelector(`article[data-entry-id="${id}"]`)?.getBoundingClientRect().top ?? null, entryId)

/** Waits until the page has not scrolled for a while (a wheel scroll may animate). */
async function settled(page: Page): Promise<void> {
  let last = -1
  for (let i = 0; i < 50; i++) {
    const y = await page.evaluate(() => scrollY)
    if (y === last) return
    last = y
    await page.waitForTimeout(80)
  }
}

async function liveStory(t: TestContext, id: string, extra: Record<string, unknown>) {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  await publish(ingest.url, article(id, { live: true, ...extra }))
  return { ingest, fanout }
}

for (const anchoring of ['native', 'manual'] as const) {
  test(`a live story (${anchoring} scroll anchoring): 100 entries while the reader scrolls, nothing read moves; held entries behind the button`, {
    timeout: 300_000,
  }, async (t) => {
    const id = `Live-Port-Fire-${anchoring}`
    const { ingest, fanout } = await liveStory(t, id, { headline: 'Live: fire at Chattogram port', body: ['Latest.'] })
    // 40 entries before the reader comes: a pinned summary, key events, the rest
    await postEntries(
      ingest.url,
      id,
      Array.from({ length: 40 }, (_, i) => ({
        id: `e${i + 1}`,
        headline: i % 4 === 0 ? `Update ${i + 1}` : null,
        body: i === 0 ? ['Summary: a fire broke out at dawn in the port’s warehouses; no one was hurt.'] : bodyOf(i + 1),
        pinned: i === 0,
        keyEvent: [4, 11, 14, 19, 24, 29, 35].includes(i),
      })),
    )
    const host = await hostPageWith(
      t,
      fanout.url,
      'story.js',
      `<p class="text">The site's header and the story's intro.</p>\n<div id="newswire-story" data-article="${id}" data-live data-entries="30"${anchoring === 'manual' ? ' data-anchoring="manual"' : ''}></div>\n<p class="text">After the feed.</p>`,
      PAGE_CSS,
    )
    const browser = await launch(t)
    const { page, errors } = await openPage(browser, 390, 844)
    await page.goto(host)
    await page.waitForFunction(
      () => (document.querySelector('#newswire-story')?.shadowRoot?.querySelectorAll('.feed > article').length ?? 0) >= 30,
    )
    let f = await feedOf(page)
    assert.deepEqual(f.pinned, ['e1'])
    assert.deepEqual(f.feed.slice(0, 3), ['e40', 'e39', 'e38'], 'newest first')
    assert.equal(f.feed.length, 30)
    // the newest five key events drawn so far, one line each, and the way to all of them: a list
    // whose height no longer changes as key events come
    assert.deepEqual(f.keys, ['e36', 'e30', 'e25', 'e20', 'e15'], 'key events drawn so far, newest first')
    assert.equal(await page.locator('#newswire-story .all-keys').textContent(), 'Show all 6 key events')
    assert.ok(f.older)
    await screenshot(page, `story-live-top-${anchoring}.png`)

    // older entries on request, at the end of the feed where the reader is: nothing they read moves
    await page.locator('#newswire-story .older').evaluate((b) => b.scrollIntoView({ block: 'end' }))
    await settled(page)
    const e11 = await topOf(page, 'e11')
    // clicked where it is (a locator's click could scroll first)
    await page.locator('#newswire-story .older').evaluate((b) => (b as HTMLButtonElement).click())
    await page.waitForFunction(
      () => !document.querySelector('#newswire-story')?.shadowRoot?.querySelector<HTMLElement>('.older')?.offsetParent,
    )
    f = await feedOf(page)
    assert.equal(f.feed.length, 39, 'e2…e10 paged in (e1 is pinned)')
    assert.deepEqual(f.feed.slice(-2), ['e3', 'e2'])
    assert.ok(!f.older)
    assert.equal(await topOf(page, 'e11'), e11)
    assert.deepEqual(f.keys, ['e36', 'e30', 'e25', 'e20', 'e15'])
    assert.equal(await page.locator('#newswire-story .all-keys').textContent(), 'Show all 7 key events')

    // the reader scrolls down into the feed
    await page
      .locator('#newswire-story')
      .evaluate((h) => h.shadowRoot?.querySelector('article[data-entry-id="e30"]')?.scrollIntoView({ block: 'center' }))
    await settled(page)
    await page.evaluate(() => {
      const w = window as unknown as { shifts: number }
      w.shifts = 0
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
          if (!e.hadRecentInput) w.shifts += e.value
        }
      }).observe({ type: 'layout-shift', buffered: false })
    })
    await page.mouse.move(195, 422)

    // 100 entries while the reader reads and scrolls: in each of 20 rounds, four arrive while the
    // element being read is measured before and after, and one more while the reader scrolls
    const post = (n: number) =>
      putEntry(ingest.url, id, `e${n}`, { headline: n % 10 === 0 ? `Update ${n}` : null, body: bodyOf(n), keyEvent: n % 25 === 0 })
    const drawn = (n: number) =>
      page.waitForFunction(
        (want) => (document.querySelector('#newswire-story')?.shadowRoot?.querySelectorAll('.feed > article').length ?? 0) === want,
        n,
      )
    let n = 41
    for (let round = 0; round < 20; round++) {
      const before = await reading(page)
      assert.ok(before, `round ${round}: the reader is reading an entry`)
      for (let i = 0; i < 4; i++) await post(n++)
      await drawn(n - 2) // 39 at first, and every entry posted since
      const after = await topOf(page, before.id)
      assert.ok(after !== null && Math.abs(after - before.top) <= 1, `round ${round}: ${before.id} moved ${before.top} → ${after}`)
      // the reader scrolls a little, down or up, as one more arrives
      await Promise.all([post(n++), page.mouse.wheel(0, round % 3 === 2 ? -120 : 160)])
      await drawn(n - 2)
      await settled(page)
    }
    assert.equal(n, 141)
    // Chrome counts a correction made by script as a shift (the text moved in the page, though not
    // on screen); its own anchoring it does not: a host page's CLS stays clean where it anchors
    const shifts = await page.evaluate(() => (window as unknown as { shifts: number }).shifts)
    if (anchoring === 'native') assert.equal(shifts, 0, 'Chrome saw no layout shift')
    else t.diagnostic(`layout shifts Chrome counted for the corrections made by script: ${shifts.toFixed(3)}`)
    assert.equal(await page.locator('#newswire-story').getAttribute('data-anchoring'), anchoring)
    f = await feedOf(page)
    assert.deepEqual(f.feed.slice(0, 2), ['e140', 'e139'])
    assert.match(f.button ?? '', /^↑ 100 new entries$/, 'the entries that went in above are offered')
    assert.deepEqual(f.keys.slice(0, 4), ['e125', 'e100', 'e75', 'e50'])
    await screenshot(page, `story-live-reading-${anchoring}.png`)

    // the button takes the reader to the newest entry, focused
    await page.locator('#newswire-story .new').click()
    await page.waitForFunction(
      () => document.querySelector('#newswire-story')?.shadowRoot?.activeElement?.getAttribute('data-entry-id') === 'e140',
    )
    // the scroll to it may start after the focus (a loaded machine): settled() alone returned
    // before it began, and the entry measured 20,000 px above the screen (CI, stop 47)
    await page.waitForFunction(() => {
      const top = document
        .querySelector('#newswire-story')
        ?.shadowRoot?.querySelector('article[data-entry-id="e140"]')
        ?.getBoundingClientRect().top
      return top !== undefined && top > -1 && top < innerHeight
    })
    await settled(page)
    assert.equal((await feedOf(page)).button, null)

    // the top of the feed on screen: new entries wait behind the button; nothing moves
    const e140 = await topOf(page, 'e140')
    for (const n of [141, 142, 143]) await putEntry(ingest.url, id, `e${n}`, { body: bodyOf(n) })
    await page.waitForFunction(() => document.querySelector('#newswire-story')?.shadowRoot?.querySelector('.new:not([hidden])'))
    await page.waitForFunction(
      () => document.querySelector('#newswire-story')?.shadowRoot?.querySelector('.new')?.textContent === '↑ 3 new entries',
    )
    f = await feedOf(page)
    assert.equal(f.feed[0], 'e140', 'held, not drawn')
    assert.equal(await topOf(page, 'e140'), e140)
    await screenshot(page, `story-live-held-${anchoring}.png`)
    // by keyboard: the button is reachable, and Enter brings them in
    await page.locator('#newswire-story').evaluate((h) => h.shadowRoot?.querySelector<HTMLElement>('.new')?.focus())
    await page.keyboard.press('Enter')
    await page.waitForFunction(
      () => document.querySelector('#newswire-story')?.shadowRoot?.activeElement?.getAttribute('data-entry-id') === 'e143',
    )
    assert.deepEqual((await feedOf(page)).feed.slice(0, 4), ['e143', 'e142', 'e141', 'e140'])

    // a deletion and an edit above the reader move nothing they read
    await page
      .locator('#newswire-story')
      .evaluate((h) => h.shadowRoot?.querySelector('article[data-entry-id="e60"]')?.scrollIntoView({ block: 'center' }))
    await settled(page)
    const r = await reading(page)
    assert.ok(r)
    const del = await http(`${ingest.url}/v1/articles/${id}/entries/e130`, { method: 'DELETE', json: { reason: 'posted twice' } })
    assert.equal(del.status, 200, del.text)
    await putEntry(ingest.url, id, 'e120', {
      headline: 'Update 120',
      body: [...bodyOf(120), 'A longer second version of this entry, with a paragraph added.'],
      correction: { note: 'The berth numbers were wrong.' },
    })
    await page.waitForFunction(() => !document.querySelector('#newswire-story')?.shadowRoot?.querySelector('article[data-entry-id="e130"]'))
    await page.waitForFunction(() =>
      document.querySelector('#newswire-story')?.shadowRoot?.querySelector('article[data-entry-id="e120"] .corr'),
    )
    assert.ok(Math.abs(((await topOf(page, r.id)) ?? 0) - r.top) <= 1, 'the deletion and the edit above moved nothing')
    if (anchoring === 'native') assert.equal(await page.evaluate(() => (window as unknown as { shifts: number }).shifts), 0)
    // the key events list shows the newest five; all of them on request; one takes the reader to its entry
    assert.deepEqual((await feedOf(page)).keys, ['e125', 'e100', 'e75', 'e50', 'e36'])
    await page.locator('#newswire-story .all-keys').click()
    assert.deepEqual((await feedOf(page)).keys, ['e125', 'e100', 'e75', 'e50', 'e36', 'e30', 'e25', 'e20', 'e15', 'e12', 'e5'])
    await page.locator('#newswire-story .keys button[data-entry-id="e25"]').click()
    await page.waitForFunction(
      () => document.querySelector('#newswire-story')?.shadowRoot?.activeElement?.getAttribute('data-entry-id') === 'e25',
    )
    assert.deepEqual(errors, [])
  })
}

test('a Bengali live story: Bengali words, digits and glyphs; reduced motion', { timeout: 180_000 }, async (t) => {
  const id = 'bd-live-ctg-fire'
  const { ingest, fanout } = await liveStory(t, id, {
    language: 'bn',
    headline: 'লাইভ: চট্টগ্রাম বন্দরে আগুন',
    body: ['সর্বশেষ খবর'],
    timeZone: 'Asia/Dhaka',
  })
  await putEntry(ingest.url, id, 'e1', { body: ['বন্দরের তিনটি গুদামে আগুন লেগেছে; কেউ হতাহত হননি।'], pinned: true })
  await putEntry(ingest.url, id, 'e2', {
    headline: 'আগুন নিয়ন্ত্রণে',
    body: ['ফায়ার সার্ভিস জানিয়েছে, আগুন এখন নিয়ন্ত্রণে।'],
    authors: ['চট্টগ্রাম প্রতিনিধি'],
    keyEvent: true,
  })
  const host = await hostPageWith(
    t,
    fanout.url,
    'story.js',
    `<p class="text" lang="bn">খবরের শুরু।</p>\n<div id="newswire-story" data-article="${id}" data-version="1"></div>`,
    PAGE_CSS,
  )
  const browser = await launch(t)
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    locale: 'bn-BD',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
  })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(host)
  // not data-live: the story says it is live, and the embed follows its entries
  await page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-mode') === 'live')
  await page.waitForFunction(() => (document.querySelector('#newswire-story')?.shadowRoot?.querySelectorAll('article').length ?? 0) === 2)
  await putEntry(ingest.url, id, 'e2', {
    headline: 'আগুন নিয়ন্ত্রণে',
    body: ['নিহতের সংখ্যা ৪ জন।'],
    authors: ['চট্টগ্রাম প্রতিনিধি'],
    keyEvent: true,
    correction: { note: 'আগের সংস্করণে নিহতের সংখ্যা ভুল ছিল।' },
  })
  await publish(
    ingest.url,
    article(id, { language: 'bn', headline: 'লাইভ: চট্টগ্রাম বন্দরে আগুন নিয়ন্ত্রণে', body: ['সর্বশেষ খবর'], live: true, timeZone: 'Asia/Dhaka' }),
  )
  await page.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-story-state') === 'updated')
  await page.waitForFunction(() => document.querySelector('#newswire-story')?.shadowRoot?.querySelector('.corr'))
  const seen = await page.locator('#newswire-story').evaluate((host) => {
    const root = host.shadowRoot as ShadowRoot
    const [live = '', summary = '', keys = '', entry = '', banner = ''] = [
      '.live-head',
      '.pinned h2',
      '.keys',
      'article[data-entry-id="e2"]',
      '.banner .msg',
      // biome-ignore lint/performance/useDomNodeTextContent: the text as a reader sees it (hidden parts left out)
    ].map((sel) => (root.querySelector(sel) as HTMLElement | null)?.innerText.replace(/\s+/g, ' ').trim() ?? '')
    return {
      lang: root.querySelector('.nw')?.getAttribute('lang'),
      feedLang: root.querySelector('.feed')?.getAttribute('lang'),
      live,
      summary,
      keys,
      entry,
      banner,
      pulse: getComputedStyle(root.querySelector('.live-head') as Element, '::before').animationName,
    }
  })
  assert.equal(seen.lang, 'bn')
  assert.equal(seen.feedLang, 'bn')
  assert.equal(seen.live, 'সরাসরি')
  assert.equal(seen.summary, 'সারসংক্ষেপ')
  // the entry's time in Dhaka (the story's zone), in Bengali digits
  const clock = new Intl.DateTimeFormat('bn-BD', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Dhaka' })
  const e2 = await page.locator('#newswire-story').evaluate((h) => {
    const time = h.shadowRoot?.querySelector('article[data-entry-id="e2"] time')
    // spaces as `seen` has them (innerText, runs of white space as one)
    return { at: time?.getAttribute('datetime'), text: (time?.textContent ?? '').replace(/\s+/g, ' ').trim() }
  })
  const hhmm = clock.format(Date.parse(String(e2.at)))
  assert.match(hhmm, /^[০-৯]{2}:[০-৯]{2}$/)
  // The time alone today; with its date when Dhaka's midnight fell between writing and rendering
  // the entry (a few seconds a day, at 18:00 UTC): the page's clock decides
  assert.ok(e2.text === hhmm || (e2.text.endsWith(hhmm) && /[০-৯]{4}/.test(e2.text)), `the entry's time reads ${e2.text}`)
  assert.equal(seen.keys, `গুরুত্বপূর্ণ ঘটনা ${e2.text} আগুন নিয়ন্ত্রণে`)
  assert.match(
    seen.entry,
    new RegExp(
      `^${literal(e2.text)} \\S+(?: \\S+ \\S+)? গুরুত্বপূর্ণ আগুন নিয়ন্ত্রণে নিহতের সংখ্যা ৪ জন। লিখেছেন চট্টগ্রাম প্রতিনিধি সংশোধনী: আগের সংস্করণে নিহতের সংখ্যা ভুল ছিল।$`,
    ),
  )
  assert.match(seen.banner, /^এখন হালনাগাদ হয়েছে — শিরোনাম বদলেছে$/)
  assert.equal(seen.pulse, 'none', 'reduced motion: no pulsing')
  // the glyphs are drawn with a Bengali font, not boxes
  const cdp = await context.newCDPSession(page)
  await cdp.send('DOM.enable')
  await cdp.send('CSS.enable')
  await cdp.send('DOM.getDocument', { depth: -1, pierce: true })
  const { result } = await cdp.send('Runtime.evaluate', {
    expression: `document.querySelector('#newswire-story').shadowRoot.querySelector('article[data-entry-id="e2"] p')`,
  })
  assert.ok(result.objectId, 'a remote object for the paragraph')
  const { nodeId } = await cdp.send('DOM.requestNode', { objectId: result.objectId })
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId })
  assert.ok(
    fonts.some((f) => /Bengali/.test(f.familyName) && f.glyphCount > 10),
    `a Bengali font draws the entry: ${JSON.stringify(fonts)}`,
  )
  await screenshot(page, 'story-live-bengali.png')

  // the fan-out's own demo page, under its strict CSP, shows the same story
  const demo = await context.newPage()
  demo.on('pageerror', (e) => errors.push(e.message))
  await demo.goto(`${fanout.url}/story?id=${id}&version=2&language=bn`)
  await demo.waitForFunction(() => document.querySelector('#newswire-story')?.getAttribute('data-mode') === 'live')
  await demo.waitForFunction(
    () => (document.querySelector('#newswire-story')?.shadowRoot?.querySelectorAll('.feed article').length ?? 0) === 1,
  )
  assert.equal(await demo.locator('#newswire-story').getAttribute('data-story-state'), 'current', 'the page shows the newest version')
  await demo.locator('#newswire-story').scrollIntoViewIfNeeded()
  await screenshot(demo, 'story-demo-page.png')
  assert.deepEqual(errors, [])
})
