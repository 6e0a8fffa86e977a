// red20 attack run (2026-12-06): the story embed's banner after a hold. A reader's story page
// quoted a correction ("Correction: …", the newsroom's words in version 2). The desk then held the
// story (withheld, or under embargo again: the banner read "not available", its notes gone) and
// released it later as a new version without that note. The banner kept every note it had quoted
// and showed them all again with the new version: the reader was shown a correction the desk had
// taken back with the hold, which no version the public may see now carries, and which a reader
// opening the story now is never shown. A hold takes the notes quoted before it; the versions
// after it bring their own. No broker: a fake fan-out (ws) plays the stream; the embed is the real
// bundle.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { fakeEmbedFanout } from './fake-embed-fanout.ts'
import { launch, openPage } from './helpers.ts'

const AT = '2026-12-06T10:00:00Z'
const event = (version: number, more: Record<string, unknown> = {}) => ({
  eventId: `s-v${version}`,
  type: version === 1 ? 'CREATED' : 'UPDATED',
  occurredAt: AT,
  ingestedAt: AT,
  changedFields: version === 1 ? [] : ['body'],
  reason: null,
  correction: null,
  article: {
    id: 's',
    version,
    language: 'en',
    headline: `Port fire v${version}`,
    summary: null,
    body: ['First paragraph.'],
    category: 'national',
    urgency: 3,
    pubStatus: 'usable',
    publishedAt: AT,
    updatedAt: AT,
  },
  ...more,
})

const shadowText = (page: Page) => page.evaluate(() => document.querySelector('#newswire-story')?.shadowRoot?.textContent ?? '')
const state = (page: Page) => page.evaluate(() => (document.querySelector('#newswire-story') as HTMLElement | null)?.dataset.storyState)

for (const cause of ['withheld', 'embargoed'] as const)
  test(`a correction quoted before a hold (${cause}) is not quoted again when the story runs again without it (red20)`, async (t) => {
    const site = await fakeEmbedFanout(
      t,
      '<!doctype html><p>The site’s own copy.</p><div id="newswire-story" data-article="s" data-version="1"></div><script src="/story.js" async></script>',
      (sub) => [{ type: 'subscribed', id: sub.id, channels: sub.channels, position: 'p1', snapshot: [event(1)], more: null }],
    )
    const browser = await launch(t)
    const { page, errors } = await openPage(browser, 900, 700)
    await page.goto(site.url)
    await page.waitForFunction(() => (document.querySelector('#newswire-story') as HTMLElement | null)?.dataset.state === 'connected')
    const note = 'The official named in the first version was not at the scene.'
    site.send({ type: 'event', channel: 'article:s', position: 'p2', event: event(2, { correction: { note, at: AT } }) })
    await page.waitForFunction((n) => document.querySelector('#newswire-story')?.shadowRoot?.textContent?.includes(n), note)

    // The desk holds the story: the note goes with it
    site.send({ type: 'withdrawn', channel: 'article:s', position: 'p3', articleId: 's', reason: cause, cause })
    await page.waitForFunction(
      () => (document.querySelector('#newswire-story') as HTMLElement | null)?.dataset.storyState === 'unavailable',
    )
    assert.doesNotMatch(await shadowText(page), /was not at the scene/)

    // ... and runs it again, a version with no such note (its own change only)
    site.send({ type: 'event', channel: 'article:s', position: 'p5', event: event(5, { changedFields: ['body'] }) })
    await page.waitForFunction(() => (document.querySelector('#newswire-story') as HTMLElement | null)?.dataset.storyState === 'updated')
    assert.equal(await state(page), 'updated')
    assert.doesNotMatch(await shadowText(page), /was not at the scene/, 'the banner quotes a correction the hold took back')
    assert.deepEqual(errors, [])
  })
