// A story reader resuming from further back than memory is replayed from the log, where the story's
// state when an entry version was written is not known: no intermediate entry version goes out, the
// reader is brought to each entry's latest (story-deliver.ts decideEntryReplay). Mutation campaign
// 2026-12-05, mutant S3 (a log record taken as an applied one there) survived every fan-out unit
// test outside the model tests: nothing replayed an entry's intermediate version from the log.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { client, entries, lastPosition, setup, subscribe } from './support/live-story.ts'

test('a story reader resuming from the log gets each entry at its latest version, and no reset', async () => {
  const { h, story } = await setup(2)
  story.post('e1')
  await h.settle()
  const away = await client(h)
  const since = lastPosition(away.t.messages)
  h.hub.conns.remove(away.conn)
  story.edit('e1', { body: ['second'] })
  story.edit('e1', { body: ['third'] })
  // past memory (history 2)
  for (const id of ['e2', 'e3', 'e4']) story.post(id)
  await h.settle()
  const back = h.connect('public')
  subscribe(h, back.conn, ['story:Live-1'], { since })
  await h.settle()
  assert.equal(back.t.messages.find((m) => m.type === 'subscribed')?.replay, 'kafka', 'not replayed from the log')
  assert.deepEqual(
    back.t.messages.filter((m) => m.type === 'reset' || m.type === 'error').map((m) => m.type),
    [],
  )
  assert.deepEqual(entries(back.t.messages), ['e1@3', 'e2@1+', 'e3@1+', 'e4@1+'])
  h.hub.stop()
})
