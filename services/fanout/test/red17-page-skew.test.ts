// red17 attack run (2026-12-06): two processes whose host clocks differ (within the minute the
// race allowance assumes). A process whose clock runs ahead releases an entry's embargo first; a
// reader subscribing there gets a snapshot that stops above it (`more`), and its stream will never
// bring a release made before the reader came. A page beside that stream answered by the process
// behind, whose host clock has not reached the embargo, left the entry out and said there was
// nothing more: the reader never saw a public entry until a reload. Its owed-release check
// (red16) stopped at its host clock, before the stream's watermark.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { StoryEntry } from '@newswire/shared'
import { answerEntries } from '../src/http/entries.ts'
import { RequestError } from '../src/http/snapshot.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { lastPosition, subscribe } from './support/live-story.ts'
import { PUBLIC, readerAboveE1 } from './support/older-beside.ts'

const T = 1_800_000_000_000
const SKEW = 8_000
const E = T + 10_000

/** A (its host clock 8 s ahead) and B read one log; A, past E, has released e1, B (at E - 6 s) has not. */
async function pair(): Promise<{ a: Harness; b: Harness }> {
  const a = new Harness({ partitions: 1, start: T + SKEW, fresh: true })
  const b = new Harness({ partitions: 1, start: T, fresh: true })
  for (const h of [a, b]) h.start()
  const story = event('CREATED', { id: 'L', version: 1, live: true }, T - 5000).article
  for (const e of [
    event('CREATED', story, T - 5000),
    entryEvent(story, { id: 'e1', seq: 1, version: 1, embargoedUntil: E }, T),
    entryEvent(story, { id: 'e2', seq: 2, version: 1 }, T + 1),
  ]) {
    a.append(e)
    b.append(e)
  }
  for (const h of [a, b]) await h.tick(E + 2000 - T - SKEW)
  return { a, b }
}

const entryIds = (h: Harness, q: string) =>
  (JSON.parse(answerEntries(new URL(`http://f/v1/stories/L/entries?${q}`), PUBLIC, h.entriesDeps)) as { items: StoryEntry[] }).items.map(
    (e) => e.id,
  )

test('older entries beside a stream on a process whose clock runs ahead wait on the process behind for its release', async () => {
  const { a, b } = await pair()
  const ids = await readerAboveE1(a)
  assert.deepEqual(ids(a), ['e1'])
  assert.throws(
    () => ids(b),
    (err: unknown) => err instanceof RequestError && err.code === 'not_ready',
    'B, whose clock is behind A’s, answered without e1 (and nothing more to page)',
  )
  // once B's clock passes E, it answers with e1
  await b.tick(SKEW)
  assert.deepEqual(ids(b), ['e1'])
  a.hub.stop()
  b.hub.stop()
})

test('a page on the process behind does not wait for an embargo the stream’s process had not read', async () => {
  const { a, b } = await pair()
  // B releases e1 too
  for (const h of [a, b]) await h.tick(SKEW)
  const reader = a.connect('public')
  subscribe(a, reader.conn, ['story:L'], { entries: 5 })
  await a.settle()
  const at = lastPosition(reader.t.messages)
  // written after the stream's position, due before its watermark but after B's host clock: the
  // stream's process never read it, so its watermark says nothing of it, and a 503 would tell the
  // reader of an embargo to come
  const story = event('CREATED', { id: 'L', version: 1, live: true }, T - 5000).article
  b.append(entryEvent(story, { id: 'e3', seq: 3, version: 1, embargoedUntil: b.clock.now() + 1000 }, b.clock.now()))
  await b.settle()
  assert.deepEqual(entryIds(b, `at=${encodeURIComponent(at)}`), ['e2', 'e1'], 'B answers, without e3, still under embargo there')
  a.hub.stop()
  b.hub.stop()
})
