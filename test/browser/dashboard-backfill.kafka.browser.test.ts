// Issue 15, item 4: a backfill must not bury the live desk. In Debian's Chromium against real
// ingest, Kafka and fan-out, an editor's desk holds today's breaking, embargoed, withheld, killed
// and live stories, then 200 older pages from 2024 are imported through ingest
// (POST /v1/import/scraped) after them. A freshly opened dashboard shows today first; the state
// filter asks the server for that state's stories (an embargoed story dated 2023, far below the
// backfill, comes up); "Load older" pages through the backfill to the end with no story twice (the
// WebSocket snapshot and the pages are read off the wire); the counts per category cover the last
// hour of the whole store and follow the stream. Screenshots in .cache/screenshots/.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import type { Page } from 'playwright-core'
import { signNewsroomToken } from '../../services/fanout/src/index.ts'
import { article, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { http, startTestIngest, uniquePrefix } from '../helpers.ts'
import { bengaliSample, launch, openDashboard, openPage, screenshot } from './helpers.ts'

const BACKFILL = 200
const bnDigits = (n: number, width = 1) =>
  String(n)
    .padStart(width, '0')
    .replace(/\d/g, (d) => '০১২৩৪৫৬৭৮৯'[Number(d)] as string)

/** The Bengali sample as page `i` of the archive: its own headline and a day and time in August 2024. */
function archivedPage(i: number): string {
  const lines = bengaliSample.split('\n')
  const day = 1 + Math.floor(i / 8)
  const hour = 1 + (i % 8)
  const minute = (i * 7) % 60
  const stamp = `${bnDigits(day)} আগস্ট ২০২৪, ${bnDigits(hour, 2)}:${bnDigits(minute, 2)} এএম`
  lines[0] = `${lines[0]} — আর্কাইভ ${bnDigits(i)}`
  lines[1] = `${stamp} | আপডেট: ${stamp}`
  return lines.join('\n')
}

async function importArchive(ingestUrl: string): Promise<void> {
  const queue = Array.from({ length: BACKFILL }, (_, i) => i)
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      const res = await http(`${ingestUrl}/v1/import/scraped?id=archive-${String(i).padStart(3, '0')}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: archivedPage(i),
      })
      if (res.status !== 201 && res.status !== 200) throw new Error(`import ${i}: ${res.status} ${res.text}`)
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
}

/** Every story the server holds for the token, by paging GET /v1/snapshot to the end. */
async function storiesOnServer(fanoutUrl: string, token: string): Promise<string[]> {
  const ids: string[] = []
  let before: string | null = ''
  while (before !== null) {
    const res = await http(`${fanoutUrl}/v1/snapshot?channels=all&limit=200${before ? `&before=${before}` : ''}`, { key: token })
    if (res.status !== 200) throw new Error(`GET /v1/snapshot: ${res.status} ${res.text}`)
    const body = res.body as { items: { article: { id: string } }[]; next: string | null }
    ids.push(...body.items.map((e) => e.article.id))
    before = body.next
  }
  return ids
}

/** The stories on the page, in order, with their state and editorial time. */
async function shown(page: Page): Promise<{ id: string; state: string; at: string }[]> {
  return page.locator('#feed li[data-article-id]').evaluateAll((els) =>
    els.map((el) => ({
      id: el.getAttribute('data-article-id') ?? '',
      state: el.getAttribute('data-state') ?? '',
      at: el.querySelector('.meta time')?.getAttribute('datetime') ?? '',
    })),
  )
}

async function counts(page: Page): Promise<Record<string, string>> {
  return page
    .locator('#counts tr[data-category]')
    .evaluateAll((rows) =>
      Object.fromEntries(rows.map((r) => [r.getAttribute('data-category') ?? '', r.querySelector('.n')?.textContent ?? ''])),
    )
}

test('dashboard: after a backfill of 200 old pages, today is on top; older pages, the state filter and the counts', {
  timeout: 180_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: 900, sub: 'desk-editor' })
  const inTwoHours = new Date(Date.now() + 2 * 3_600_000).toISOString()

  // Today's desk, then the backfill on top of it in the log
  await publish(ingest.url, article('t-breaking', { headline: 'Flood barrier fails upstream', urgency: 1 }))
  await publish(
    ingest.url,
    article('t-embargoed', { headline: 'Quarterly inflation figures', category: 'business', embargoedUntil: inTwoHours }),
  )
  await publish(
    ingest.url,
    article('t-withheld', { headline: 'Minister resigns (held for legal)', category: 'politics', pubStatus: 'withheld' }),
  )
  await publish(ingest.url, article('t-sports', { headline: 'Cup final goes to extra time', category: 'sports' }))
  await publish(ingest.url, article('t-killed', { headline: 'Wrong casualty figures' }))
  await withdraw(ingest.url, 't-killed', 'legal')
  // an investigation dated last year, under embargo until tomorrow: far below the backfill
  await publish(
    ingest.url,
    article('old-embargoed', {
      headline: 'Two-year investigation into port contracts',
      category: 'business',
      publishedAt: '2023-05-02T08:00:00Z',
      updatedAt: '2023-05-02T08:00:00Z',
      embargoedUntil: new Date(Date.now() + 86_400_000).toISOString(),
    }),
  )
  const t0 = Date.now()
  await importArchive(ingest.url)
  t.diagnostic(`imported ${BACKFILL} pages through /v1/import/scraped in ${Date.now() - t0} ms`)
  const total = BACKFILL + 6
  for (let i = 0; ; i++) {
    const ids = await storiesOnServer(fanout.url, token)
    if (ids.length === total) {
      assert.equal(new Set(ids).size, total, 'the server pages a story twice')
      break
    }
    if (i > 100) assert.fail(`the fan-out holds ${ids.length} of ${total} stories`)
    await new Promise((r) => setTimeout(r, 200))
  }

  const browser = await launch(t)
  const editor = await openPage(browser, 1280, 1000)
  const page = editor.page
  // What the wire carries: the subscription's snapshot, and the pages of the whole desk
  const wire: { snapshot: string[] } = { snapshot: [] }
  page.on('websocket', (ws) =>
    ws.on('framereceived', (f) => {
      const m = JSON.parse(String(f.payload)) as { type: string; snapshot?: { article: { id: string } }[] }
      if (m.type === 'subscribed' && m.snapshot) wire.snapshot = m.snapshot.map((e) => e.article.id)
    }),
  )
  // the pages, read in the page itself (a response body is not always kept for the test to read)
  await page.addInitScript(() => {
    const pages: string[][] = []
    Object.assign(window, { newswirePages: pages })
    const original = window.fetch.bind(window)
    window.fetch = async (input, init) => {
      const res = await original(input, init)
      const u = new URL(input instanceof Request ? input.url : String(input), location.href)
      if (u.pathname === '/v1/snapshot' && !u.searchParams.has('states') && u.searchParams.has('before')) {
        const body = (await res.clone().json()) as { items: { article: { id: string } }[] }
        pages.push(body.items.map((e) => e.article.id))
      }
      return res
    }
  })
  await openDashboard(page, fanout.url, token)
  await page.waitForSelector('#status[data-state=connected]', { timeout: 10_000 })
  await page.locator('#feed li[data-article-id]').nth(49).waitFor({ timeout: 10_000 })
  await page.locator('#counts tr[data-category="national"]').waitFor({ timeout: 10_000 })
  const fresh = await shown(page)
  assert.equal(fresh.length, 50, 'the snapshot: 50 stories')
  // Today's desk first, newest editorial time first (the kill is the latest change); then the archive
  assert.deepEqual(
    fresh.slice(0, 5).map((s) => s.id),
    ['t-killed', 't-sports', 't-withheld', 't-embargoed', 't-breaking'],
  )
  assert.deepEqual(
    fresh.slice(0, 5).map((s) => s.state),
    ['withdrawn', 'live', 'withheld', 'embargoed', 'live'],
  )
  assert.ok(
    fresh.slice(5).every((s) => s.id.startsWith('archive-') && s.at.startsWith('2024-08')),
    JSON.stringify(fresh.slice(5, 8)),
  )
  assert.equal(fresh[5]?.id, 'archive-199')
  assert.equal(await page.locator('#shown').textContent(), '50 of 50 shown')
  // The last hour, per category, over the whole store: today's categories only, the kill left out
  assert.deepEqual(await counts(page), { business: '1', national: '1', politics: '1', sports: '1' })
  await screenshot(page, 'dashboard-backfill-fresh.png')

  // The state filter asks the server: the 2023 embargoed story, not among the 50, comes up
  await page.selectOption('#filter-state', 'embargoed')
  await page.locator('#feed li[data-article-id="old-embargoed"]').waitFor({ timeout: 10_000 })
  const embargoed = await shown(page)
  assert.deepEqual(
    embargoed.map((s) => [s.id, s.state]),
    [
      ['t-embargoed', 'embargoed'],
      ['old-embargoed', 'embargoed'],
    ],
  )
  await screenshot(page, 'dashboard-backfill-embargoed.png')
  await page.selectOption('#filter-state', 'withheld')
  assert.deepEqual(
    (await shown(page)).map((s) => [s.id, s.state]),
    [['t-withheld', 'withheld']],
  )
  await page.selectOption('#filter-state', '')

  // Load older: 50 at a time, to the end, in editorial order, each story once
  for (let n = 51; ; ) {
    await page.click('#older')
    await page.waitForFunction(
      (want) =>
        document.querySelectorAll('#feed li[data-article-id]').length >= want ||
        document.querySelector('#older-status')?.textContent === 'No older stories.',
      Math.min(n + 49, total),
      { timeout: 10_000 },
    )
    const count = await page.locator('#feed li[data-article-id]').count()
    if ((await page.locator('#older').isDisabled()) && (await page.locator('#older-status').textContent()) === 'No older stories.') break
    assert.ok(count >= n, `after Load older: ${count} stories`)
    n = count + 1
  }
  const all = await shown(page)
  assert.equal(all.length, total)
  assert.equal(new Set(all.map((s) => s.id)).size, total)
  for (let i = 1; i < all.length; i++) {
    assert.ok((all[i - 1]?.at ?? '') >= (all[i]?.at ?? ''), `out of order at ${i}: ${JSON.stringify(all.slice(i - 1, i + 1))}`)
  }
  assert.equal(all.at(-1)?.id, 'old-embargoed')
  assert.equal(await page.locator('#shown').textContent(), `${total} of ${total} shown`)
  // on the wire: the snapshot and the pages of the desk hold each story once, all of them
  const pages = await page.evaluate(() => (window as unknown as { newswirePages: string[][] }).newswirePages)
  const onWire = [...wire.snapshot, ...pages.flat()]
  t.diagnostic(`snapshot ${wire.snapshot.length} + pages ${pages.map((p) => p.length).join('+')}`)
  assert.equal(new Set(onWire).size, onWire.length, 'a story came twice over the wire')
  assert.equal(onWire.length, total)
  await page.locator('#feed li[data-article-id="archive-000"]').scrollIntoViewIfNeeded()
  await screenshot(page, 'dashboard-backfill-older.png')

  // Live: a new story counts at once, a kill leaves the counts
  await publish(ingest.url, article('t-new', { headline: 'Bridge reopens after repairs' }))
  await withdraw(ingest.url, 't-sports', 'wrong result')
  await page.locator('#counts tr[data-category="national"] .n', { hasText: '2' }).waitFor({ timeout: 10_000 })
  await page.locator('#feed li[data-article-id="t-sports"][data-state=withdrawn]').waitFor({ timeout: 10_000 })
  assert.deepEqual(await counts(page), { business: '1', national: '2', politics: '1' })
  await page.evaluate(() => window.scrollTo(0, 0))
  await screenshot(page, 'dashboard-backfill-live.png')

  // A reload: today is still on top, the counts the same
  await page.reload()
  await page.locator('#feed li[data-article-id]').nth(49).waitFor({ timeout: 10_000 })
  await page.locator('#counts tr[data-category="national"] .n', { hasText: '2' }).waitFor({ timeout: 10_000 })
  assert.deepEqual(
    (await shown(page)).slice(0, 3).map((s) => s.id),
    ['t-sports', 't-new', 't-killed'],
  )
  assert.deepEqual(await counts(page), { business: '1', national: '2', politics: '1' })
  assert.deepEqual(editor.errors, [])
  assert.deepEqual(
    editor.consoleErrors.filter((m) => /Content Security Policy/i.test(m)),
    [],
  )
})
