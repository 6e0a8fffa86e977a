// red13 attack run (2026-12-05), left open there: a record numbered as the live version of its
// story, or lower, with other content (a writer that is not ingest; an ingest deciding on a stale
// state) is old news to the ledger: never sent live, in a snapshot or in a replay from memory
// (history marks it not applied). A reader resuming from further back than memory, replayed from
// the log, was sent it anyway: content no reader was ever shown, and a version older than the one
// the reader had. Fixed: the store remembers the records its ledger did not take, and a replay from
// the log skips them as a replay from memory does (Store.replayed). Records older than what this
// instance has read are a known limit (services/fanout/README.md).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { client, lastPosition, subscribe } from './support/live-story.ts'

const headlines = (ms: { type: string; event?: unknown }[]) =>
  ms.filter((m) => m.type === 'event').map((m) => (m.event as ArticleEvent).article.headline)

async function resumedAfter(audience: 'public' | 'newsroom', live: number, stale: number, next: number | null) {
  const h = new Harness({ partitions: 1, historySize: 2 })
  h.append(event('CREATED', { id: 'k', version: live, urgency: 1 }, h.clock.now() - 1000))
  h.start()
  await h.settle()
  const away = await client(h, { audience }, ['breaking'])
  const since = lastPosition(away.t.messages)
  h.hub.conns.remove(away.conn)
  h.append(event('UPDATED', { id: 'k', version: stale, urgency: 1, headline: 'NEVER PUBLISHED' }, h.clock.now()))
  if (next !== null) h.append(event('UPDATED', { id: 'k', version: next, urgency: 1 }, h.clock.now()))
  // past memory (historySize 2): the resume is replayed from the log
  for (const id of ['x', 'y', 'z']) h.append(event('CREATED', { id, version: 1, urgency: 1 }, h.clock.now()))
  await h.settle()
  const back = h.connect(audience)
  subscribe(h, back.conn, ['breaking'], { since })
  await h.settle()
  return headlines(back.t.messages)
}

for (const audience of ['public', 'newsroom'] as const) {
  for (const [how, live, stale, next] of [
    ['numbered as the live version', 3, 3, null],
    ['numbered below the live version', 3, 2, null],
    ['numbered as the live version, the story moved on since', 1, 1, 2],
  ] as const) {
    test(`${audience}: a resume replayed from the log is not sent a record ${how} (old news to the ledger)`, async () => {
      const got = await resumedAfter(audience, live, stale, next)
      const expected = [...(next === null ? [] : [`k v${next}`]), 'x v1', 'y v1', 'z v1']
      assert.deepEqual(got, expected)
    })
  }
}
