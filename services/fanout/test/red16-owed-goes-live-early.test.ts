// red16 attack run (2026-12-06): a reader resuming on a process whose release clock is behind the
// position's watermark waits in its replay until that clock gets there (cursor.ts: `c.t > now`),
// so that every story the position says it was shown is released here, or its hold or kill is
// judged by the replay, which tells whoever may have seen a story (exposure). An owed release of
// another story (cursor.ts #owed) drops the watermark to just before that story's embargo, and the
// reader went live then, while a story it had been shown on the process ahead was still under
// embargo here: its hold, read next, changed nothing this process had shown (the live path tells
// of a hold only who saw the story here), so the reader kept the withheld story on screen.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent, NewswireEvent } from '@newswire/shared'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import type { Message } from './support/harness.ts'
import { lastPosition, snapshotEntries, subscribe } from './support/live-story.ts'

const T = 1_800_000_000_000
const E_Y = T + 10_000
const E_Z = T + 20_000

const about = (got: Message[], id: string) =>
  got
    .filter((m) => (m.type === 'event' && (m.event as ArticleEvent).article.id === id) || (m.type === 'withdrawn' && m.articleId === id))
    .map((m) => (m.type === 'event' ? `event:v${(m.event as ArticleEvent).article.version}` : `withdrawn:${String(m.cause)}`))

/**
 * What one run writes and reads: stories Y and Z under their own embargoes (E_Y, E_Z) and a reader
 * of `channels`, or entries y and z of a live story and a `story:` reader.
 */
interface Shape {
  channels: string[]
  /** Read by both processes first: Y and Z (with the story they belong to). */
  first: NewswireEvent[]
  /** What A's snapshot shows, to check it shows both. */
  shown: (got: Message[]) => string[]
  /** Y edited, its embargo kept; Z held, or killed (deleted). */
  y2: (now: number) => NewswireEvent
  z2: (now: number) => NewswireEvent
  /** What the reader was sent of Y (`y`) or Z (`z`). */
  about: (got: Message[], which: 'y' | 'z') => string[]
}

/** A hold (or a kill) of Z read on B after a reader shown Z on A resumed there and an owed release of Y let it go live. */
async function run(shape: Shape): Promise<{ z: string[]; y: string[] }> {
  // two processes over one log, each told the log read to its end at T
  const [a, b] = [0, 1].map(() => new Harness({ partitions: 1, start: T })) as [Harness, Harness]
  for (const h of [a, b]) {
    h.store.fresh(T)
    h.start()
  }
  for (const e of shape.first) {
    a.append(e)
    b.append(e)
  }
  await Promise.all([a.settle(), b.settle()])
  // B's freshness check stalls (Kafka's admin slow to answer); its consumer reads on. A's passes.
  for (const h of [a, b]) await h.tick(E_Z + 1000 - T)
  a.store.fresh(a.clock.now())
  await a.tick(1)
  // a reader on A is shown Y and Z, released there
  const onA = a.connect('public')
  subscribe(a, onA.conn, shape.channels)
  await a.settle()
  assert.deepEqual(shape.shown(onA.t.messages).sort(), ['Y', 'Z'], 'A shows both')
  const since = lastPosition(onA.t.messages)
  a.hub.conns.remove(onA.conn)
  // Y is edited (its embargo kept): B reads it, its release clock still at T
  const y2 = shape.y2(b.clock.now())
  a.inKafka(y2)
  b.append(y2)
  await b.settle()
  // the reader resumes on B: its cursor passes Y's edit, owed (its embargo before the watermark)
  const onB = b.connect('public')
  subscribe(b, onB.conn, shape.channels, { since })
  await b.settle()
  // B's check that began at E_Y + 500 ms completes (B had read all that was written by then)
  b.store.fresh(E_Y + 500)
  b.hub.schedule()
  await b.settle()
  // the desk holds Z (or kills it): B reads it before its release clock gets to Z's embargo
  b.append(shape.z2(b.clock.now()))
  await b.settle()
  // then B knows the log read past Z's embargo
  b.store.fresh(b.clock.now())
  await b.tick(1000)
  a.hub.stop()
  b.hub.stop()
  return { z: shape.about(onB.t.messages, 'z'), y: shape.about(onB.t.messages, 'y') }
}

const stories = (change: 'hold' | 'kill'): Shape => ({
  channels: ['category:news'],
  first: [
    event('CREATED', { id: 'Y', version: 1, embargoedUntil: E_Y }, T),
    event('CREATED', { id: 'Z', version: 1, embargoedUntil: E_Z }, T),
  ],
  shown: (got) => (got.find((m) => m.type === 'subscribed') as Message & { snapshot: ArticleEvent[] }).snapshot.map((e) => e.article.id),
  y2: (now) => event('UPDATED', { id: 'Y', version: 2, embargoedUntil: E_Y }, now),
  z2: (now) =>
    change === 'hold'
      ? event('UPDATED', { id: 'Z', version: 2, pubStatus: 'withheld', embargoedUntil: E_Z }, now)
      : event('WITHDRAWN', { id: 'Z', version: 2, pubStatus: 'canceled', embargoedUntil: E_Z }, now),
  about: (got, which) => about(got, which.toUpperCase()),
})

test('a reader shown a story on the process ahead hears of its hold on the one behind, after an owed release of another story', async () => {
  const { z, y } = await run(stories('hold'))
  assert.ok(y.includes('event:v2'), `Y's release still reaches the reader: ${JSON.stringify(y)}`)
  // as a replay on B tells it: not released there, the story is under embargo to B's readers
  assert.deepEqual(z, ['withdrawn:embargoed'], 'the reader shown Z on A was never told of its hold')
})

test('…and of its kill (the live path tells who may have seen a story of its kill)', async () => {
  const { z } = await run(stories('kill'))
  assert.deepEqual(z, ['withdrawn:withdrawn'])
})

/** The same for two entries of a live story, each under its own embargo, and a `story:` reader. */
const entries = (change: 'hold' | 'delete'): Shape => {
  const story = event('CREATED', { id: 'L', version: 1, live: true }, T).article
  return {
    channels: ['story:L'],
    first: [
      event('CREATED', story, T),
      entryEvent(story, { id: 'y', seq: 1, version: 1, embargoedUntil: E_Y }, T),
      entryEvent(story, { id: 'z', seq: 2, version: 1, embargoedUntil: E_Z }, T),
    ],
    shown: (got) => snapshotEntries(got.find((m) => m.type === 'subscribed')).map((e) => (e === 'y@1' ? 'Y' : e === 'z@1' ? 'Z' : e)),
    y2: (now) => entryEvent(story, { id: 'y', seq: 1, version: 2, embargoedUntil: E_Y }, now),
    z2: (now) =>
      change === 'hold'
        ? entryEvent(story, { id: 'z', seq: 2, version: 2, pubStatus: 'withheld', embargoedUntil: E_Z }, now)
        : entryEvent(story, { id: 'z', seq: 2, version: 2, pubStatus: 'canceled', embargoedUntil: E_Z }, now, { type: 'ENTRY_DELETED' }),
    about: (got, id) =>
      got
        .filter((m) => (m.type === 'entry' && (m.entry as { id: string }).id === id) || (m.type === 'entryWithdrawn' && m.entryId === id))
        .map((m) => (m.type === 'entry' ? `entry:v${(m.entry as { version: number }).version}` : `entryWithdrawn:${String(m.cause)}`)),
  }
}

test('a `story:` reader shown an entry on the process ahead hears of its hold on the one behind, after an owed release of another entry', async () => {
  const { z, y } = await run(entries('hold'))
  assert.ok(y.includes('entry:v2'), `y's release still reaches the reader: ${JSON.stringify(y)}`)
  assert.equal(z.length, 1, `the reader shown entry z on A was never told of its hold: ${JSON.stringify(z)}`)
  assert.match(z[0] as string, /^entryWithdrawn:/)
})

test('…and of its deletion', async () => {
  const { z } = await run(entries('delete'))
  assert.deepEqual(z, ['entryWithdrawn:deleted'])
})

// The other side of the fix: a fresh subscription on the process whose release clock is behind was
// only ever sent what this process showed, so a hold of a version still held back here is nothing
// to it. Told by an earlier version's exposure, a public reader that saw v1 and was told v2 went
// under embargo got a second retraction, the hold's, of a story it no longer had
// (fanout-access.kafka.test.ts caught it in CI).
test('a fresh reader on the process behind is not told of a hold of a version it was never sent', async () => {
  const h = new Harness({ partitions: 1, start: T })
  h.store.fresh(T)
  h.start()
  h.append(event('CREATED', { id: 'A', version: 1 }, T))
  await h.settle()
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  await h.settle()
  h.append(event('UPDATED', { id: 'A', version: 2, embargoedUntil: E_Y }, h.clock.now()))
  await h.settle()
  // the embargo passes by the host clock; the release clock is held back (no freshness check yet)
  await h.tick(E_Y + 1000 - T)
  h.append(event('UPDATED', { id: 'A', version: 3, embargoedUntil: E_Y, pubStatus: 'withheld' }, h.clock.now()))
  await h.settle()
  h.hub.stop()
  const snapshot = reader.t.messages.find((m) => m.type === 'subscribed') as Message & { snapshot: ArticleEvent[] }
  assert.deepEqual(
    snapshot.snapshot.map((e) => e.article.id),
    ['A'],
    'the reader is shown v1',
  )
  assert.deepEqual(about(reader.t.messages, 'A'), ['withdrawn:embargoed'], 'told once: v2 went under embargo')
})

test("a fresh `story:` reader on the process behind is not told of a hold of an entry's version it was never sent", async () => {
  const h = new Harness({ partitions: 1, start: T })
  h.store.fresh(T)
  h.start()
  const story = event('CREATED', { id: 'L', version: 1, live: true }, T).article
  h.append(event('CREATED', story, T))
  h.append(entryEvent(story, { id: 'x', seq: 1, version: 1 }, T))
  await h.settle()
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['story:L'])
  await h.settle()
  h.append(entryEvent(story, { id: 'x', seq: 1, version: 2, embargoedUntil: E_Y }, h.clock.now()))
  await h.settle()
  // the entry's embargo passes by the host clock; the release clock is held back
  await h.tick(E_Y + 1000 - T)
  h.append(entryEvent(story, { id: 'x', seq: 1, version: 3, embargoedUntil: E_Y, pubStatus: 'withheld' }, h.clock.now()))
  await h.settle()
  h.hub.stop()
  const told = reader.t.messages.filter((m) => m.type === 'entryWithdrawn' && m.entryId === 'x').map((m) => String(m.cause))
  assert.equal(told.length, 1, `told once, when v2 went under embargo: ${JSON.stringify(told)}`)
})
