// red10 attack run: the dashboard's "last hour" counts (GET /v1/counts, kept from the stream by
// web/counts.ts DeskCounts) go on counting a story the reader's stream has already killed.
//
// 1. /v1/counts has no `at` (the SDK's counts() sends none, and the route ignores one): with
//    FANOUT_WORKERS=2 or several instances, the request lands on a process that has not read the
//    kill the reader's stream delivered, and lists the killed story (id, version, category).
// 2. DeskCounts.withdrawn() of a story it does not hold yet (a story of the last hour beyond the
//    loaded snapshot, whose kill comes on the stream before the counts answer) marks nothing; the
//    counts answer then seeds it as live, and nothing ever takes it out: "withdrawn stories left
//    out" of the counts does not hold. (Even one process: the answer is computed before the kill,
//    read after the stream's `withdrawn`.)
// Fixed: counts take `at` as pages do (the SDK sends it), and DeskCounts keeps a kill of a story it
// does not hold yet.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { RecentCounts } from '@newswire/client'
import { answerCounts, RequestError } from '../src/http/snapshot.ts'
import { DeskCounts } from '../web/counts.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { lastPosition, subscribe, withdrawn } from './support/live-story.ts'

const START = 1_800_000_000_000
const SEC = 1000
const publicAdmission = { audience: 'public' as const, expiresAt: null, reject: null }

test('counts asked with the reader’s stream position from a lagging process do not list a story that stream has killed', async () => {
  const story = event('CREATED', { id: 'doomed', version: 1, updatedAt: START - 60 * SEC }, START - 60 * SEC)
  const kill = event('WITHDRAWN', { id: 'doomed', version: 2, updatedAt: START, pubStatus: 'canceled' }, START, { reason: 'legal' })
  const a = new Harness({ partitions: 1, start: START })
  const b = new Harness({ partitions: 1, start: START })
  for (const h of [a, b]) {
    h.append(story)
    h.start()
  }
  await Promise.all([a.settle(), b.settle()])

  // the reader's stream is on A, which reads the kill; B's consumer has not read it yet
  const reader = a.connect('public')
  subscribe(a, reader.conn, ['category:news'])
  await a.settle()
  a.append(kill)
  b.inKafka(kill, 0)
  await a.settle()
  assert.ok(
    withdrawn(reader.t.messages).some((w) => w.startsWith('doomed:')),
    'the stream told the reader of the kill',
  )
  const at = lastPosition(reader.t.messages)

  // the dashboard asks for the counts (as a page would, with the stream's position); B answers
  let listed: string[] = []
  try {
    const body = JSON.parse(
      answerCounts(new URL(`http://f/v1/counts?channels=category:news&at=${encodeURIComponent(at)}`), publicAdmission, b.routeDeps(50)),
    ) as RecentCounts
    listed = body.articles.map((x) => x.id)
  } catch (err) {
    if (!(err instanceof RequestError) || err.status !== 503) throw err
  }
  a.hub.stop()
  b.hub.stop()
  assert.deepEqual(listed, [], 'a process behind the reader’s stream counted the story that stream killed')
})

test('the dashboard’s counts leave out a story whose kill came on the stream before the counts answer', () => {
  const counts = new DeskCounts()
  // the stream: the kill of a story of the last hour this page had not loaded
  counts.withdrawn({ articleId: 'doomed', cause: 'withdrawn' })
  // then the counts answer, computed before the kill (or by a process that had not read it)
  counts.seed({
    from: new Date(START - 3600 * SEC).toISOString(),
    to: new Date(START).toISOString(),
    categories: [{ category: 'news', label: 'News', count: 1 }],
    articles: [{ id: 'doomed', version: 1, category: 'news', at: new Date(START - 60 * SEC).toISOString() }],
    truncated: false,
  } as RecentCounts)
  assert.deepEqual(counts.list(START), [], 'a killed story is counted as running')
})
