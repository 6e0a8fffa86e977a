// red17 attack run (2026-12-06): a `reset` made while the live loop is behind the store carries the
// live loop's position, but its snapshot is the ledger's, which has read further: a story released
// on arrival (its embargo passed before this process read it) resets its reader at the story's own
// record, with an entry written after it in the snapshot. Resumed from that position on a process
// that read the entry while the story was still under embargo there, the replay took the entry for
// one created out of the reader's view and never sent ("unsent"), and held back its deletion: the
// reader kept a deleted entry on screen.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { entryEvent, event, Harness } from './support/harness.ts'
import type { Message } from './support/harness.ts'
import { gone, lastPosition, snapshotEntries, subscribe } from './support/live-story.ts'

const T = 1_800_000_000_000
const E = T + 10_000

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
  const at = lastPosition(reader.t.messages)
  a.hub.conns.remove(reader.conn)
  // the desk deletes e1; B reads it; the reader resumes there
  const deleted = entryEvent(story.article, { id: 'e1', seq: 1, version: 2 }, b.clock.now(), {
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
})
