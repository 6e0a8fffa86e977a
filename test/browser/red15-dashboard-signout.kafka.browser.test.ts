// "Forget token" on a shared newsroom terminal (red15 attack run, 2026-12-06): the session ends
// and the page is cleared, the open story included. The story dialog was closed but kept what it
// last drew, the entries of a live story, held and embargoed ones with their text, in the page for
// anyone who opened the browser's tools after the editor had signed out.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { signNewsroomToken } from '../../services/fanout/src/index.ts'
import { article, publish, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { http, startTestIngest, uniquePrefix } from '../helpers.ts'
import { launch, openDashboard, openPage } from './helpers.ts'

test('after "Forget token" nothing the session was shown is left in the page, the open story included', { timeout: 120_000 }, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: 600, sub: 'editor' })
  const story = 'Live-Signout-1'
  await publish(ingest.url, article(story, { live: true, headline: 'Live: talks at the ministry' }))
  const later = new Date(Date.now() + 30 * 60_000).toISOString()
  const put = async (id: string, body: Record<string, unknown>) => {
    const r = await http(`${ingest.url}/v1/articles/${story}/entries/${id}`, { method: 'PUT', json: body })
    assert.ok(r.status === 200 || r.status === 201, r.text)
  }
  await put('e1', { body: ['Talks began at nine.'] })
  await put('e2', { body: ['The minister will resign at noon (embargoed).'], embargoedUntil: later })
  await put('e3', { body: ['Names of the negotiators (held).'], pubStatus: 'withheld' })

  const browser = await launch(t)
  const { page, errors } = await openPage(browser, 1280, 900)
  await openDashboard(page, fanout.url, token)
  await page.waitForSelector('#status[data-state=connected]')
  await page.locator(`#feed li[data-article-id="${story}"] button.open-story`).click({ timeout: 15_000 })
  await page.locator('#story-panel .entries li[data-entry-id="e2"]').waitFor({ timeout: 15_000 })
  await page.locator('#story-panel .entries li[data-entry-id="e3"]').waitFor({ timeout: 15_000 })

  await page.click('#story-panel button.close')
  await page.click('#signout')
  await page.locator('#login:not([hidden])').waitFor({ timeout: 10_000 })
  const left = await page.evaluate(() => document.documentElement.textContent ?? '')
  for (const text of ['Live: talks at the ministry', 'will resign at noon', 'Names of the negotiators', 'Talks began'])
    assert.ok(!left.includes(text), `'${text}' is still in the page after "Forget token"`)
  assert.deepEqual(errors, [])
})
