// red16 attack run (2026-12-06), found by the two-process story model once a process's freshness
// check could stall (`stall`, `check`): a page beside a stream (`at`, or a cursor) answered by a
// process whose release clock is behind that stream's watermark left out what the stream's process
// had released before it, an entry (or a story) still under embargo here. The reader's snapshot
// had stopped above it (its `more`), the stream will never bring a release it made before the
// reader came, and the page said `next: null`: the reader never saw a public entry until a reload.
// Such a page waits (503 `not_ready`, as for a stream that has read further) while this process
// owes a release due by then, by its host clock, that the reader may see.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { answerPage, RequestError } from '../src/http/snapshot.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { lastPosition, subscribe } from './support/live-story.ts'
import { PUBLIC, readerAboveE1 } from './support/older-beside.ts'

const T = 1_800_000_000_000
const E = T + 10_000

/** A (fresh) and B (its freshness check stalled at T) read the same log; the reader's stream is on A, past E. */
async function pair(): Promise<{ a: Harness; b: Harness }> {
  const [a, b] = [0, 1].map(() => new Harness({ partitions: 1, start: T })) as [Harness, Harness]
  for (const h of [a, b]) {
    h.store.fresh(T)
    h.start()
  }
  const story = event('CREATED', { id: 'L', version: 1, live: true }, T - 5000).article
  for (const e of [
    event('CREATED', story, T - 5000),
    event('CREATED', { id: 'Z', version: 1, embargoedUntil: E }, T),
    event('CREATED', { id: 'N', version: 1 }, T + 1),
    entryEvent(story, { id: 'e1', seq: 1, version: 1, embargoedUntil: E }, T),
    entryEvent(story, { id: 'e2', seq: 2, version: 1 }, T + 1),
  ]) {
    a.append(e)
    b.append(e)
  }
  for (const h of [a, b]) await h.tick(E + 2000 - T)
  a.store.fresh(a.clock.now())
  await a.tick(1)
  return { a, b }
}

const notReady = (f: () => unknown, what: string) =>
  assert.throws(f, (err: unknown) => err instanceof RequestError && err.code === 'not_ready', what)

test('older entries beside a stream wait for a process whose release clock is behind that stream', async () => {
  const { a, b } = await pair()
  const ids = await readerAboveE1(a)
  assert.deepEqual(ids(a), ['e1'])
  notReady(() => ids(b), 'B, whose release clock is behind, answered without e1 (and nothing more to page)')
  // once B knows the log read past E, it answers
  b.store.fresh(b.clock.now())
  await b.tick(1)
  assert.deepEqual(ids(b), ['e1'])
  a.hub.stop()
  b.hub.stop()
})

test('older stories beside a stream wait likewise, with `at` or by the cursor alone', async () => {
  const { a, b } = await pair()
  const reader = a.connect('public')
  subscribe(a, reader.conn, ['category:news'])
  await a.settle()
  const at = lastPosition(reader.t.messages)
  const first = JSON.parse(answerPage(new URL('http://f/v1/snapshot?channels=category:news&limit=1'), PUBLIC, a.routeDeps(50))) as {
    items: ArticleEvent[]
    next: string
  }
  assert.deepEqual(
    first.items.map((e) => e.article.id),
    ['N'],
  )
  const page = (h: Harness, query: string) =>
    (
      JSON.parse(
        answerPage(
          new URL(`http://f/v1/snapshot?channels=category:news&limit=5&before=${encodeURIComponent(first.next)}${query}`),
          PUBLIC,
          h.routeDeps(50),
        ),
      ) as { items: ArticleEvent[] }
    ).items.map((e) => e.article.id)
  assert.deepEqual(page(a, ''), ['Z', 'L'])
  notReady(() => page(b, `&at=${encodeURIComponent(at)}`), 'B answered without Z, which A released before the stream’s watermark')
  notReady(() => page(b, ''), 'B answered a cursor sealed on A without Z')
  b.store.fresh(b.clock.now())
  await b.tick(1)
  assert.deepEqual(page(b, `&at=${encodeURIComponent(at)}`), ['Z', 'L'])
  a.hub.stop()
  b.hub.stop()
})
