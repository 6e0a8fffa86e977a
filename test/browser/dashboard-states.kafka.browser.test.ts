// An editor's dashboard on a stack holding embargoed, withheld, withdrawn and live stories, in
// Debian's Chromium against real ingest, Kafka and fan-out: each story's label after a fresh load,
// after a reload and live (withheld is never shown as withdrawn, embargoed never as plain news),
// an embargo passing on the open page, and every time in the desk's one labelled zone.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import type { Page } from 'playwright-core'
import { signNewsroomToken } from '../../services/fanout/src/index.ts'
import { article, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { startTestIngest, uniquePrefix } from '../helpers.ts'
import { embargoClock, launch, openDashboard, openPage, screenshot } from './helpers.ts'

/** What the page shows for each story: its state label and the line under the headline. */
async function labels(page: Page): Promise<Record<string, { state: string; badge: string; line: string; struck: boolean }>> {
  return page.locator('#feed li[data-article-id]').evaluateAll((els) =>
    Object.fromEntries(
      els.map((el) => {
        const headline = el.querySelector('.headline')
        return [
          el.getAttribute('data-article-id') ?? '',
          {
            state: el.getAttribute('data-state') ?? '',
            badge: el.querySelector('.badge.state')?.textContent ?? '',
            line: el.querySelector('.state-line')?.textContent ?? '',
            struck: headline ? getComputedStyle(headline).textDecorationLine.includes('line-through') : false,
          },
        ]
      }),
    ),
  )
}

test('dashboard: every story shows its own state, on a fresh load, after a reload and live', { timeout: 120_000 }, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix, { FANOUT_DESK_TIME_ZONE: 'Asia/Dhaka' })
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: 600, sub: 'desk-editor' })
  const releaseAt = new Date(Date.now() + 10 * 60_000)
  releaseAt.setMilliseconds(0)

  // The desk before anyone opens the page
  await publish(ingest.url, article('s-live', { headline: 'Parliament passes the budget', urgency: 2 }))
  await publish(
    ingest.url,
    article('s-embargoed', { headline: 'Inflation report', category: 'business', embargoedUntil: releaseAt.toISOString() }),
  )
  await publish(ingest.url, article('s-withheld', { headline: 'Minister resigns (held for legal)', pubStatus: 'withheld' }))
  await publish(ingest.url, article('s-killed', { headline: 'Wrong casualty figures' }))
  await withdraw(ingest.url, 's-killed', 'legal')
  await publish(
    ingest.url,
    article('s-bn', { language: 'bn', headline: 'ঢাকায় আজ বৃষ্টির সম্ভাবনা', body: ['বিস্তারিত আসছে।'], category: 'international' }),
  )

  const browser = await launch(t)
  const expectDesk = async (page: Page, when: string) => {
    await page.waitForSelector('#status[data-state=connected]', { timeout: 10_000 })
    // Partitions are read in no set order: wait for each story, not only the last one published
    for (const id of ['s-live', 's-embargoed', 's-withheld', 's-bn']) {
      await page.locator(`#feed li[data-article-id="${id}"]`).waitFor({ timeout: 10_000 })
    }
    const seen = await labels(page)
    assert.deepEqual(
      [seen['s-live']?.state, seen['s-embargoed']?.state, seen['s-withheld']?.state, seen['s-bn']?.state],
      ['live', 'embargoed', 'withheld', 'live'],
      `${when}: ${JSON.stringify(seen)}`,
    )
    assert.equal(seen['s-embargoed']?.badge, 'embargoed')
    // Held back, not killed: its own badge and words, not struck through
    assert.equal(seen['s-withheld']?.badge, 'withheld')
    assert.equal(seen['s-withheld']?.line, 'Withheld — held back, not running; it may still run.')
    assert.doesNotMatch(seen['s-withheld']?.line ?? '', /withdrawn/i)
    assert.equal(seen['s-withheld']?.struck, false)
    // A snapshot leaves killed stories out today; if the server sends them, they must read withdrawn
    const killed = seen['s-killed']
    assert.ok(killed === undefined || killed.state === 'withdrawn', `${when}: the killed story reads ${JSON.stringify(killed)}`)
    t.diagnostic(`${when}: the killed story is ${killed ? 'shown as withdrawn' : 'not in the snapshot'}`)
    // One zone, labelled; seconds on the embargo time; relative times in the story's language
    assert.match((await page.locator('#time-zone option:checked').textContent()) ?? '', /^Asia\/Dhaka \(GMT\+6\) — desk$/)
    const embargo = page.locator('#feed li[data-article-id="s-embargoed"] .state-line')
    assert.match(
      (await embargo.textContent()) ?? '',
      new RegExp(`^Embargoed until ${embargoClock(releaseAt)} Asia/Dhaka \\(GMT\\+6\\) · in (9|10) min$`),
    )
    assert.equal(await embargo.locator('time').getAttribute('datetime'), releaseAt.toISOString())
    assert.match((await page.locator('#feed li[data-article-id="s-bn"] .ago').textContent()) ?? '', /^(এখন|[০-৯]+ মিনিট আগে)$/)
  }

  // A fresh load, then a reload of the same tab
  const editor = await openPage(browser, 1280, 1000)
  await openDashboard(editor.page, fanout.url, token)
  await expectDesk(editor.page, 'fresh load')
  await screenshot(editor.page, 'dashboard-states-fresh.png')
  await editor.page.reload()
  await expectDesk(editor.page, 'reload')
  await screenshot(editor.page, 'dashboard-states-reload.png')

  // Live on the open page: a hold, a kill, a new embargo that passes while the editor watches
  const shortRelease = new Date(Date.now() + 6000)
  await publish(
    ingest.url,
    article('s-bn', { language: 'bn', headline: 'ঢাকায় আজ বৃষ্টির সম্ভাবনা', category: 'international', pubStatus: 'withheld' }),
  )
  await withdraw(ingest.url, 's-live', 'court order')
  await publish(ingest.url, article('s-short', { headline: 'Results at noon', embargoedUntil: shortRelease.toISOString() }))
  const page = editor.page
  await page.locator('#feed li[data-article-id="s-bn"][data-state=withheld]').waitFor({ timeout: 5000 })
  await page.locator('#feed li[data-article-id="s-live"][data-state=withdrawn]').waitFor({ timeout: 5000 })
  await page.locator('#feed li[data-article-id="s-short"][data-state=embargoed]').waitFor({ timeout: 5000 })
  const live = await labels(page)
  assert.equal(live['s-live']?.badge, 'withdrawn')
  assert.equal(live['s-live']?.line, 'Withdrawn — killed, must not run. Reason: court order')
  assert.equal(live['s-live']?.struck, true)
  assert.equal(live['s-bn']?.struck, false)
  assert.match(live['s-bn']?.line ?? '', /^Withheld/)
  // The filter shows one state, and says how many of each there are
  await page.selectOption('#filter-state', 'withheld')
  assert.deepEqual(Object.keys(await labels(page)).sort(), ['s-bn', 's-withheld'])
  assert.equal(await page.locator('#filter-state option[value=withheld]').textContent(), 'withheld (2)')
  await page.selectOption('#filter-state', '')
  await screenshot(page, 'dashboard-states-live.png')
  // The badge flips when the embargo ends, not at the next 15 s tick
  await page.locator('#feed li[data-article-id="s-short"][data-state=live]').waitFor({ timeout: 15_000 })
  const lateMs = Date.now() - shortRelease.getTime()
  t.diagnostic(`the embargo badge went ${lateMs} ms after the release time`)
  assert.ok(lateMs < 3000, `flipped ${lateMs} ms late (the clock tick alone would take up to 15 s)`)

  // After another reload the states are the same as live (the kill: as the server's snapshot has it)
  await page.reload()
  await page.locator('#feed li[data-article-id="s-short"]').waitFor({ timeout: 10_000 })
  const after = await labels(page)
  assert.deepEqual(
    [after['s-bn']?.state, after['s-short']?.state, after['s-embargoed']?.state, after['s-withheld']?.state],
    ['withheld', 'live', 'embargoed', 'withheld'],
  )
  assert.ok(after['s-live'] === undefined || after['s-live'].state === 'withdrawn', JSON.stringify(after['s-live']))

  // The editor picks another zone for this browser: every time follows, and it sticks
  await page.selectOption('#time-zone', 'UTC')
  assert.match(
    (await page.locator('#feed li[data-article-id="s-embargoed"] .state-line').textContent()) ?? '',
    new RegExp(`^Embargoed until ${embargoClock(releaseAt, 'UTC')} UTC · `),
  )
  await page.reload()
  await page.locator('#feed li[data-article-id="s-embargoed"]').waitFor({ timeout: 10_000 })
  assert.equal(await page.locator('#time-zone').inputValue(), 'UTC')
  await screenshot(page, 'dashboard-states-reload-utc.png')
  assert.deepEqual(editor.errors, [])
  assert.deepEqual(
    editor.consoleErrors.filter((m) => /Content Security Policy/i.test(m)),
    [],
  )
})

test('dashboard: a resume the server refuses (a reset) never leaves a story killed meanwhile reading as running', {
  timeout: 120_000,
}, async (t) => {
  // The server answers a position it cannot verify (here: signed with a key it no longer has) with
  // `reset` and a fresh snapshot: the desk must start over from it, as after a reload (stop 42
  // mutation sweep: wd3, the reset's snapshot not applied, survived every other test)
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const port = new URL(fanout.url).port
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: 600, sub: 'desk-editor' })
  await publish(ingest.url, article('r-runs', { headline: 'Parliament passes the budget' }))
  await publish(ingest.url, article('r-killed', { headline: 'Wrong casualty figures' }))
  const browser = await launch(t)
  const { page, errors } = await openPage(browser, 1280, 1000)
  await openDashboard(page, fanout.url, token)
  await page.waitForSelector('#status[data-state=connected]', { timeout: 10_000 })
  await page.locator('#feed li[data-article-id="r-killed"][data-state=live]').waitFor({ timeout: 10_000 })

  await fanout.close()
  await page.waitForSelector('#status[data-state=reconnecting]', { timeout: 10_000 })
  await withdraw(ingest.url, 'r-killed', 'legal')
  await startTestFanout(t, prefix, { FANOUT_PORT: port, FANOUT_POSITION_KEY: 'a-new-position-key-after-a-rotation' })
  await page.waitForSelector('#status[data-state=connected]', { timeout: 30_000 })
  // the reset comes right after the connection: a desk that kept its stories keeps this one running
  await page
    .waitForFunction(() => document.querySelector('#feed li[data-article-id="r-killed"]')?.getAttribute('data-state') !== 'live', null, {
      timeout: 10_000,
    })
    .catch(() => {})
  const seen = await labels(page)
  assert.equal(seen['r-runs']?.state, 'live')
  const killed = seen['r-killed']
  assert.ok(killed === undefined || killed.state === 'withdrawn', `after the reset the killed story reads ${JSON.stringify(killed)}`)
  assert.deepEqual(errors, [])
})
