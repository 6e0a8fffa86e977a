// Found by the two-process story model (two-processes-story-model.test.ts, 2026-12-05), on one
// process: the feed applies a fetch to the ledger at once, and the live loop gets to its records
// later (the next pass, after a slice of a long one). Between the two:
//   - the story's new embargo passed: its own record went out released (the ledger marks it), but
//     its entries' records were still judged by the story as it stood, under embargo, so a public
//     reader shown the story never heard of an entry's deletion (it kept a deleted entry) and never
//     got the entries written under that embargo (seed 943016260);
//   - a reader subscribed, or its story came into view (a reset): its snapshot, made from the
//     ledger, left out an entry withheld or deleted since, and the live loop then sent it the
//     entry's earlier version anyway (a withheld entry's text reached a public reader; seed 19581959).
// Such records are now judged now, as a replay judges them (stories.ts entry).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Harness } from './support/harness.ts'
import { client, entries, gone, Story, subscribe } from './support/live-story.ts'

async function liveStory() {
  const h = new Harness({ partitions: 1 })
  h.start()
  const story = new Story(h)
  story.post('e1')
  story.post('e2')
  await h.settle()
  return { h, story, reader: await client(h) }
}

test('a reader who saw an entry hears of its deletion when the story’s new embargo passes before the live loop reads them', async () => {
  const { h, story, reader } = await liveStory()
  assert.deepEqual(entries(reader.t.messages), [])
  // the desk puts the story under embargo for a moment and deletes e2; one fetch brings both
  story.update({ embargoedUntil: h.clock.now() + 1 })
  story.edit('e2', {}, { delete: 'legal' })
  h.clock.advance(1)
  await h.settle()
  h.hub.stop()
  assert.ok(
    gone(reader.t.messages).includes('e2:deleted') || reader.t.messages.some((m) => m.type === 'reset'),
    `the reader kept the deleted entry e2: ${JSON.stringify(reader.t.messages.map((m) => m.type))}`,
  )
})

test('entries written under the story’s new embargo reach a reader shown the story, when it passes before the live loop reads them', async () => {
  const { h, story, reader } = await liveStory()
  story.update({ embargoedUntil: h.clock.now() + 1 })
  story.post('e3')
  h.clock.advance(1)
  await h.settle()
  h.hub.stop()
  const shown = reader.t.messages.some((m) => m.type === 'event' && (m.event as { article: { version: number } }).article.version === 2)
  assert.ok(shown, 'the story, released, is shown')
  assert.deepEqual(entries(reader.t.messages), ['e3@1+'], 'the entry written under the embargo')
})

test('a reader arriving while the ledger is ahead of the live loop is not sent an entry withheld since', async () => {
  const { h, story } = await liveStory()
  story.post('e3')
  story.edit('e3', { pubStatus: 'withheld' })
  // read, not yet passed to the live loop: the reader's snapshot is the ledger's
  const late = h.connect('public')
  subscribe(h, late.conn, ['story:Live-1'])
  await h.settle()
  h.hub.stop()
  const snapshot = late.t.messages.find((m) => m.type === 'subscribed') as { entries: { id: string }[] } | undefined
  assert.deepEqual(snapshot?.entries.map((e) => e.id).sort(), ['e1', 'e2'])
  assert.deepEqual(entries(late.t.messages), [], 'no version of the withheld e3')
})

test('a reader whose story comes into view is not sent, after the reset, an entry its snapshot left out as deleted', async () => {
  const h = new Harness({ partitions: 1 })
  h.start()
  const reader = await client(h)
  // the story, an entry and its deletion, read in one fetch: the story coming into view is a reset
  // made from the ledger, which has the deletion
  const story = new Story(h)
  story.post('e1')
  story.edit('e1', {}, { delete: 'legal' })
  await h.settle()
  h.hub.stop()
  const reset = reader.t.messages.find((m) => m.type === 'reset') as { entries: unknown[] } | undefined
  assert.deepEqual(reset?.entries, [])
  assert.deepEqual(entries(reader.t.messages), [], 'no version of the deleted e1')
})
