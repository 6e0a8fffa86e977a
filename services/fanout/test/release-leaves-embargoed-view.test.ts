// A newsroom view filtered to `embargoed` holds a story until its embargo passes: the release
// takes it out of that view, with a retraction (deliver.ts decideRelease). Mutation campaign
// 2026-12-05, mutant D7 (no retraction there) survived every fan-out unit test outside the model
// tests: the embargo desk's dashboard kept a released story as embargoed.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { client, snapshotArticles, withdrawn } from './support/live-story.ts'

test('a newsroom view filtered to embargoed is told a story left it when its embargo passes', async () => {
  const h = new Harness({ partitions: 1 })
  const now = h.clock.now()
  h.append(event('CREATED', { id: 'k', version: 1, urgency: 1, embargoedUntil: now + 1000 }, now))
  h.start()
  await h.settle()
  const desk = await client(h, { audience: 'newsroom' }, ['breaking'], { filter: { states: ['embargoed'] } })
  assert.deepEqual(
    snapshotArticles(desk.t.messages).map((a) => a.id),
    ['k'],
  )
  await h.tick(1000)
  assert.deepEqual(withdrawn(desk.t.messages), ['k:left'])
  h.hub.stop()
})
