// A resume from a position older than what Kafka still holds (retention deleted the records after
// it) cannot be replayed: what was deleted may hold the kill of a story the reader shows, and a
// replay from the log's start never tells it. The subscription starts over with `reset` and a
// fresh snapshot (subscribe.ts), which the client puts in place of what it showed. Mutation sweep,
// stop 41, mutant su4 (that check dropped) survived every fan-out unit test: the harness's log had
// no start but offset 0 until this test.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { lastPosition, snapshotArticles, subscribe, withdrawn } from './support/live-story.ts'

const START = 1_800_000_000_000

test('a reader resuming from before the log retention starts over from a snapshot without the story killed since', async () => {
  const h = new Harness({ partitions: 1, start: START, historySize: 2, low: [3] })
  h.start()
  h.append(event('CREATED', { id: 'x', version: 1 }, START))
  await h.settle()
  const first = h.connect('public')
  subscribe(h, first.conn, ['category:news'])
  await h.settle()
  assert.deepEqual(
    snapshotArticles(first.t.messages).map((a) => a.id),
    ['x'],
  )
  const since = lastPosition(first.t.messages)
  h.hub.conns.remove(first.conn)
  // x is killed; later records push the position out of memory; retention has since deleted offsets 0-2
  h.append(event('WITHDRAWN', { id: 'x', version: 2, pubStatus: 'canceled' }, START + 1000, { reason: 'legal' }))
  for (let i = 0; i < 4; i++) h.append(event('CREATED', { id: `s${i}`, version: 1, category: 'sport' }, START + 2000))
  await h.settle()

  const back = h.connect('public')
  subscribe(h, back.conn, ['category:news'], { since })
  await h.settle()
  h.hub.stop()
  const reset = back.t.messages.find((m) => m.type === 'reset')
  const told = withdrawn(back.t.messages).some((w) => w.startsWith('x:'))
  assert.ok(
    reset !== undefined || told,
    `the reader who showed x was neither reset nor told of its kill: ${JSON.stringify(back.t.messages.map((m) => m.type))}`,
  )
  assert.ok(!((reset?.snapshot ?? []) as ArticleEvent[]).some((e) => e.article.id === 'x'), 'the reset snapshot holds x')
})
