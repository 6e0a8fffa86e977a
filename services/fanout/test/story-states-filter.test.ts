// A `story:` subscription's `states` filter holds for the story's entries: while the story is in no
// state the subscription asked for, it is out of view and so is every entry (story-deliver.ts
// storyInView), a resume included. Mutation campaign 2026-12-05, mutant S1 (the filter left out
// there) survived every fan-out unit test outside the model tests: a dashboard filtered to `live`,
// resuming, was replayed the entries of a story withheld.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { client, entries, lastPosition, setup, subscribe } from './support/live-story.ts'

test('a newsroom story reader filtered to live, resuming, is replayed no entry of the story withheld now', async () => {
  const { h, story } = await setup()
  story.post('e1')
  await h.settle()
  const filter = { states: ['live'] }
  const away = await client(h, { audience: 'newsroom' }, ['story:Live-1'], { filter })
  const since = lastPosition(away.t.messages)
  h.hub.conns.remove(away.conn)
  story.post('e2')
  story.edit('e1', { body: ['edited'] })
  story.update({ pubStatus: 'withheld' })
  await h.settle()
  const back = h.connect('newsroom')
  subscribe(h, back.conn, ['story:Live-1'], { since, filter })
  await h.settle()
  assert.deepEqual(entries(back.t.messages), [])
  h.hub.stop()
})
