// The newsroom dashboard and live stories, in Debian's Chromium against real ingest, Kafka and
// fan-out: each live story on the desk shows its entries counted by editorial state; an editor
// opens one and sees every entry with its state as a word (live, embargoed until when, withheld,
// deleted with the reason), live as entries come, are deleted, and an embargo passes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import type { Page } from 'playwright-core'
import { signNewsroomToken } from '../../services/fanout/src/index.ts'
import { article, publish, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { http, startTestIngest, uniquePrefix } from '../helpers.ts'
import { embargoClock, launch, openDashboard, openPage, screenshot } from './helpers.ts'

async function putEntry(ingestUrl: string, story: string, id: string, body: Record<string, unknown>): Promise<void> {
  const r = await http(`${ingestUrl}/v1/articles/${story}/entries/${id}`, { method: 'PUT', json: body })
  assert.ok(r.status === 200 || r.status === 201, `PUT ${id}: ${r.status} ${r.text}`)
}

/** The counts line of a story on the desk, or null when it has none. */
const countsOf = (page: Page, id: string) =>
  page.locator(`#feed li[data-article-id="${id}"]`).evaluate((li) => li.querySelector('.entry-counts')?.textContent ?? null)

/** The open story's entries as shown: id, state word, and the state line. */
const panelEntries = (page: Page) =>
  page.locator('#story-panel .entries li[data-entry-id]').evaluateAll((els) =>
    els.map((el) => ({
      id: el.getAttribute('data-entry-id') ?? '',
      state: el.querySelector('.badge.state')?.textContent ?? '',
      line: el.querySelector('.state-line')?.textContent ?? '',
      flags: [...el.querySelectorAll('.badge:not(.state)')].map((b) => b.textContent ?? ''),
    })),
  )

test('dashboard: live stories with their entry counts; an editor opens one and watches its entries and their states', {
  timeout: 180_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix, { FANOUT_DESK_TIME_ZONE: 'Asia/Dhaka' })
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: 600, sub: 'live-editor' })
  await publish(ingest.url, article('plain-1', { headline: 'Budget passes' }))
  const story = 'Live-Desk-1'
  await publish(ingest.url, article(story, { live: true, headline: 'Live: fire at Chattogram port' }))
  const embargoEnds = new Date(Date.now() + 20_000)
  embargoEnds.setMilliseconds(0)
  await putEntry(ingest.url, story, 'e1', { body: ['Summary: a fire broke out at dawn.'], pinned: true })
  await putEntry(ingest.url, story, 'e2', { headline: 'Fire under control', body: ['The fire service says so.'], keyEvent: true })
  await putEntry(ingest.url, story, 'e3', { body: ['Names of the injured (held for the families).'], pubStatus: 'withheld' })
  await putEntry(ingest.url, story, 'e4', { body: ['The minister will visit at noon.'], embargoedUntil: embargoEnds.toISOString() })
  await putEntry(ingest.url, story, 'e5', { body: ['Posted twice by mistake.'] })
  await putEntry(ingest.url, story, 'e6', { body: ['Two berths closed.'] })
  await publish(ingest.url, article('bn-live-2', { live: true, language: 'bn', headline: 'সরাসরি: ঢাকায় বৃষ্টি' }))
  await putEntry(ingest.url, 'bn-live-2', 'b1', { body: ['সকাল থেকে বৃষ্টি হচ্ছে।'] })

  const browser = await launch(t)
  const { page, errors } = await openPage(browser, 1280, 900)
  await openDashboard(page, fanout.url, token)
  await page.waitForSelector('#status[data-state=connected]')
  await page.waitForFunction(
    (id) => document.querySelector(`#feed li[data-article-id="${id}"] .entry-counts`)?.textContent?.startsWith('6 entries'),
    story,
  )
  assert.equal(await countsOf(page, story), '6 entries: 4 live · 1 embargoed · 1 withheld')
  await page.waitForFunction(
    () => document.querySelector('#feed li[data-article-id="bn-live-2"] .entry-counts')?.textContent === '1 entry: 1 live',
  )
  assert.equal(await countsOf(page, 'plain-1'), null, 'an ordinary story has no entries line')
  assert.equal(await page.locator(`#feed li[data-article-id="${story}"] .badge.live-blog`).textContent(), 'live blog')
  await screenshot(page, 'dashboard-live-list.png')

  // open it, by keyboard
  await page.locator(`#feed li[data-article-id="${story}"] button.open-story`).focus()
  await page.keyboard.press('Enter')
  await page.waitForSelector('#story-panel[open]')
  assert.equal(await page.locator('#story-panel h2').textContent(), 'Live: fire at Chattogram port')
  await page.waitForFunction(() => document.querySelectorAll('#story-panel .entries li[data-entry-id]').length === 6)
  let shown = await panelEntries(page)
  assert.deepEqual(
    shown.map((e) => [e.id, e.state]),
    [
      ['e6', 'live'],
      ['e5', 'live'],
      ['e4', 'embargoed'],
      ['e3', 'withheld'],
      ['e2', 'live'],
      ['e1', 'live'],
    ],
  )
  assert.match(shown[2]?.line ?? '', new RegExp(`^Embargoed until ${embargoClock(embargoEnds)} Asia/Dhaka \\(GMT\\+6\\) · in \\d+ min$`))
  assert.match(shown[3]?.line ?? '', /^Withheld — held back, readers do not see it; it may still run\.$/)
  assert.deepEqual(shown[4]?.flags, ['key event'])
  assert.deepEqual(shown[5]?.flags, ['pinned'])
  assert.equal(await page.locator('#story-panel .counts').textContent(), '6 entries: 4 live · 1 embargoed · 1 withheld')

  // live: a new entry, a deletion with its reason
  await putEntry(ingest.url, story, 'e7', { body: ['Traffic diverted.'] })
  const del = await http(`${ingest.url}/v1/articles/${story}/entries/e5`, { method: 'DELETE', json: { reason: 'posted twice' } })
  assert.equal(del.status, 200, del.text)
  await page.waitForFunction(() => document.querySelector('#story-panel li[data-entry-id="e5"]')?.getAttribute('data-state') === 'deleted')
  await page.waitForFunction(
    () => document.querySelector('#story-panel .entries li[data-entry-id]')?.getAttribute('data-entry-id') === 'e7',
  )
  shown = await panelEntries(page)
  assert.deepEqual(
    shown.find((e) => e.id === 'e5'),
    { id: 'e5', state: 'deleted', line: 'Deleted — taken off every page. Reason: posted twice', flags: [] },
  )
  assert.equal(await page.locator('#story-panel .counts').textContent(), '6 entries: 4 live · 1 embargoed · 1 withheld · 1 deleted')
  assert.equal(await countsOf(page, story), '6 entries: 4 live · 1 embargoed · 1 withheld · 1 deleted')
  await screenshot(page, 'dashboard-live-story.png')

  // the embargo passes on the open panel
  await page.waitForFunction(
    () => document.querySelector('#story-panel li[data-entry-id="e4"]')?.getAttribute('data-state') === 'live',
    null,
    {
      timeout: 40_000,
    },
  )
  assert.equal(await page.locator('#story-panel .counts').textContent(), '6 entries: 5 live · 1 withheld · 1 deleted')

  // Escape closes it; the desk keeps counting
  await page.keyboard.press('Escape')
  await page.waitForFunction(() => !(document.querySelector('#story-panel') as HTMLDialogElement | null)?.open)
  await putEntry(ingest.url, story, 'e8', { body: ['Ferries resume.'] })
  await page.waitForFunction(
    (id) => document.querySelector(`#feed li[data-article-id="${id}"] .entry-counts`)?.textContent?.startsWith('7 entries'),
    story,
  )
  // after a reload the server's record: deleted entries are not kept, the rest are
  await page.reload()
  await page.waitForFunction(
    (id) => document.querySelector(`#feed li[data-article-id="${id}"] .entry-counts`)?.textContent === '7 entries: 6 live · 1 withheld',
    story,
  )
  assert.deepEqual(errors, [])
})
