// red16 attack run (2026-12-06, a reader's view changing under its position): an app keeps its
// list and its last position (localStorage, shared by its tabs, or kept across a change of view
// between sessions) and resumes with another view: other channels, another filter. A position
// said nothing of the view it was made for: the resume was served for the new view, so a story the
// app still showed from the old view was never told of its kill (the new view does not hold it),
// and what the new view held before the position never came. A position made for one view is now
// refused under another (`error` `invalid_position`, then a `reset` whose snapshot the client
// replaces what it shows with); the same view in another order resumes as before, and a position
// signed before views were named resumes under any, as it did.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import type { Admission } from '../src/http/access.ts'
import { unrestricted } from '../src/audience.ts'
import { answerPage } from '../src/http/snapshot.ts'
import { PositionCodec, peekPosition } from '../src/position.ts'
import { Harness, type Message, POSITION_KEY } from './support/harness.ts'
import { event } from './support/events.ts'
import { lastPosition, subscribe } from './support/live-story.ts'

const T0 = 1_800_000_000_000
const PUBLIC = { audience: 'public' as const, scope: unrestricted, expiresAt: null, reject: null } as Admission

const types = (ms: Message[]) => ms.map((m) => m.type)
const errors = (ms: Message[]) => ms.filter((m) => m.type === 'error').map((m) => String(m.code))

/** A public reader of `channels` (and `filter`) shown story A; its last position. */
async function shownA(h: Harness, channels: string[], filter?: Record<string, unknown>): Promise<string> {
  h.append(event('CREATED', { id: 'A', version: 1, category: 'news', language: 'en' }, h.clock.now()))
  await h.settle()
  const r = h.connect('public')
  subscribe(h, r.conn, channels, filter ? { filter } : {})
  await h.settle()
  assert.ok(JSON.stringify(r.t.messages).includes('"A"'), 'the reader is shown A')
  h.hub.conns.remove(r.conn)
  return lastPosition(r.t.messages)
}

async function resumed(h: Harness, channels: string[], since: string, filter?: Record<string, unknown>) {
  const r = h.connect('public')
  subscribe(h, r.conn, channels, { since, ...(filter ? { filter } : {}) })
  await h.settle()
  h.append(
    event('WITHDRAWN', { id: 'A', version: 2, category: 'news', language: 'en', pubStatus: 'canceled' }, h.clock.now(), {
      reason: 'legal',
    }),
  )
  await h.tick(1000)
  h.hub.stop()
  return r.t.messages
}

const changes = [
  { name: 'other channels', from: { channels: ['category:news'] }, to: { channels: ['category:sport'] } },
  {
    name: 'another filter',
    from: { channels: ['category:news'], filter: { languages: ['en'] } },
    to: { channels: ['category:news'], filter: { languages: ['bn'] } },
  },
  { name: 'a filter taken off', from: { channels: ['category:news'], filter: { languages: ['en'] } }, to: { channels: ['category:news'] } },
] as const

for (const c of changes)
  test(`a position resumed under another view (${c.name}) is refused with a reset`, async () => {
    const h = new Harness({ partitions: 1, start: T0 })
    h.start()
    const since = await shownA(h, [...c.from.channels], 'filter' in c.from ? { ...c.from.filter } : undefined)
    const ms = await resumed(h, [...c.to.channels], since, 'filter' in c.to ? { ...c.to.filter } : undefined)
    assert.deepEqual(errors(ms), ['invalid_position'], `refused: ${JSON.stringify(types(ms))}`)
    assert.equal(ms.filter((m) => m.type === 'reset').length, 1, 'a reset: the client replaces what the old view showed it')
  })

test('the same view in another order resumes: channels and filter lists are sets', async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  const since = await shownA(h, ['category:news', 'category:sport'], { languages: ['en', 'bn'] })
  const ms = await resumed(h, ['category:sport', 'category:news'], since, { languages: ['bn', 'en'] })
  assert.deepEqual(errors(ms), [])
  assert.deepEqual(
    types(ms).filter((t) => t !== 'subscribed'),
    ['withdrawn'],
    'resumed: the kill of the story it was shown comes',
  )
})

test('a position signed before views were named resumes under any view, as it did', async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  const since = await shownA(h, ['category:news'])
  const { v, ...before } = peekPosition(since)
  assert.ok(v, 'positions name their view')
  const old = new PositionCodec([POSITION_KEY]).encode(before)
  const ms = await resumed(h, ['category:sport'], old)
  assert.deepEqual(errors(ms), [])
  assert.equal(ms.filter((m) => m.type === 'reset').length, 0)
})

test('a page beside the stream (`at`) reads a position of any view', async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  const since = await shownA(h, ['category:news'])
  assert.ok(peekPosition(since).v)
  const url = new URL(`http://f/v1/snapshot?channels=category:news,category:sport&at=${encodeURIComponent(since)}`)
  const page = JSON.parse(answerPage(url, PUBLIC, h.routeDeps(50))) as { items: ArticleEvent[] }
  h.hub.stop()
  assert.deepEqual(
    page.items.map((e) => e.article.id),
    ['A'],
  )
})

test('readers of two views in one pass each get a position of their own view (frames are not shared across views)', async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  const plain = h.connect('public')
  const english = h.connect('public')
  subscribe(h, plain.conn, ['category:news'])
  subscribe(h, english.conn, ['category:news'], { filter: { languages: ['en'] } })
  await h.settle()
  h.append(event('CREATED', { id: 'B', version: 1, category: 'news', language: 'en' }, h.clock.now()))
  await h.settle()
  h.hub.stop()
  const views = [plain, english].map((r) => peekPosition(lastPosition(r.t.messages)).v)
  assert.ok(views[0] && views[1])
  assert.notEqual(views[0], views[1])
})
