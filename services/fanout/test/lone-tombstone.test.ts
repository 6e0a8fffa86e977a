// A tombstone in news.articles is an operator's erasure (schemas/README.md). Kafka's cleaner
// removes the records before it soon after its segment rolls, and leaves it alone; the fan-out
// loaded a tombstone alone as nothing, then replayed the article's events from
// news.article-events (kept 7 days): an instance started after compaction served the erased
// article to the public again. A tombstone alone is an erasure all the same: what history brings
// of the article (or of the entry it names) ends killed (deleted), and where history has nothing
// of it, nothing read later of it is shown.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createCodec, createLogger, entryStateKey, loadSchemas } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import type { Admission } from '../src/http/access.ts'
import { answerPage } from '../src/http/snapshot.ts'
import { StateLoad } from '../src/feed.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import type { Message } from './support/harness.ts'
import { client, entries, newsroom, shown, snapshotArticles, snapshotEntries } from './support/live-story.ts'

const T0 = 1_800_000_000_000
const codec = createCodec(loadSchemas())
const metrics = { lag: () => {}, decodeErrors: () => {}, undecodableHeader: () => {} }
const publicAdmission: Admission = { audience: 'public', expiresAt: null, reject: null }

/** news.articles as compaction leaves it: the records `kept`, and a tombstone alone for each key of `erased` (all on partition 0). */
function loadState(h: Harness, kept: NewswireEvent[], erased: string[]): void {
  const load = new StateLoad({ codec, metrics, log: createLogger('load-test', 'silent') })
  let offset = 100
  for (const e of kept)
    load.take(0, { key: Buffer.from(e.article.id), value: codec.encode(e), offset: String(offset++), timestamp: String(T0) })
  for (const key of erased) load.take(0, { key: Buffer.from(key), value: null, offset: String(offset++), timestamp: String(T0 + 5000) })
  load.into(h.store)
}

/** A fan-out started over `log` (history holds all of it) after loading news.articles. */
function startedAfter(log: NewswireEvent[], kept: NewswireEvent[], erased: string[]): Harness {
  const h = new Harness({ partitions: 1, start: T0 + 10_000 })
  loadState(h, kept, erased)
  for (const e of log) (h.log[0] as NewswireEvent[]).push(e)
  for (const [offset, e] of log.entries()) h.store.append(0, offset, e)
  h.start()
  return h
}

const page = (h: Harness) =>
  (
    JSON.parse(answerPage(new URL('http://x/v1/snapshot?channels=category:news&limit=50'), publicAdmission, h.routeDeps(50))) as {
      items: { article: { id: string } }[]
    }
  ).items.map((i) => i.article.id)
const said = (ms: Message[], id: string) => JSON.stringify(ms).includes(id)

test('a tombstone alone erases the article history still holds: no snapshot, page or live event shows it', async () => {
  const created = event('CREATED', { id: 'erased-1', version: 1, category: 'news' }, T0)
  const updated = event('UPDATED', { id: 'erased-1', version: 2, category: 'news', headline: 'Erased' }, T0 + 1000)
  const other = event('CREATED', { id: 'other-1', version: 1, category: 'news' }, T0 + 2000)
  const h = startedAfter([created, updated, other], [other], ['erased-1'])
  const reader = await client(h, {}, ['category:news'])
  const desk = await client(h, newsroom, ['category:news'])
  assert.deepEqual(
    snapshotArticles(reader.t.messages).map((a) => a.id),
    ['other-1'],
  )
  assert.deepEqual(page(h), ['other-1'])
  const s = h.store.ledger.latest('erased-1')
  assert.equal(s?.event.type, 'WITHDRAWN', 'killed over the version history reached')
  assert.equal(s?.event.article.version, 3)
  assert.equal(s?.event.eventId, 'unreadable-kill:articles:0:101', 'named after the tombstone: every instance alike')
  // a version after it (a writer that is not ingest, an older ingest): nothing after a kill
  h.append(event('UPDATED', { id: 'erased-1', version: 4, category: 'news', headline: 'Back' }, h.clock.now()))
  await h.settle()
  h.hub.stop()
  assert.deepEqual(shown(reader.t.messages), [])
  assert.ok(!said(desk.t.messages, 'Back'), 'nor the newsroom')
  assert.deepEqual(page(h), ['other-1'])
})

test('a tombstone alone of an article history does not hold: a later re-creation is shown to nobody', async () => {
  const other = event('CREATED', { id: 'other-1', version: 1, category: 'news' }, T0)
  const h = startedAfter([other], [other], ['erased-2'])
  const reader = await client(h, {}, ['category:news'])
  const desk = await client(h, newsroom, ['category:news'])
  assert.equal(h.store.ledger.latest('erased-2'), undefined)
  h.append(event('CREATED', { id: 'erased-2', version: 1, category: 'news', headline: 'Again' }, h.clock.now()))
  h.append(event('UPDATED', { id: 'erased-2', version: 2, category: 'news', headline: 'Again' }, h.clock.now()))
  await h.settle()
  const later = await client(h, {}, ['category:news'])
  h.hub.stop()
  assert.deepEqual(shown(reader.t.messages), [])
  assert.ok(!said(desk.t.messages, 'erased-2'), 'nor the newsroom')
  assert.deepEqual(
    snapshotArticles(later.t.messages).map((a) => a.id),
    ['other-1'],
  )
  assert.deepEqual(page(h), ['other-1'])
})

test('a record after a tombstone is its key’s latest state: no erasure', async () => {
  const created = event('CREATED', { id: 'again-1', version: 1, category: 'news' }, T0)
  const h = new Harness({ partitions: 1, start: T0 + 10_000 })
  const load = new StateLoad({ codec, metrics, log: createLogger('load-test', 'silent') })
  load.take(0, { key: Buffer.from('again-1'), value: null, offset: '5', timestamp: String(T0) })
  load.take(0, { key: Buffer.from('again-1'), value: codec.encode(created), offset: '6', timestamp: String(T0) })
  load.into(h.store)
  h.start()
  assert.equal(h.store.ledger.latest('again-1')?.event.type, 'CREATED')
})

test("a tombstone alone of an entry's key deletes what history holds of it, and keeps a later one from showing", async () => {
  const story = event('CREATED', { id: 'Live-1', version: 1, live: true }, T0)
  const e1 = entryEvent(story.article, { id: 'e1', seq: 1, version: 1, body: ['Erased entry'] }, T0 + 1000)
  const e2 = entryEvent(story.article, { id: 'e2', seq: 2, version: 1 }, T0 + 2000)
  const h = startedAfter([story, e1, e2], [story, e2], [entryStateKey('Live-1', 'e1'), entryStateKey('Live-1', 'e3')])
  const reader = await client(h, {}, ['story:Live-1'], { entries: 10 })
  const desk = await client(h, newsroom, ['story:Live-1'], { entries: 10 })
  assert.deepEqual(snapshotEntries(reader.t.messages.find((m) => m.type === 'subscribed')), ['e2@1'])
  assert.equal(h.store.ledger.entries.get('Live-1', 'e1')?.event.type, 'ENTRY_DELETED')
  assert.ok(!said(desk.t.messages, 'Erased entry'), 'nor to the newsroom')
  // later versions of either (e3: known only by its tombstone)
  h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 3, body: ['Back'] }, h.clock.now()))
  h.append(entryEvent(story.article, { id: 'e3', seq: 3, version: 1, body: ['Back'] }, h.clock.now()))
  await h.settle()
  h.hub.stop()
  assert.deepEqual(entries(reader.t.messages), [])
  assert.ok(!said(desk.t.messages, 'Back'))
  assert.equal(h.store.ledger.entries.get('Live-1', 'e3'), undefined)
})
