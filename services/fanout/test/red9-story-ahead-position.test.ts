// red9 attack run: a `story:` reader resuming on a lagging worker from a position another worker
// gave it. The lagging worker judges "was the story shown at that position?" (stories.ts shownAt)
// from its own stale record: the story came into view (a hold lifted) at an offset it has not read,
// so it decides the reader never had the story, and when it does read the release its cursor has
// passed it. From then on entry deletions (and new entries) are not sent to this reader: it keeps
// an entry the desk deleted.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { processPair } from './support/harness.ts'
import { entries, gone, lastPosition, Story, subscribe } from './support/live-story.ts'

const START = 1_800_000_000_000

test('a story reader resuming on a lagging worker from a faster worker position hears of an entry deletion', async () => {
  const both = processPair({ partitions: 1, start: START })
  const { a, b } = both
  // a live blog prepared while held
  const story = new Story(both, 'Live-1', { pubStatus: 'withheld' })
  story.post('e1')
  story.post('e2')
  await Promise.all([a.settle(), b.settle()])

  // the desk lifts the hold; worker B has not read it yet
  both.lagging = true
  story.update({ pubStatus: 'usable' })
  await a.settle()

  // a public reader opens the story on A: it shows both entries
  const reader = a.connect('public')
  subscribe(a, reader.conn, ['story:Live-1'])
  await a.settle()
  const snap = reader.t.messages.find((m) => m.type === 'subscribed') as unknown as { entries: { id: string }[] }
  assert.deepEqual(snap.entries.map((e) => e.id).sort(), ['e1', 'e2'])
  const since = lastPosition(reader.t.messages)
  a.hub.conns.remove(reader.conn)

  // its reconnect lands on B, which then catches up
  const back = b.connect('public')
  subscribe(b, back.conn, ['story:Live-1'], { since })
  await b.settle()
  b.readOn(0)
  await b.settle()
  both.lagging = false

  // the desk deletes e1
  story.edit('e1', {}, { delete: 'legal' })
  await Promise.all([a.settle(), b.settle()])
  a.hub.stop()
  b.hub.stop()

  const got = back.t.messages.map((m) => m.type)
  assert.ok(
    gone(back.t.messages).includes('e1:deleted') || got.includes('reset'),
    `the reader kept the deleted entry e1: ${JSON.stringify({ got, entries: entries(back.t.messages), gone: gone(back.t.messages) })}`,
  )
})
