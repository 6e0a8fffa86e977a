// Found by the two-process story model (two-processes-story-model.test.ts, stop 54 CI, seed
// -1190769061): a reader resuming across a story's embargoed update. Its replay judges each entry
// event now, and entries written before the update, while the update's embargo holds the story out
// of view, were left out; the embargo passed before the replay got to the update, which then went
// out as a plain new version with no `withdrawn` before it, so the reader showed the story without
// those entries for good. Such a replay now ends in a `reset` (stories.ts #judgedNow).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { REPLAY_STEP } from '../src/cursor.ts'
import { entries, readerAway, snapshotEntries, subscribe } from './support/live-story.ts'

test('a reader resuming across an embargoed update gets the entries written before it when the embargo passes mid-replay', async () => {
  const { h, story, since } = await readerAway(1000)
  // one replay step of entries, then the update under embargo for a moment
  const posted = Array.from({ length: REPLAY_STEP - 1 }, (_, i) => `e${i + 2}`)
  for (const id of posted) story.post(id)
  // ... the last of them e1's deletion, which the replay tells while the story is out of view
  story.edit('e1', {}, { delete: 'legal' })
  story.update({ embargoedUntil: h.clock.now() + 1 })
  await h.settle()
  // the reader's socket fills with the write after `subscribed`: its replay takes one step, then waits
  const back = h.connect('public')
  const write = back.t.write.bind(back.t)
  let writes = 0
  back.t.write = (frames, group) => {
    if (++writes === 2) back.t.backlog = Number.MAX_SAFE_INTEGER
    return write(frames, group)
  }
  subscribe(h, back.conn, ['story:Live-1'], { since })
  await h.settle()
  const steppedWhileEmbargoed = back.t.messages.length
  // the embargo passes before the replay goes on
  h.clock.advance(1)
  back.t.backlog = 0
  h.hub.schedule()
  await h.settle()
  h.hub.stop()
  const ms = back.t.messages
  // the scenario as found: one step while the embargo held (e1's deletion told), the rest after
  assert.deepEqual(
    ms.slice(0, steppedWhileEmbargoed).map((m) => m.type),
    ['subscribed', 'entryWithdrawn'],
  )
  const after = ms.slice(steppedWhileEmbargoed)
  const reset = after.find((m) => m.type === 'reset')
  const sent = new Set([...entries(after), ...(reset ? snapshotEntries(reset) : [])].map((e) => e.split('@')[0]))
  // a reset's snapshot holds the newest entries and where older ones page from; without one, each entry came on its own
  const paged = reset !== undefined && typeof reset.entriesMore === 'number'
  assert.ok(
    posted.every((id) => sent.has(id)) || (paged && sent.has(posted.at(-1) as string)),
    `the reader shows the released story without the entries written before its update: ${JSON.stringify(after.map((m) => m.type))}`,
  )
  assert.ok(!sent.has('e1'), 'e1 stays deleted')
})
