// Review (rev36): an undecodable change of a story still under embargo may move the embargo
// later (README "Poison records": "a new embargo, it cannot tell"). The stand-in hold copies the
// embargo time it knew, so when that time passes a `released` token (embargo: false: every
// editorial state, embargoed content only once released) is shown the content, which the
// record may have embargoed for longer. The documented cost covers only content such a token
// already had; here it never had it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { entryHoldOf, holdOf, UNTIL_READABLE } from '../src/unreadable.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { newsroom, released, shown, subscribe, T0 } from './support/live-story.ts'

test('an undecodable change of a story under embargo keeps it from a released token past the old embargo', async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  // under embargo for ten minutes
  h.append(event('CREATED', { id: 'story', version: 1, category: 'news', embargoedUntil: T0 + 600_000 }, T0))
  await h.settle()
  const partner = h.connect(released.audience, released.scope)
  subscribe(h, partner.conn, ['category:news'])
  await h.settle()
  await h.tick(60_000)
  // a record it cannot read: the newsroom may have moved the embargo to the afternoon
  h.appendUnreadable('story', { kind: 'hold' })
  await h.settle()
  await h.tick(600_000)
  const late = h.connect(released.audience, released.scope)
  subscribe(h, late.conn, ['category:news'])
  const desk = h.connect(newsroom.audience, newsroom.scope)
  subscribe(h, desk.conn, ['category:news'])
  await h.settle()
  assert.deepEqual(shown(partner.t.messages), [], 'not shown live when the old embargo passes')
  const snapshot = late.t.messages.find((m) => m.type === 'subscribed')?.snapshot as unknown[]
  assert.deepEqual(snapshot, [], 'nor in a snapshot')
  const held = ((desk.t.messages.find((m) => m.type === 'subscribed')?.snapshot ?? []) as ArticleEvent[])[0]
  assert.equal(held?.article.pubStatus, 'withheld', 'the newsroom sees it held')

  // the record it can read decides: here the embargo as it was (passed), the story usable
  h.append(event('UPDATED', { id: 'story', version: 3, category: 'news', embargoedUntil: T0 + 600_000 }, h.clock.now()))
  await h.settle()
  h.hub.stop()
  assert.deepEqual(shown(partner.t.messages), ['story'], 'then shown')
})

test('an undecodable change of an entry under its own embargo keeps it embargoed; one past its embargo keeps the embargo known', () => {
  const story = event('CREATED', { id: 'Live-1', version: 1, live: true }, T0)
  const e1 = entryEvent(story.article, { id: 'e1', seq: 1, version: 1, embargoedUntil: T0 + 600_000 }, T0)
  const where = { topic: 'events', partition: 0, offset: 2 } as const
  assert.equal(entryHoldOf(e1, story.article, where, T0 + 60_000)?.entry.embargoedUntil, UNTIL_READABLE)
  assert.equal(entryHoldOf(e1, story.article, where, T0 + 700_000)?.entry.embargoedUntil, T0 + 600_000)
  const v1 = event('CREATED', { id: 'story', version: 1, embargoedUntil: T0 + 600_000 }, T0)
  assert.equal(holdOf(v1, where, T0 + 700_000)?.article.embargoedUntil, T0 + 600_000)
  assert.equal(new Date(UNTIL_READABLE).toISOString(), '+275760-09-13T00:00:00.000Z', 'a Date holds it')
})
