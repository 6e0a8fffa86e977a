// red19 attack run (2026-12-06): red17's pair of processes whose host clocks differ (within the
// minute the race allowance assumes), during a key rotation rolling out. The process ahead has the
// new key (it signs with it) and releases an entry's embargo first; a reader subscribing there gets
// a snapshot that stops above it (`more`), and its stream will never bring a release made before the
// reader came. The process behind knows only the old key: it cannot verify the stream's position
// (`at`), so it judged it by its offsets alone and held its owed-release check (red16) to its own
// host clock, short of the stream's watermark: the page left the entry out and said there was
// nothing more, and the reader never saw a public entry until a reload. The two-process story
// model found it once its processes could restart (caught up, the process behind passed the
// offsets check).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { answerEntries } from '../src/http/entries.ts'
import { answerPage, RequestError } from '../src/http/snapshot.ts'
import { Harness, POSITION_KEY } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { lastPosition, subscribe } from './support/live-story.ts'
import { PUBLIC, readerAboveE1 } from './support/older-beside.ts'

const T = 1_800_000_000_000
const SKEW = 8_000
const E = T + 10_000
const NEW_KEY = 'the-new-position-key-32-characters!'

/** A (the new key; its host clock 8 s ahead) and B (the old key only) read one log; A, past E, has released e1 and s2, B (at E - 6 s) has not. */
async function pair(): Promise<{ a: Harness; b: Harness }> {
  const a = new Harness({ partitions: 1, start: T + SKEW, fresh: true, positionKeys: [NEW_KEY, POSITION_KEY] })
  const b = new Harness({ partitions: 1, start: T, fresh: true })
  for (const h of [a, b]) h.start()
  const story = event('CREATED', { id: 'L', version: 1, live: true }, T - 5000).article
  for (const e of [
    event('CREATED', story, T - 5000),
    entryEvent(story, { id: 'e1', seq: 1, version: 1, embargoedUntil: E }, T),
    entryEvent(story, { id: 'e2', seq: 2, version: 1 }, T + 1),
    event('CREATED', { id: 's2', version: 1, embargoedUntil: E, updatedAt: T }, T),
  ]) {
    a.append(e)
    b.append(e)
  }
  for (const h of [a, b]) await h.tick(E + 2000 - T - SKEW)
  return { a, b }
}

const notReady = (err: unknown) => err instanceof RequestError && err.code === 'not_ready'

test('older entries beside a stream signed with a key this process does not know yet wait for the release its watermark says was made', async () => {
  const { a, b } = await pair()
  const ids = await readerAboveE1(a)
  assert.deepEqual(ids(a), ['e1'])
  assert.throws(() => ids(b), notReady, 'B, whose clock is behind A’s and which cannot verify A’s position, answered without e1')
  // once B's clock passes E, it answers with e1
  await b.tick(SKEW)
  assert.deepEqual(ids(b), ['e1'])
  a.hub.stop()
  b.hub.stop()
})

test('a newest page beside a stream signed with a key this process does not know yet waits for the release its watermark says was made', async () => {
  const { a, b } = await pair()
  const reader = a.connect('public')
  subscribe(a, reader.conn, ['breaking', 'category:news'])
  await a.settle()
  const at = lastPosition(reader.t.messages)
  const ids = (h: Harness) =>
    (
      JSON.parse(
        answerPage(new URL(`http://f/v1/snapshot?channels=category:news&at=${encodeURIComponent(at)}`), PUBLIC, h.routeDeps(50)),
      ) as {
        items: { article: { id: string } }[]
      }
    ).items.map((i) => i.article.id)
  assert.deepEqual(ids(a).sort(), ['L', 's2'])
  assert.throws(() => ids(b), notReady, 'B, whose clock is behind A’s and which cannot verify A’s position, answered without s2')
  await b.tick(SKEW)
  assert.deepEqual(ids(b).sort(), ['L', 's2'])
  a.hub.stop()
  b.hub.stop()
})

test('an unverified `at` says nothing of releases: past this host’s clock it waits whether or not one is due', async () => {
  const { a, b } = await pair()
  // B releases e1 and s2 too: nothing is under embargo any more
  for (const h of [a, b]) await h.tick(SKEW)
  // a watermark 5 s past B's clock, signed with the key B does not know (a forger's, or A's with its clock further ahead)
  const at = a.positions.encode({ o: a.store.readTo(), t: b.clock.now() + 5000 })
  const answer = () => answerEntries(new URL(`http://f/v1/stories/L/entries?at=${encodeURIComponent(at)}`), PUBLIC, b.entriesDeps)
  assert.throws(answer, notReady, 'refused as when a release is due: the answer tells nothing of embargoes')
  await b.tick(5000)
  assert.doesNotThrow(answer, 'answered once B’s clock reaches the watermark')
  a.hub.stop()
  b.hub.stop()
})
