// red16 attack run (2026-12-06): a public embed whose stream ends for good. The SDK fails at once,
// without retrying, when the server refuses the connection by policy: 1008 (the fan-out accepts a
// WebSocket from an origin not in FANOUT_ALLOWED_ORIGINS and closes it with 1008,
// src/http/websocket.ts), HTTP 403 or 400 on SSE (the fan-out's, or a proxy's on the way). So an
// operator who takes a partner site off FANOUT_ALLOWED_ORIGINS and restarts, or a proxy that
// answers one SSE reconnect 403, leaves every reader's ticker and story page failed: they kept
// the headlines, a live story's entries and the banner's correction notes (the newsroom's text) on
// screen for as long as the tab stayed open, and a story killed after that was never taken down.
// A failed embed can no longer hear of a kill, so it now shows none of what it was sent.
// No broker: a fake fan-out (ws) plays the stream; the embeds are the real bundles.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { fakeEmbedFanout } from './fake-embed-fanout.ts'
import { launch, openPage } from './helpers.ts'

const AT = '2026-12-06T10:00:00Z'
const article = (id: string, version: number, extra: Record<string, unknown> = {}) => ({
  id,
  version,
  language: 'en',
  headline: `Headline of ${id} v${version}`,
  summary: null,
  body: ['First paragraph.'],
  category: 'national',
  urgency: 1,
  pubStatus: 'usable',
  publishedAt: AT,
  updatedAt: AT,
  ...extra,
})
const event = (id: string, version: number, extra: Record<string, unknown> = {}, more: Record<string, unknown> = {}) => ({
  eventId: `${id}-v${version}`,
  type: version === 1 ? 'CREATED' : 'UPDATED',
  occurredAt: AT,
  ingestedAt: AT,
  changedFields: version === 1 ? [] : ['headline'],
  reason: null,
  correction: null,
  article: article(id, version, extra),
  ...more,
})

const shadowText = (page: Page, selector: string) =>
  page.evaluate((sel) => document.querySelector(sel)?.shadowRoot?.textContent ?? '', selector)

async function failed(page: Page, selector: string): Promise<void> {
  await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLElement | null)?.dataset.state === 'failed', selector, {
    timeout: 15_000,
  })
}

test('a ticker refused by policy for good (1008) shows none of the headlines it can no longer hear the kills of', async (t) => {
  const site = await fakeEmbedFanout(
    t,
    '<!doctype html><div id="newswire-ticker"></div><script src="/ticker.js" async></script>',
    (sub) => [{ type: 'subscribed', id: sub.id, channels: sub.channels, position: 'p1', snapshot: [event('s', 1)], more: null }],
  )
  const browser = await launch(t)
  const { page } = await openPage(browser, 900, 300)
  await page.goto(site.url)
  await page.waitForFunction(() => document.querySelector('#newswire-ticker')?.shadowRoot?.textContent?.includes('Headline of s v1'))

  site.restartRefusing()
  await failed(page, '#newswire-ticker')
  // the story is killed now: this reader is never told, so the ticker must not be showing it
  assert.doesNotMatch(await shadowText(page, '#newswire-ticker'), /Headline of s/, 'the failed ticker still shows the headline')
})

test('a story page refused by policy for good (1008) shows none of its live entries nor the correction notes', async (t) => {
  const html =
    '<!doctype html><p>The site’s own copy.</p><div id="newswire-story" data-article="s" data-version="1"></div><script src="/story.js" async></script>'
  const site = await fakeEmbedFanout(t, html, (sub) => [
    {
      type: 'subscribed',
      id: sub.id,
      channels: sub.channels,
      position: 'p1',
      snapshot: [event('s', 1, { live: true })],
      more: null,
      ...(sub.channels[0]?.startsWith('story:')
        ? {
            story: 's',
            entries: [
              {
                id: 'e1',
                storyId: 's',
                seq: 1,
                version: 1,
                headline: 'Entry one of the live story',
                body: ['What the entry says.'],
                publishedAt: AT,
                updatedAt: AT,
              },
            ],
            entriesMore: null,
          }
        : {}),
    },
  ])
  const browser = await launch(t)
  const { page } = await openPage(browser, 900, 900)
  await page.goto(site.url)
  await page.waitForFunction(() =>
    document.querySelector('#newswire-story')?.shadowRoot?.textContent?.includes('Entry one of the live story'),
  )
  site.send({
    type: 'event',
    channel: 'story:s',
    position: 'p2',
    event: event('s', 2, { live: true }, { correction: { note: 'The minister named was not arrested.', at: AT } }),
  })
  await page.waitForFunction(() => document.querySelector('#newswire-story')?.shadowRoot?.textContent?.includes('was not arrested'))

  site.restartRefusing()
  await failed(page, '#newswire-story')
  const text = await shadowText(page, '#newswire-story')
  assert.doesNotMatch(text, /Entry one of the live story/, 'the failed story page still shows the live entries')
  assert.doesNotMatch(text, /was not arrested/, "the failed story page still quotes the newsroom's correction")
})
