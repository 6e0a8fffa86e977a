// Stop 48's CI (confidentiality model, seed 223094996): "Show older entries" answered by a process
// ahead of the reader's stream (a worker that has read further, or this one while its live loop is
// behind its store) held an entry at a version the stream had yet to bring, and then the stream
// brought it: the same version twice. With the stream's position (`at`, as the SDK sends it) the
// page leaves out what was read from there on, as article pages do: the stream brings it, once.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { answerEntries } from '../src/http/entries.ts'
import { processPair } from './support/harness.ts'
import { entryMsgs, lastPosition, Story, subscribe } from './support/live-story.ts'

const START = 1_800_000_000_000

test('an older-entries page from a process ahead of the reader’s stream leaves out what that stream is still to bring', async () => {
  const both = processPair({ partitions: 1, start: START })
  const { a, b } = both
  const story = new Story(both, 'Live-1')
  for (let i = 1; i <= 4; i++) story.post(`e${i}`)
  await Promise.all([a.settle(), b.settle()])

  // the reader follows the story on B: the latest two entries, older ones by page
  const reader = b.connect('public')
  subscribe(b, reader.conn, ['story:Live-1'], { entries: 2 })
  await b.settle()
  const subscribed = reader.t.messages.find((m) => m.type === 'subscribed') as unknown as { entriesMore: number | null }
  assert.ok(subscribed.entriesMore !== null)

  // the desk corrects e1; A reads it, B (the reader's stream) has not yet
  both.lagging = true
  story.edit('e1', { body: ['e1, corrected'] })
  await a.settle()

  // "Show older entries" lands on A
  const older = (at: string | null) =>
    JSON.parse(
      answerEntries(
        new URL(
          `http://f/v1/stories/Live-1/entries?before=${subscribed.entriesMore}&limit=10${at === null ? '' : `&at=${encodeURIComponent(at)}`}`,
        ),
        { audience: 'public' },
        a.entriesDeps,
      ),
    ) as { items: { id: string; version: number }[]; next: number | null }
  const page = older(lastPosition(reader.t.messages))
  // without a position, the page is A's state now: the correction is in it
  assert.ok(older(null).items.some((e) => e.id === 'e1' && e.version === 2))

  // B reads on: the stream brings the correction
  b.readOn(0)
  await b.settle()
  a.hub.stop()
  b.hub.stop()
  const live = entryMsgs(reader.t.messages).map((m) => `${m.entry.id}@${m.entry.version}`)
  const paged = page.items.map((e) => `${e.id}@${e.version}`)
  assert.ok(live.includes('e1@2'), `the stream never brought the correction: ${JSON.stringify(live)}`)
  assert.deepEqual(
    paged.filter((k) => live.includes(k)),
    [],
    `the page (${JSON.stringify(paged)}) gave what the stream then brought (${JSON.stringify(live)})`,
  )
  // the rest of the older entries are on the page
  assert.ok(paged.includes('e2@1'), JSON.stringify(paged))
})
