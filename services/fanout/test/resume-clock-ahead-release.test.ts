// A position made on an instance whose clock runs ahead (within the tolerated skew) claims an
// embargo release this instance has yet to make: the resume waits for its own clock to reach the
// position's watermark before it joins the live loop (cursor.ts stepMemory), so the release it
// makes then is not sent to a reader that had it. Mutation campaign 2026-12-05, mutant C8 (the
// cursor joins the live loop at once) survived every fan-out unit test but the model tests.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { processPair } from './support/harness.ts'
import { event } from './support/events.ts'
import { client, lastPosition, subscribe } from './support/live-story.ts'

test('a reader moving to an instance whose clock is behind gets a release it had once, not again', async () => {
  const pair = processPair({ partitions: 1 })
  const { a, b } = pair
  const start = a.clock.now()
  pair.append(event('CREATED', { id: 'e', version: 1, urgency: 1, embargoedUntil: start + 10_000 }, start))
  await a.settle()
  await b.settle()
  const onA = await client(a, {}, ['breaking'])
  // A's clock runs 15 s ahead of B's: A releases the story, its reader has it
  await a.tick(15_000)
  const released = (ms: typeof onA.t.messages) => ms.filter((m) => m.type === 'event' && (m.event as ArticleEvent).article.id === 'e')
  assert.equal(released(onA.t.messages).length, 1)
  const since = lastPosition(onA.t.messages)
  a.hub.conns.remove(onA.conn)
  const onB = b.connect('public')
  subscribe(b, onB.conn, ['breaking'], { since })
  await b.settle()
  // B's clock reaches the embargo, then the position's watermark
  await b.tick(10_000)
  await b.tick(5_000)
  await b.tick(1000)
  assert.deepEqual(
    released(onB.t.messages).map((m) => m.released ?? false),
    [],
    'the reader had the release from A: B sent it again',
  )
  a.hub.stop()
  b.hub.stop()
})
