// An entry's deletion that the fan-out cannot decode (a schema it lacks, a corrupt record) still
// takes the entry off: its `event-type` and `entry-id` headers name it, and a deletion is as final
// as a kill (unreadable.ts). Before, it was only skipped: a public reader kept an entry the
// newsroom deleted ("names a minor") until its next snapshot.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deletionOf } from '../src/unreadable.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { gone, lastPosition, Story, subscribe, T0 } from './support/live-story.ts'

test('an undecodable deletion of an entry takes it off a live reader, and off a reader resuming from before it', async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  const story = new Story(h, 'Live-1')
  story.post('e1')
  story.post('e2')
  await h.settle()
  const live = h.connect('public')
  subscribe(h, live.conn, ['story:Live-1'], { entries: 10 })
  const away = h.connect('public')
  subscribe(h, away.conn, ['story:Live-1'], { entries: 10 })
  await h.settle()
  const since = lastPosition(away.t.messages)
  h.hub.conns.remove(away.conn)

  await h.tick(1000)
  h.appendUnreadable(story.article.id, { kind: 'entryDeleted', entryId: 'e1' })
  await h.settle()
  assert.deepEqual(
    gone(live.t.messages),
    ['e1:deleted'],
    `the live reader was not told: ${JSON.stringify(live.t.messages.map((m) => m.type))}`,
  )

  const back = h.connect('public')
  subscribe(h, back.conn, ['story:Live-1'], { since, entries: 10 })
  await h.settle()
  h.hub.stop()
  assert.deepEqual(gone(back.t.messages), ['e1:deleted'], 'the resumed reader was not told')
  // the snapshot of a new reader no longer holds it
  const snapshot = h.store.ledger.entries.get('Live-1', 'e1')
  assert.equal(snapshot?.event.type, 'ENTRY_DELETED')
})

test('an undecodable deletion of an entry the instance does not know, or already deleted, changes nothing', () => {
  const h = new Harness({ partitions: 1, start: T0 })
  const story = new Story(h, 'Live-2')
  story.post('e1')
  assert.equal(h.store.appendUnreadable(0, 5, 'Live-2', { kind: 'entryDeleted', entryId: 'unknown' }, T0), null)
  assert.equal(h.store.appendUnreadable(0, 6, 'Nobody', { kind: 'entryDeleted', entryId: 'e1' }, T0), null)
  const deleted = entryEvent(story.article, { id: 'e1', seq: 1, version: 2, pubStatus: 'canceled' }, T0, { type: 'ENTRY_DELETED' })
  assert.equal(deletionOf(deleted, story.article, { topic: 'events', partition: 0, offset: 7 }, T0), null)
})

// red29a, as for a kill (unreadable-kill.test.ts): an undecodable deletion of an entry deleted
// already is nothing live; a replay from the log read it as the earlier deletion and told a reader
// past that deletion again.
test('a reader resuming from the log past an entry deletion is not told it again by an undecodable deletion after it', async () => {
  const h = new Harness({ partitions: 1, start: T0, historySize: 2 })
  h.start()
  const story = new Story(h, 'Live-1')
  story.post('e1')
  story.post('e2')
  await h.settle()
  const first = h.connect('newsroom')
  subscribe(h, first.conn, ['story:Live-1'], { entries: 10 })
  await h.settle()
  story.edit('e1', {}, { delete: 'legal' })
  await h.settle()
  assert.deepEqual(gone(first.t.messages), ['e1:deleted'], 'told of the deletion live')
  const since = lastPosition(first.t.messages)
  h.hub.conns.remove(first.conn)
  h.appendUnreadable(story.article.id, { kind: 'entryDeleted', entryId: 'e1' })
  for (const id of ['x', 'y', 'z']) h.append(event('CREATED', { id, version: 1, category: 'sport' }, h.clock.now()))
  await h.settle()

  const back = h.connect('newsroom')
  subscribe(h, back.conn, ['story:Live-1'], { since, entries: 10 })
  await h.settle()
  h.hub.stop()
  assert.equal(back.t.messages.find((m) => m.type === 'subscribed')?.replay, 'kafka', 'the resume is read from the log')
  assert.deepEqual(gone(back.t.messages), [], 'told of the deletion twice')
})
