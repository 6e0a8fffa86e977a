// red9 attack run: GET /v1/stories/<id>/entries?before=<seq> carried no stream position at all,
// so a fan-out process that is behind (FANOUT_WORKERS=2: each HTTP request lands on any worker)
// cannot tell that the reader has already passed a deletion it has not read yet. The reader follows
// the story on the worker that is ahead (the entry was deleted before it subscribed: it is in no
// snapshot and the stream never names it); "Show older entries" lands on the lagging worker, whose
// page holds the deleted entry, and nothing ever tells the reader to remove it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { answerEntries } from '../src/http/entries.ts'
import { processPair } from './support/harness.ts'
import { gone, lastPosition, Story, subscribe } from './support/live-story.ts'

const START = 1_800_000_000_000

test('an older-entries page from a worker that is behind holds no entry the reader has passed the deletion of', async () => {
  // every event reaches both workers, until B falls behind
  const both = processPair({ partitions: 1, start: START })
  const { a, b } = both
  const story = new Story(both, 'Live-1')
  for (let i = 1; i <= 5; i++) story.post(`e${i}`)
  await Promise.all([a.settle(), b.settle()])

  // the desk deletes e1 (a libel); worker B has not read it yet
  both.lagging = true
  story.edit('e1', {}, { delete: 'legal' })
  await a.settle()

  // a public reader opens the story on A: the latest two entries, older ones by page
  const reader = a.connect('public')
  subscribe(a, reader.conn, ['story:Live-1'], { entries: 2 })
  await a.settle()
  const subscribed = reader.t.messages.find((m) => m.type === 'subscribed') as unknown as { entriesMore: number | null }
  assert.ok(subscribed.entriesMore !== null)

  // "Show older entries" lands on B, with the position of the reader's stream (as the SDK sends it)
  const older = (at: string | null) =>
    answerEntries(
      new URL(
        `http://f/v1/stories/Live-1/entries?before=${subscribed.entriesMore}&limit=10${at === null ? '' : `&at=${encodeURIComponent(at)}`}`,
      ),
      { audience: 'public', scope: null } as never,
      b.entriesDeps,
    )
  // B has not read as far as the reader's stream: it says so, and the reader asks again
  assert.throws(
    () => older(lastPosition(reader.t.messages)),
    (err: Error & { code?: string }) => err.code === 'not_ready',
  )
  // without a position (an older SDK, a page fetched on its own) the page is B's state now
  assert.ok((JSON.parse(older(null)) as { items: { id: string }[] }).items.some((e) => e.id === 'e1'))
  // a position nobody signed is refused
  assert.throws(
    () => older('forged'),
    (err: Error & { code?: string }) => err.code === 'invalid_position',
  )

  // B catches up; the reader's reconnect lands there with its last position
  b.readOn(0)
  await b.settle()
  // the reader's retry, now that B has read as far
  const page = JSON.parse(older(lastPosition(reader.t.messages))) as { items: { id: string }[] }
  const paged = page.items.map((e) => e.id)
  const back = b.connect('public')
  subscribe(b, back.conn, ['story:Live-1'], { entries: 2, since: lastPosition(reader.t.messages) })
  await b.settle()
  const told = [...gone(reader.t.messages), ...gone(back.t.messages)]
  a.hub.stop()
  b.hub.stop()

  assert.ok(
    !paged.includes('e1') || told.some((g) => g.startsWith('e1:')),
    `the public reader was paged the deleted entry e1 (${JSON.stringify(page.items)}) and never told: ${JSON.stringify(told)}`,
  )
})
