// A `states` filter holds on a resume too: a version replayed on the way to the latest goes out
// only in a state the subscription asked for (deliver.ts decideReplay). Mutation campaign
// 2026-12-05, mutant D6 (the filter left out for intermediate versions) survived every fan-out
// unit test outside the model tests: a newsroom dashboard filtered to `live` was replayed the
// withheld draft before the live version.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { client, lastPosition, subscribe } from './support/live-story.ts'

test('a newsroom reader filtered to live, resuming, is replayed no withheld version', async () => {
  const h = new Harness({ partitions: 1 })
  h.append(event('CREATED', { id: 'x', version: 1, urgency: 1 }, h.clock.now() - 1000))
  h.start()
  await h.settle()
  const filter = { states: ['live'] }
  const away = await client(h, { audience: 'newsroom' }, ['breaking'], { filter })
  const since = lastPosition(away.t.messages)
  h.hub.conns.remove(away.conn)
  h.append(event('CREATED', { id: 'k', version: 1, urgency: 1, pubStatus: 'withheld', headline: 'DRAFT' }, h.clock.now()))
  h.append(event('UPDATED', { id: 'k', version: 2, urgency: 1 }, h.clock.now()))
  await h.settle()
  const back = h.connect('newsroom')
  subscribe(h, back.conn, ['breaking'], { since, filter })
  await h.settle()
  const got = back.t.messages.flatMap((m) => (m.type === 'event' ? [(m.event as ArticleEvent).article.headline] : []))
  assert.deepEqual(got, ['k v2'])
  h.hub.stop()
})

// Mutant D8 (the filter left out for the latest version) survived the same way: the dashboard
// filtered to `live` was replayed a story withheld now.
test('a newsroom reader filtered to live, resuming, is not replayed a story withheld now', async () => {
  const h = new Harness({ partitions: 1 })
  h.append(event('CREATED', { id: 'x', version: 1, urgency: 1 }, h.clock.now() - 1000))
  h.start()
  await h.settle()
  const filter = { states: ['live'] }
  const away = await client(h, { audience: 'newsroom' }, ['breaking'], { filter })
  const since = lastPosition(away.t.messages)
  h.hub.conns.remove(away.conn)
  h.append(event('CREATED', { id: 'k', version: 1, urgency: 1, pubStatus: 'withheld', headline: 'DRAFT' }, h.clock.now()))
  await h.settle()
  const back = h.connect('newsroom')
  subscribe(h, back.conn, ['breaking'], { since, filter })
  await h.settle()
  const got = back.t.messages.flatMap((m) => (m.type === 'event' ? [(m.event as ArticleEvent).article.headline] : []))
  assert.deepEqual(got, [])
  h.hub.stop()
})
