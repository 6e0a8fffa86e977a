// A resume older than memory replays from the log with the watermark it had when it started. A
// story whose embargo passes while the replay waits (its reader waits for the live consumer, red9)
// and that the replay then passes is sent as released by the cursor; when the cursor reaches
// memory, its release step considers the releases since that old watermark, this one among them,
// behind the cursor. The cursor closed the version's release gate when it sent it (cursor.ts
// #deliverArticle), so the reader gets the story once. Mutation campaign 2026-12-05, mutant C3
// (that gate removed) survived every unit test and 300 random confidentiality runs: a duplicate.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { goneReaderAt, subscribe } from './support/live-story.ts'

const START = 1_800_000_000_000
const SEC = 1000

test('a story released while a Kafka replay waits, then passed by it, reaches the resumed reader once', async () => {
  const h = new Harness({ partitions: 2, start: START, historySize: 4 })
  h.start()
  h.append(event('CREATED', { id: 'old', version: 1 }, START), 0)
  await h.settle()
  const since = await goneReaderAt(h, ['category:news'])

  // an embargoed story on partition 1, then a busy desk there pushes the position out of memory
  h.append(event('CREATED', { id: 'e', version: 1, embargoedUntil: START + 5 * SEC }, START), 1)
  for (let i = 0; i < 8; i++) h.append(event('CREATED', { id: `sport-${i}`, version: 1, category: 'sport' }, START), 1)
  // a record on partition 0 the live consumer has not read: the replay waits for it there
  h.inKafka(event('CREATED', { id: 'other', version: 1, category: 'sport' }, START), 0)
  await h.settle()

  const back = h.connect('public')
  subscribe(h, back.conn, ['category:news'], { since })
  await h.settle()
  assert.equal(back.t.messages[0]?.replay, 'kafka')
  // the embargo passes while the replay waits; then the live consumer reads on and the replay goes on
  await h.tick(6 * SEC)
  h.readOn(0)
  await h.settle()
  await h.tick(SEC)
  h.hub.stop()

  const sent = back.t.messages.filter((m) => m.type === 'event' && (m.event as ArticleEvent).article.id === 'e')
  assert.equal(sent.length, 1, `the story came ${sent.length} times: ${JSON.stringify(sent.map((m) => m.released ?? false))}`)
})
