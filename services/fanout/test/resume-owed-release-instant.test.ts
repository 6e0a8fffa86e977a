// A position made on an instance whose clock runs ahead claims every release up to its watermark.
// An event the cursor passes whose embargo falls due exactly at that watermark, not yet released
// by this instance, is owed to the reader: the watermark drops to just before it (cursor.ts
// #owed), or the release, not after the watermark, is never sent and the reader never shows a
// story it may see. Mutation campaign 2026-12-05, mutant C4 (`at > c.t` made `at >= c.t` there)
// survived every fan-out unit test but the model tests.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { processPair } from './support/harness.ts'
import { event } from './support/events.ts'
import { client, lastPosition, subscribe } from './support/live-story.ts'

test('a story whose embargo falls due at the watermark of a position from a clock ahead reaches the reader once it is released', async () => {
  const pair = processPair({ partitions: 1 })
  const { a, b } = pair
  pair.append(event('CREATED', { id: 'w', version: 1, urgency: 1 }, a.clock.now()))
  await b.settle()
  // A's clock runs 15 s ahead of B's; its reader leaves with a watermark 15 s ahead of B
  await a.tick(15_000)
  const onA = await client(a, {}, ['breaking'])
  const since = lastPosition(onA.t.messages)
  a.hub.conns.remove(onA.conn)
  const at = a.clock.now()
  pair.append(event('CREATED', { id: 'e', version: 1, urgency: 1, embargoedUntil: at }, b.clock.now()))
  await b.settle()
  const onB = b.connect('public')
  subscribe(b, onB.conn, ['breaking'], { since })
  await b.settle()
  for (let i = 0; i < 4; i++) await b.tick(5_000)
  const sent = onB.t.messages.filter((m) => m.type === 'event' && (m.event as ArticleEvent).article.id === 'e')
  assert.equal(sent.length, 1, 'the reader never got the story B released at the watermark')
  a.hub.stop()
  b.hub.stop()
})
