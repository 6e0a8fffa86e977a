// A page beside a stream (`at`: the stream's position) leaves out what this process released after
// the stream's watermark (snapshot.ts releasedSince). Processes release embargoes only as far as
// each knows the log read (Store.liveClock), so the stream's own process may not have released it
// yet, and may read the story's kill first: it would then never tell the reader of a story only
// this page showed (two-processes-model, seed 219292800). The newsroom, which sees embargoed
// stories anyway, is not held back; without `at` a page is this process's state now.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent, StoryEntry } from '@newswire/shared'
import { unrestricted } from '../src/audience.ts'
import type { Admission } from '../src/http/access.ts'
import { answerEntries } from '../src/http/entries.ts'
import { answerCounts, answerPage, RequestError } from '../src/http/snapshot.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import type { Message } from './support/harness.ts'
import { subscribe } from './support/live-story.ts'

const T = 1_800_000_000_000
const E = T + 60_000
const PUBLIC = { audience: 'public' as const, scope: unrestricted, expiresAt: null, reject: null } as Admission
const NEWSROOM = { audience: 'newsroom' as const, scope: unrestricted, expiresAt: null, reject: null } as Admission

/** A process with a public story, a draft under embargo until E and a live story with an entry under embargo until E; a stream's position taken before E. */
async function setup(): Promise<{ h: Harness; at: string }> {
  const h = new Harness({ partitions: 1, start: T })
  h.start()
  h.append(event('CREATED', { id: 'P', version: 1 }, T))
  h.append(event('CREATED', { id: 'A', version: 1, embargoedUntil: E }, T))
  const live = event('CREATED', { id: 'L', version: 1, live: true }, T).article
  h.append(event('CREATED', live, T))
  h.append(entryEvent(live, { id: 'e1', seq: 1, version: 1 }, T))
  h.append(entryEvent(live, { id: 'e2', seq: 2, version: 1, embargoedUntil: E }, T))
  h.append(event('CREATED', { id: 'B', version: 1, embargoedUntil: E, live: true }, T))
  await h.settle()
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  await h.settle()
  const at = (reader.t.messages.find((m) => m.type === 'subscribed') as Message & { position: string }).position
  await h.tick(E - T + 1000)
  h.hub.schedule()
  await h.settle()
  return { h, at }
}

const pageIds = (h: Harness, who: Admission, query: string) =>
  (
    JSON.parse(answerPage(new URL(`http://f/v1/snapshot?channels=category:news&limit=50${query}`), who, h.routeDeps(50))) as {
      items: ArticleEvent[]
    }
  ).items
    .map((e) => e.article.id)
    .sort()

const countedIds = (h: Harness, query: string) =>
  (
    JSON.parse(answerCounts(new URL(`http://f/v1/counts?channels=category:news&window=604800${query}`), PUBLIC, h.routeDeps(50))) as {
      articles: { id: string }[]
    }
  ).articles
    .map((a) => a.id)
    .sort()

const entryIds = (h: Harness, who: Admission, query: string) =>
  (JSON.parse(answerEntries(new URL(`http://f/v1/stories/L/entries?${query}`), who, h.entriesDeps)) as { items: StoryEntry[] }).items.map(
    (e) => e.id,
  )

test('a page beside a stream leaves out stories this process released after the stream’s watermark', async () => {
  const { h, at } = await setup()
  const q = `&at=${encodeURIComponent(at)}`
  assert.deepEqual(pageIds(h, PUBLIC, ''), ['A', 'B', 'L', 'P'], 'without at: the state now')
  assert.deepEqual(pageIds(h, PUBLIC, q), ['L', 'P'], 'with at: the releases after its watermark left out')
  assert.deepEqual(pageIds(h, NEWSROOM, q), ['A', 'B', 'L', 'P'], 'the newsroom sees them under embargo anyway')
  assert.deepEqual(countedIds(h, ''), ['A', 'B', 'L', 'P'])
  assert.deepEqual(countedIds(h, q), ['L', 'P'], 'counts too')
  // once the stream's position is past the releases, they are shown
  const later = h.connect('public')
  subscribe(h, later.conn, ['category:news'])
  await h.settle()
  const now = (later.t.messages.find((m) => m.type === 'subscribed') as Message & { position: string }).position
  assert.deepEqual(pageIds(h, PUBLIC, `&at=${encodeURIComponent(now)}`), ['A', 'B', 'L', 'P'])
  h.hub.stop()
})

test('a story’s entries beside a stream leave out entries (and stories) released after its watermark', async () => {
  const { h, at } = await setup()
  const q = `at=${encodeURIComponent(at)}`
  assert.deepEqual(entryIds(h, PUBLIC, ''), ['e2', 'e1'])
  assert.deepEqual(entryIds(h, PUBLIC, q), ['e1'], 'the entry released after the watermark is left out')
  assert.deepEqual(entryIds(h, NEWSROOM, q), ['e2', 'e1'])
  assert.throws(
    () => answerEntries(new URL(`http://f/v1/stories/B/entries?${q}`), PUBLIC, h.entriesDeps),
    (err: unknown) => err instanceof RequestError && err.code === 'not_found',
    'a story released after the watermark is not there for this reader yet',
  )
  h.hub.stop()
})
