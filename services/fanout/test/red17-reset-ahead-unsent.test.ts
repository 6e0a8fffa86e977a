// red17 attack run (2026-12-06): a `reset` made while the live loop is behind the store carries the
// live loop's position, but its snapshot is the ledger's, which has read further: a story released
// on arrival (its embargo passed before this process read it) resets its reader at the story's own
// record, with an entry written after it in the snapshot. Resumed from that position on a process
// that read the entry while the story was still under embargo there, the replay took the entry for
// one created out of the reader's view and never sent ("unsent"), and held back its deletion: the
// reader kept a deleted entry on screen. The same from a fresh subscribe whose snapshot the ledger
// made ahead of the live loop, at a head position signed before the embargo and kept since (the
// live loop had read nothing): its watermark said nothing of the release on arrival. That case
// fails with both defences taken out: the judgment by this process's clock (stories.ts
// mayHaveShown) and a head position whose watermark is found again once a record is read
// (audience-watermark.ts, which counts the release on arrival).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Article } from '@newswire/shared'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import type { Message } from './support/harness.ts'
import { gone, lastPosition, snapshotEntries, subscribe } from './support/live-story.ts'

const T = 1_800_000_000_000
const E = T + 10_000

/** The desk deletes e1 of `story`; B reads it; the reader resumes there from `at` and is told. */
async function toldOfDeletionOnB(a: Harness, b: Harness, story: Article, at: string): Promise<void> {
  const deleted = entryEvent(story, { id: 'e1', seq: 1, version: 2 }, b.clock.now(), {
    type: 'ENTRY_DELETED',
    reason: 'deleted by the desk',
  })
  for (const h of [a, b]) h.inKafka(deleted)
  b.readOn(0)
  await b.settle()
  const again = b.connect('public')
  subscribe(b, again.conn, ['story:L'], { entries: 5, since: at })
  await b.settle()
  assert.deepEqual(
    gone(again.t.messages),
    ['e1:deleted'],
    `the reader is told e1 was deleted: ${JSON.stringify(again.t.messages.map((m) => m.type))}`,
  )
  a.hub.stop()
  b.hub.stop()
}

test('an entry a reset took in ahead of its position is retracted on a resume elsewhere', async () => {
  const [a, b] = [0, 1].map(() => new Harness({ partitions: 1, start: T })) as [Harness, Harness]
  for (const h of [a, b]) h.start()
  const story = event('CREATED', { id: 'L', version: 1, live: true, embargoedUntil: E }, T)
  const e1 = entryEvent(story.article, { id: 'e1', seq: 1, version: 1 }, T + 1)
  for (const e of [story, e1]) for (const h of [a, b]) h.inKafka(e)
  // B reads both before the embargo; A not yet
  b.readOn(0)
  await b.settle()
  const reader = a.connect('public')
  subscribe(a, reader.conn, ['story:L'], { entries: 5 })
  await a.settle()
  for (const h of [a, b]) await h.tick(E + 1000 - T)
  // A reads them after the embargo: the story comes into view on arrival, a reset at its record
  a.readOn(0)
  await a.settle()
  const reset = reader.t.messages.find((m) => m.type === 'reset') as Message
  assert.deepEqual(snapshotEntries(reset), ['e1@1'], 'the reset shows e1')
  a.hub.conns.remove(reader.conn)
  await toldOfDeletionOnB(a, b, story.article, lastPosition(reader.t.messages))
})

test('an entry a fresh snapshot took in ahead of its position (a head position signed before the embargo) is retracted on a resume elsewhere', async () => {
  const [a, b] = [0, 1].map(() => new Harness({ partitions: 1, start: T })) as [Harness, Harness]
  for (const h of [a, b]) h.start()
  const v1 = event('CREATED', { id: 'L', version: 1, live: true }, T)
  for (const h of [a, b]) h.append(v1)
  await Promise.all([a.settle(), b.settle()])
  // A signs its head position for public `story:L` readers before the embargo, and again after it
  // with nothing read since: the same position serves (nothing released in between)
  subscribe(a, a.connect('public').conn, ['story:L'])
  await a.settle()
  const v2 = event('UPDATED', { id: 'L', version: 2, live: true, embargoedUntil: E }, T + 2)
  const e1 = entryEvent(v2.article, { id: 'e1', seq: 1, version: 1 }, T + 3)
  for (const e of [v2, e1]) for (const h of [a, b]) h.inKafka(e)
  b.readOn(0)
  await b.settle()
  for (const h of [a, b]) await h.tick(E + 1000 - T)
  subscribe(a, a.connect('public').conn, ['story:L'])
  await a.settle()
  // A reads v2 (released on arrival) and e1; the reader subscribes before its live loop gets there
  a.readOn(0)
  const reader = a.connect('public')
  subscribe(a, reader.conn, ['story:L'], { entries: 5 })
  await a.settle()
  const subscribed = reader.t.messages.find((m) => m.type === 'subscribed') as Message
  assert.deepEqual(snapshotEntries(subscribed), ['e1@1'], 'the snapshot shows e1')
  a.hub.conns.remove(reader.conn)
  await toldOfDeletionOnB(a, b, v2.article, lastPosition(reader.t.messages))
})
