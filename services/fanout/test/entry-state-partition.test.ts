// Review of a7e2ce0 (ledger.ts catchUp): while catching up, an embargo is released only by the clock
// of its Release's partition. An entry's state from news.articles is keyed `<story>/entries/<entry>`
// (entryStateKey), so it sits in a news.articles partition of its own, and feed.ts loadArticles
// hands that partition to store.loadEntry: the entry's Release then carries the wrong partition
// (its events are in the story's partition of news.article-events). A newer batch of that other
// partition releases the entry before its own partition's older events (a hold, well before the
// embargo) are read: the cross-partition release a7e2ce0 meant to remove, back for loaded entries.
// The public is then taken to have surely seen an entry it never saw, and a fresh public reader is
// told of its deletion with the newsroom's reason.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { NewswireEvent } from '@newswire/shared'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { subscribe } from './support/live-story.ts'

const T0 = 1_800_000_000_000
const S = 1000

async function told(order: 'story partition first' | 'entry-state partition first'): Promise<string[]> {
  // story S and all its entry events: news.article-events partition 1 (keyed by the story id)
  const s1 = event('CREATED', { id: 'S', version: 1, live: true }, T0)
  const e1 = entryEvent(s1.article, { id: 'e', seq: 1, version: 1, body: ['draft'], embargoedUntil: T0 + 30 * S }, T0 + 1 * S)
  const other = event('CREATED', { id: 'other', version: 1, category: 'sports' }, T0 + 40 * S)
  // the fan-out restarts at T0 + 8 s: news.articles holds S (partition 1) and e v1, whose state key
  // S/entries/e is in news.articles partition 0
  const h = new Harness({ partitions: 2, start: T0 + 8 * S })
  h.store.load(1, s1, null)
  h.store.loadEntry(0, e1, null)
  // while it reads history: the desk holds the entry 20 s before its embargo; another article is written later
  const e2 = entryEvent(s1.article, { id: 'e', seq: 1, version: 2, pubStatus: 'withheld', embargoedUntil: null }, T0 + 10 * S, {
    reason: 'names a minor',
  })
  h.clock.advance(42 * S)
  const p1: [number, NewswireEvent][] = [
    [1, s1],
    [1, e1],
    [1, e2],
  ]
  const p0: [number, NewswireEvent][] = [[0, other]]
  for (const [p, ev] of order === 'story partition first' ? [...p1, ...p0] : [...p0, ...p1]) h.append(ev, p)
  h.start()
  // a public reader subscribes to the live story now: it never saw entry e (held before its embargo)
  const c = h.connect('public')
  subscribe(h, c.conn, ['story:S'])
  await h.settle()
  h.append(
    entryEvent(s1.article, { id: 'e', seq: 1, version: 3, pubStatus: 'canceled', embargoedUntil: null }, T0 + 60 * S, {
      type: 'ENTRY_DELETED',
      reason: 'names a minor',
    }),
    1,
  )
  await h.settle()
  h.hub.stop()
  return c.t.messages.filter((m) => m.type === 'entryWithdrawn').map((m) => `${String(m.entryId)}:${String(m.reason)}`)
}

test('a fresh public reader is told nothing of the deletion of an entry held before its embargo, whatever the fetch order', async () => {
  const a = await told('story partition first')
  const b = await told('entry-state partition first')
  assert.deepEqual({ a, b }, { a: [], b: [] })
})
