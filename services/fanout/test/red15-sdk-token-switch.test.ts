// red15 attack run (2026-12-06), through the SDK: a newsroom page signs out to the public ticker
// of the same site and keeps its last position (the SDK README persists `client.position`); or an
// app whose token expired connects again with a narrower one and `since: old.position`. The new
// client was served from the old token's position: on the same page an embargoed draft the
// newsroom was shown stayed listed and its kill never came; on a reloaded page the public stories
// written before the position never came. The server now refuses a position made for another
// clearance or scope: the SDK gets a `reset`, and the page shows the new token's snapshot.
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { connect } from '../../client/src/index.ts'
import type { AudienceScope } from '../src/audience.ts'
import { unrestricted } from '../src/audience.ts'
import type { Audience } from '../src/visibility.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { hubSocket, Line } from './support/sdk-bridge.ts'

const T0 = 1_800_000_000_000
const MIN = 60_000

/** A page's list of stories (id → version), fed by an SDK client as the SDK README says. */
function page(t: TestContext, h: Harness, who: { audience: Audience; scope: AudienceScope }, shows: Map<string, number>, since?: string) {
  const client = connect('ws://hub.test', {
    channels: ['category:news', 'category:politics'],
    WebSocket: hubSocket(h, who.audience, new Line(), who.scope),
    transport: 'websocket',
    backoff: { minMs: 1, maxMs: 5 },
    ...(since === undefined ? {} : { since }),
  })
  t.after(() => client.close())
  let subscribed = 0
  client.on('subscribed', () => subscribed++)
  client.on('error', () => {})
  client.on('event', ({ event: e }) => shows.set(e.article.id, e.article.version))
  client.on('withdrawn', ({ articleId }) => shows.delete(articleId))
  client.on('reset', ({ snapshot }) => {
    shows.clear()
    for (const e of snapshot) shows.set(e.article.id, e.article.version)
  })
  return { client, subscribed: () => subscribed }
}

async function until(h: Harness, done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) {
    await h.settle()
    await new Promise((r) => setTimeout(r, 2))
  }
}

const newsroom = { audience: 'newsroom' as const, scope: unrestricted }
const desk = { audience: 'newsroom' as const, scope: { categories: ['politics'], languages: null, embargo: true } }
const publicReader = { audience: 'public' as const, scope: unrestricted }

for (const [name, to] of [
  ['the public ticker', publicReader],
  ['a politics desk token', desk],
] as const)
  for (const reload of [false, true])
    test(`signed out to ${name} with the newsroom's position (${reload ? 'page reloaded' : 'same page'}): the draft killed since is not listed, the stories it may see are`, async (t) => {
      const h = new Harness({ partitions: 1, start: T0 })
      h.start()
      h.append(event('CREATED', { id: 'draft', version: 1, category: 'news', embargoedUntil: T0 + 30 * MIN }, h.clock.now()))
      h.append(event('CREATED', { id: 'vote', version: 1, category: 'politics' }, h.clock.now()))
      await h.settle()
      const shows = new Map<string, number>()
      const dashboard = page(t, h, newsroom, shows)
      await until(h, () => dashboard.subscribed() > 0 && shows.size === 2)
      assert.deepEqual([...shows.keys()].sort(), ['draft', 'vote'], 'the newsroom is shown the draft')
      const since = dashboard.client.position as string
      await dashboard.client.close()

      if (reload) shows.clear()
      const ticker = page(t, h, to, shows, since)
      await until(h, () => ticker.subscribed() > 0)
      h.clock.advance(1000)
      h.append(event('WITHDRAWN', { id: 'draft', version: 2, category: 'news', pubStatus: 'canceled' }, h.clock.now()))
      await h.tick(1000)
      await until(h, () => false)
      h.hub.stop()
      assert.deepEqual([...shows.keys()].sort(), ['vote'], `${name} lists what it may see: ${JSON.stringify([...shows])}`)
    })
