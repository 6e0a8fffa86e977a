// red19 attack run (2026-12-06): the dashboard's open live story after a `reset` of the desk's
// stream. The story dialog reads each entry's state under its story's (red17c: an entry of a
// withheld or embargoed story is held with it), taking the story's state from the desk's list. A
// reset (a refused resume: a key rotation rolling out, a process that cannot check the position)
// replaces that list with its snapshot, which need not hold the open story (a story further down
// than the first page, loaded with "Load older"): the dialog then took the story for running, and
// every entry of a story the desk holds back, or one under embargo, read `live` ("1 entry: 1
// live"), while no reader outside the newsroom could see one. The story's own subscription (the
// desk follows the open story on `story:<id>`) knew it was held all along.
// No broker: a fake fan-out (ws) plays both streams; the dashboard is the real bundle.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { WebSocketServer, type WebSocket } from 'ws'
import { buildWebAssets } from '../../services/fanout/build/bundle.ts'
import { launch, openDashboard, openPage, repoRoot } from './helpers.ts'

const AT = '2026-12-06T10:00:00Z'
const UNTIL = '2099-01-01T00:00:00Z'
const story = (extra: Record<string, unknown>) => ({
  eventId: 'blog-v1',
  type: 'CREATED',
  occurredAt: AT,
  ingestedAt: AT,
  changedFields: [],
  reason: null,
  correction: null,
  article: {
    id: 'blog',
    version: 1,
    language: 'en',
    headline: 'The held live blog',
    summary: null,
    body: ['First paragraph.'],
    category: 'national',
    urgency: 3,
    pubStatus: 'usable',
    publishedAt: AT,
    updatedAt: AT,
    live: true,
    ...extra,
  },
})
const entry = {
  id: 'e1',
  storyId: 'blog',
  seq: 1,
  version: 1,
  headline: 'An entry written for the held story',
  body: ['What the entry says.'],
  pubStatus: 'usable',
  embargoedUntil: null,
  publishedAt: AT,
  updatedAt: AT,
}

/** The fan-out: the desk's `all` stream and the story's own, each subscribed with the story held as `held` says. */
async function fakeFanout(t: TestContext, held: { extra: Record<string, unknown>; embargoed: boolean }) {
  const scripts = await buildWebAssets()
  const html = readFileSync(join(repoRoot, 'services', 'fanout', 'web', 'dashboard.html'), 'utf8').replace('__DESK_TIME_ZONE__', 'UTC')
  const server = createServer((req, res) => {
    if (req.url === '/dashboard.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' })
      res.end(scripts.get('dashboard'))
      return
    }
    if (req.url?.startsWith('/dashboard')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(html)
      return
    }
    res.writeHead(404)
    res.end()
  })
  const wss = new WebSocketServer({ server, path: '/v1/stream' })
  const desk: WebSocket[] = []
  const item = { ...story(held.extra), ...(held.embargoed ? { embargoed: true } : {}) }
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; id: string; channels: string[] }
      if (m.type === 'ping') ws.send(JSON.stringify({ type: 'pong', id: m.id }))
      if (m.type !== 'subscribe') return
      const own = m.channels[0]?.startsWith('story:')
      if (!own) desk.push(ws)
      const frame = { type: 'subscribed', id: m.id, channels: m.channels, position: 'p1', replay: 'none', snapshot: [item], more: null }
      ws.send(JSON.stringify(own ? { ...frame, entries: [entry], entriesMore: null } : frame))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    wss.close()
    server.closeAllConnections()
    server.close()
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** The desk's stream is reset to a snapshot that does not hold the story (it lies further down). */
    resetDesk: () => {
      for (const ws of desk)
        ws.send(
          JSON.stringify({
            type: 'reset',
            id: 's1',
            channels: ['all'],
            position: 'p2',
            reason: 'position refused',
            more: 'c1',
            snapshot: [],
          }),
        )
    },
  }
}

const cases = [
  { name: 'withheld by the desk', extra: { pubStatus: 'withheld' }, embargoed: false, word: 'withheld' },
  { name: 'under embargo', extra: { embargoedUntil: UNTIL }, embargoed: true, word: 'embargoed' },
]

for (const c of cases) {
  test(`the open live story ${c.name}: after a reset of the desk without it, its entries still read as held (red19)`, async (t) => {
    const site = await fakeFanout(t, { extra: c.extra, embargoed: c.embargoed })
    const browser = await launch(t)
    const { page } = await openPage(browser, 1000, 900)
    await openDashboard(page, site.url, 't')
    await page.waitForSelector('button.open-story[data-story="blog"]', { timeout: 15_000 })
    await page.click('button.open-story[data-story="blog"]')
    await page.waitForFunction((word) => document.querySelector('#story-panel')?.textContent?.includes(`1 entry: 1 ${word}`), c.word, {
      timeout: 15_000,
    })
    site.resetDesk()
    // the list no longer holds the story; the dialog stays open on it
    await page.waitForFunction(() => document.querySelector('button.open-story[data-story="blog"]') === null, undefined, {
      timeout: 15_000,
    })
    await page.waitForTimeout(300)
    const text = (await page.evaluate(() => document.querySelector('#story-panel')?.textContent ?? '')) as string
    assert.match(text, new RegExp(`1 entry: 1 ${c.word}`), "the held story's entry reads otherwise after the reset")
    assert.doesNotMatch(text, /1 live/, 'an entry of a held story reads live')
  })
}
