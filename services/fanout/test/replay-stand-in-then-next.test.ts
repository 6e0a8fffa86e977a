// A hold numbered as the live version stands in as the next version (late-hold.ts), and the
// writer's next record, numbered as that next version too, replaces it. A newsroom reader resuming
// from before both is replayed the stand-in's event (not the latest: same version, another event)
// and must get the writer's record, the story as it stands: the replay skips a version not older
// than the latest (deliver.ts decideReplay). Mutation campaign 2026-12-05, mutant D2 (`<=` made
// `<` there) survived every fan-out unit test: the reader was sent the withheld stand-in, and the
// real version 4 was then dropped as a version it had (the dashboard kept the story as withheld).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { client, lastPosition, subscribe } from './support/live-story.ts'

test('a newsroom reader resuming from before a hold stand-in and the record replacing it gets that record', async () => {
  const h = new Harness({ partitions: 1 })
  h.append(event('CREATED', { id: 'k', version: 3, urgency: 1 }, h.clock.now() - 1000))
  h.start()
  await h.settle()
  const away = await client(h, { audience: 'newsroom' }, ['breaking'])
  const since = lastPosition(away.t.messages)
  h.hub.conns.remove(away.conn)
  h.append(event('UPDATED', { id: 'k', version: 3, urgency: 1, pubStatus: 'withheld' }, h.clock.now()))
  h.append(event('UPDATED', { id: 'k', version: 4, urgency: 1, headline: 'k as written' }, h.clock.now()))
  await h.settle()
  const back = h.connect('newsroom')
  subscribe(h, back.conn, ['breaking'], { since })
  await h.settle()
  const got = back.t.messages.flatMap((m) =>
    m.type === 'event' && (m.event as ArticleEvent).article.id === 'k' ? [m.event as ArticleEvent] : [],
  )
  assert.deepEqual(
    got.map((e) => `${e.article.version} ${e.article.pubStatus} ${e.article.headline}`),
    ['4 usable k as written'],
  )
  h.hub.stop()
})
