// Review (rev36): an undecodable change followed by a readable one, read by an instance that
// starts later. news.articles is loaded first (the readable one is the article's latest state),
// then history replays the undecodable record over that loaded state.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent, EntryEvent, NewswireEvent } from '@newswire/shared'
import { deletionOf, holdOf } from '../src/unreadable.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import type { Message } from './support/harness.ts'
import { snapshotEntries, subscribe, T0, snapshotArticles } from './support/live-story.ts'

const snapshotOf = (ms: Message[]) => snapshotArticles(ms).map((a) => `${a.id}@${a.version}`)

test('a restart over an undecodable change and the readable one after it shows the story as the readable one left it', async () => {
  // the log: v1, an undecodable v2 (a rolled-back ingest's schema, a corrupt record), a readable v3
  const v1 = event('CREATED', { id: 'story', version: 1, category: 'news' }, T0 - 60_000)
  const v3 = event('UPDATED', { id: 'story', version: 3, category: 'news', headline: 'Readable' }, T0 - 30_000)
  // memory starts at the undecodable record (v1 is older than memory)
  const h = new Harness({ partitions: 1, start: T0, from: [1] })
  ;(h.log[0] as NewswireEvent[]).push(v1)
  // news.articles: the latest state, v3
  h.store.load(0, v3)
  // history: the undecodable record, then v3
  h.appendUnreadable('story', { kind: 'hold' }, T0 - 40_000)
  h.append(v3)
  h.start()
  await h.settle()
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  // a reader who saw v1, resuming from memory from before the undecodable record
  const back = h.connect('public')
  subscribe(h, back.conn, ['category:news'], { since: h.positions.encode({ o: [1], t: T0 - 50_000 }) })
  await h.settle()
  h.hub.stop()
  assert.equal(h.store.ledger.latest('story')?.event.article.pubStatus, 'usable', 'the ledger keeps v3')
  assert.deepEqual(snapshotOf(reader.t.messages), ['story@3'], 'the public sees v3, as every instance live at the time does')
  const got = back.t.messages.filter((m) => m.type === 'event' || m.type === 'withdrawn')
  assert.deepEqual(
    got.map((m) => (m.type === 'event' ? `${(m.event as ArticleEvent).article.version}` : `${m.type}`)),
    ['3'],
    'the resume passes v3 alone, not a hold above it',
  )
})

test('a restart over two undecodable changes with a readable one between holds the story at the version after it', async () => {
  // the log: v1, an undecodable v2, a readable v3, an undecodable v4; news.articles still holds v3
  // then the undecodable v4 (not compacted yet), loaded as the hold of v3 (feed.ts standOver)
  const v1 = event('CREATED', { id: 'story', version: 1, category: 'news' }, T0 - 60_000)
  const v3 = event('UPDATED', { id: 'story', version: 3, category: 'news' }, T0 - 30_000)
  const h = new Harness({ partitions: 1, start: T0, from: [1] })
  ;(h.log[0] as NewswireEvent[]).push(v1)
  h.store.load(0, holdOf(v3, { topic: 'articles', partition: 0, offset: 7 }, T0 - 20_000) as ArticleEvent)
  h.appendUnreadable('story', { kind: 'hold' }, T0 - 40_000)
  h.append(v3)
  h.appendUnreadable('story', { kind: 'hold' }, T0 - 20_000)
  h.start()
  await h.settle()
  // every instance live then stood in v4 as the hold; the next readable record, v5, restores it
  assert.equal(h.store.ledger.latest('story')?.event.article.version, 4, 'the hold takes v4, the undecodable record')
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  await h.settle()
  h.append(event('UPDATED', { id: 'story', version: 5, category: 'news' }, T0))
  await h.settle()
  h.hub.stop()
  assert.deepEqual(snapshotOf(reader.t.messages), [], 'held at start')
  assert.equal(h.store.ledger.latest('story')?.event.article.pubStatus, 'usable', 'v5 restores it')
})

test("a restart over an entry's undecodable change and the readable one after it shows the entry", async () => {
  const story = event('CREATED', { id: 'Live-1', version: 1, category: 'news', live: true }, T0 - 90_000)
  const e1 = entryEvent(story.article, { id: 'e1', seq: 1, version: 1 }, T0 - 60_000)
  const e1v3 = entryEvent(story.article, { id: 'e1', seq: 1, version: 3, body: ['Readable'] }, T0 - 30_000)
  const h = new Harness({ partitions: 1, start: T0, from: [2] })
  ;(h.log[0] as NewswireEvent[]).push(story, e1)
  h.store.load(0, story)
  h.store.loadEntry(0, e1v3)
  h.appendUnreadable('Live-1', { kind: 'entryHold', entryId: 'e1' }, T0 - 40_000)
  h.append(e1v3)
  h.start()
  await h.settle()
  assert.equal(h.store.ledger.entries.get('Live-1', 'e1')?.event.entry.pubStatus, 'usable')
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['story:Live-1'], { entries: 10 })
  await h.settle()
  h.hub.stop()
  assert.deepEqual(snapshotEntries(reader.t.messages.find((m) => m.type === 'subscribed')), ['e1@3'])
})

test('a restart over an entry whose deletion neither topic can decode: a reader who saw the entry, resuming from before the deletion, is told', async () => {
  // news.articles holds the undecodable deletion (a stand-in named by that topic), and history the
  // same record (named by news.article-events): that is the stand-in's own record, not a sign that
  // its state is older than history, so the entry's creation before it stands (the clean-clone CI
  // of 4939391 failed test/reliability/fanout-poison.kafka.test.ts: the creation was undone as
  // old news, nobody counted as having seen the entry, and a resuming reader was never told)
  const story = event('CREATED', { id: 'Live-1', version: 1, category: 'news', live: true }, T0 - 90_000)
  const e1 = entryEvent(story.article, { id: 'e1', seq: 1, version: 1 }, T0 - 60_000)
  const h = new Harness({ partitions: 1, start: T0, from: [0] })
  h.store.load(0, story)
  h.store.loadEntry(0, deletionOf(e1, story.article, { topic: 'articles', partition: 0, offset: 7 }, T0 - 40_000) as EntryEvent)
  h.append(story)
  h.append(e1)
  h.appendUnreadable('Live-1', { kind: 'entryDeleted', entryId: 'e1' }, T0 - 40_000)
  h.start()
  await h.settle()
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['story:Live-1'])
  // a reader who saw e1 (offset 1 read), resuming from memory from before the deletion
  const back = h.connect('public')
  subscribe(h, back.conn, ['story:Live-1'], { since: h.positions.encode({ o: [2], t: T0 - 50_000 }) })
  await h.settle()
  h.hub.stop()
  assert.deepEqual(snapshotEntries(reader.t.messages.find((m) => m.type === 'subscribed')), [], 'a new reader: no e1')
  const told = back.t.messages.some((m) => m.type === 'reset' || (m.type === 'entryWithdrawn' && m.entryId === 'e1'))
  assert.ok(told, `the reader who saw e1 is told: ${JSON.stringify(back.t.messages.map((m) => m.type))}`)
})
