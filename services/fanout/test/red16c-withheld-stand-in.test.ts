// red16c attack run (2026-12-06): a stand-in hold that released what the desk withheld. A record
// numbered as the live version of its story, or lower (a writer that is not ingest, an ingest on a
// stale state: old news by its number), that hides the story from someone outside the newsroom
// who sees it stands in as the next version, with the content known (late-hold.ts, red12). It
// took the editorial controls of the record alone: usable under a new embargo, over a story the
// desk had withheld, it hid the story from a `released` token (embargo: false), so it stood in as
// the next version, usable, under that embargo, and at the embargo the public was shown the
// story the desk had withheld, live, in snapshots and pages; an entry alike. The model tests never
// generated it (their late holds under an embargo kept the story's own status). Fixed: a stand-in
// keeps a hold it meets (late-hold.ts heldStatus).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { answerPage } from '../src/http/snapshot.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { client, released, snapshotArticles, Story, withdrawn } from './support/live-story.ts'

const publicAdmission = { audience: 'public' as const, expiresAt: null, reject: null }
const pageIds = (h: Harness) =>
  (
    JSON.parse(answerPage(new URL('http://f/v1/snapshot?channels=breaking'), publicAdmission, h.routeDeps(50))) as { items: ArticleEvent[] }
  ).items.map((e) => e.article.id)
const headlines = (ms: { type: string; event?: unknown }[]) =>
  ms.flatMap((m) => (m.type === 'event' ? [(m.event as ArticleEvent).article.headline] : []))

test('a record numbered as the live version, usable under a new embargo, never releases a story the desk withheld', async () => {
  const h = new Harness({ partitions: 1 })
  h.append(event('CREATED', { id: 'k', version: 3, urgency: 1 }, h.clock.now() - 1000))
  h.append(event('UPDATED', { id: 'k', version: 4, urgency: 1, pubStatus: 'withheld' }, h.clock.now() - 500))
  h.start()
  await h.settle()
  const reader = await client(h, {}, ['breaking'])
  const desk = await client(h, released, ['breaking'])
  h.append(
    event('UPDATED', { id: 'k', version: 4, urgency: 1, pubStatus: 'usable', embargoedUntil: h.clock.now() + 600_000 }, h.clock.now()),
  )
  await h.settle()
  assert.deepEqual(withdrawn(desk.t.messages), ['k:embargoed'], 'the released token was not told of the new embargo')
  await h.tick(600_001)
  await h.settle()
  assert.deepEqual(headlines(reader.t.messages), [], 'the public was sent the story the desk withheld')
  assert.deepEqual(snapshotArticles((await client(h, {}, ['breaking'])).t.messages), [], 'a public snapshot shows the withheld story')
  assert.deepEqual(pageIds(h), [], 'a public page lists the withheld story')
  h.hub.stop()
})

test("a record numbered as an entry's live version, usable under a new embargo, never releases an entry the desk withheld", async () => {
  const h = new Harness({ partitions: 1 })
  h.start()
  const story = new Story(h)
  story.post('e1')
  story.edit('e1', { pubStatus: 'withheld' })
  await h.settle()
  const reader = await client(h)
  h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 2, embargoedUntil: h.clock.now() + 600_000 }, h.clock.now()))
  await h.settle()
  await h.tick(600_001)
  await h.settle()
  const sent = reader.t.messages.filter((m) => m.type === 'entry')
  assert.deepEqual(sent, [], 'the public story reader was sent the entry the desk withheld')
  const fresh = await client(h)
  assert.deepEqual(fresh.t.messages.find((m) => m.type === 'subscribed')?.entries, [], 'a fresh snapshot shows the withheld entry')
  h.hub.stop()
})
