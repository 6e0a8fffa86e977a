// red17c attack run (2026-12-06): the entries of a live story that is not running. An entry
// reaches readers only through its story (the fan-out's visibleEntry): while the story is withheld
// or under embargo, none of its entries runs, whatever its own state. The dashboard counted and
// showed each entry by its own state alone, so an editor who opened a live blog prepared under
// embargo, or held by the desk, read "2 entries: 2 live" and a `live` badge on every entry while no
// reader outside the newsroom could see one (stop 47 had made a story's own badge wait for the
// server's release; its entries did not look at the story at all). Fixed: an entry of a story that
// is not running reads as held with it (web/live-desk.ts), on the desk's counts line and in the panel.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import type { Page } from 'playwright-core'
import { signNewsroomToken } from '../../services/fanout/src/index.ts'
import { article, publish, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { http, startTestIngest, uniquePrefix } from '../helpers.ts'
import { launch, openDashboard, openPage } from './helpers.ts'

async function putEntry(ingestUrl: string, story: string, id: string, body: Record<string, unknown>): Promise<void> {
  const r = await http(`${ingestUrl}/v1/articles/${story}/entries/${id}`, { method: 'PUT', json: body })
  assert.ok(r.status === 200 || r.status === 201, `PUT ${id}: ${r.status} ${r.text}`)
}

async function patchStory(ingestUrl: string, story: string, patch: Record<string, unknown>): Promise<void> {
  const r = await http(`${ingestUrl}/v1/articles/${story}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify(patch),
  })
  assert.equal(r.status, 200, r.text)
}

const countsOf = (page: Page, id: string) =>
  page.locator(`#feed li[data-article-id="${id}"]`).evaluate((li) => li.querySelector('.entry-counts')?.textContent ?? null)

const countsAre = (page: Page, id: string, text: string) =>
  page.waitForFunction(
    ([id, text]) => document.querySelector(`#feed li[data-article-id="${id}"] .entry-counts`)?.textContent === text,
    [id, text] as const,
    { timeout: 20_000 },
  )

const panelEntries = (page: Page) =>
  page.locator('#story-panel .entries li[data-entry-id]').evaluateAll((els) =>
    els.map((el) => ({
      id: el.getAttribute('data-entry-id') ?? '',
      state: el.querySelector('.badge.state')?.textContent ?? '',
      line: el.querySelector('.state-line')?.textContent ?? '',
    })),
  )

test('dashboard: the entries of a withheld or embargoed live story never read as live, on the desk or opened', {
  timeout: 180_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix, { FANOUT_DESK_TIME_ZONE: 'Asia/Dhaka' })
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: 600, sub: 'held-story-editor' })
  const held = 'Held-Live-1'
  await publish(ingest.url, article(held, { live: true, headline: 'Live: talks in Dhaka', pubStatus: 'withheld' }))
  await putEntry(ingest.url, held, 'e1', { body: ['Delegations arrive.'] })
  await putEntry(ingest.url, held, 'e2', { body: ['Names of the delegates (held).'], pubStatus: 'withheld' })
  const embargoed = 'Embargoed-Live-1'
  const until = new Date(Date.now() + 3_600_000)
  until.setMilliseconds(0)
  await publish(ingest.url, article(embargoed, { live: true, headline: 'Live: budget day', embargoedUntil: until.toISOString() }))
  await putEntry(ingest.url, embargoed, 'b1', { body: ['The minister rises at three.'] })

  const browser = await launch(t)
  const { page, errors } = await openPage(browser, 1280, 900)
  await openDashboard(page, fanout.url, token)
  await page.waitForSelector('#status[data-state=connected]')
  await page.waitForFunction(
    (id) => document.querySelector(`#feed li[data-article-id="${id}"] .entry-counts`)?.textContent?.startsWith('2 entries'),
    held,
  )
  await page.waitForFunction(
    (id) => document.querySelector(`#feed li[data-article-id="${id}"] .entry-counts`)?.textContent?.startsWith('1 entry'),
    embargoed,
  )
  // the stories read as what they are; their entries must not read as running
  assert.equal(await page.locator(`#feed li[data-article-id="${held}"]`).getAttribute('data-state'), 'withheld')
  assert.equal(await page.locator(`#feed li[data-article-id="${embargoed}"]`).getAttribute('data-state'), 'embargoed')
  // no reader outside the newsroom sees any of their entries
  for (const id of [held, embargoed]) assert.equal((await http(`${fanout.url}/v1/stories/${id}/entries`, { key: null })).status, 404, id)
  assert.equal(await countsOf(page, held), '2 entries: 2 withheld')
  assert.equal(await countsOf(page, embargoed), '1 entry: 1 embargoed')

  // opened: each entry held with its story, and why
  await page.locator(`#feed li[data-article-id="${embargoed}"] button.open-story`).click()
  await page.waitForFunction(() => document.querySelectorAll('#story-panel .entries li[data-entry-id]').length === 1)
  const [b1] = await panelEntries(page)
  assert.equal(b1?.state, 'embargoed')
  assert.match(b1?.line ?? '', /^Embargoed until .+ Asia\/Dhaka \(GMT\+6\) · in .+ Reason: its story is under embargo$/)
  await page.keyboard.press('Escape')
  await page.locator(`#feed li[data-article-id="${held}"] button.open-story`).click()
  await page.waitForFunction(() => document.querySelectorAll('#story-panel .entries li[data-entry-id]').length === 2)
  assert.deepEqual(await panelEntries(page), [
    { id: 'e2', state: 'withheld', line: 'Withheld — held back, readers do not see it; it may still run.' },
    { id: 'e1', state: 'withheld', line: 'Withheld — held back, readers do not see it; it may still run. Reason: its story is withheld' },
  ])

  // the desk releases the story: its entries run by their own states, open or not
  await patchStory(ingest.url, held, { pubStatus: 'usable' })
  await page.waitForFunction(() => document.querySelector('#story-panel li[data-entry-id="e1"]')?.getAttribute('data-state') === 'live')
  assert.equal(await page.locator('#story-panel .counts').textContent(), '2 entries: 1 live · 1 withheld')
  await countsAre(page, held, '2 entries: 1 live · 1 withheld')
  const shown = await http(`${fanout.url}/v1/stories/${held}/entries`, { key: null })
  assert.equal(shown.status, 200, shown.text)
  await page.keyboard.press('Escape')
  await patchStory(ingest.url, embargoed, { embargoedUntil: null })
  await countsAre(page, embargoed, '1 entry: 1 live')

  // held again, then a reload: the server's record, the same words
  await patchStory(ingest.url, held, { pubStatus: 'withheld' })
  await countsAre(page, held, '2 entries: 2 withheld')
  await page.reload()
  await countsAre(page, held, '2 entries: 2 withheld')
  await countsAre(page, embargoed, '1 entry: 1 live')
  assert.deepEqual(errors, [])
})
