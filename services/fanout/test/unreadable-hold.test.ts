// A change the fan-out cannot decode (a schema it lacks, a corrupt record) may be a hold, a new
// embargo, a legal withhold: it cannot tell. Before, anything but a kill or an entry's deletion was
// skipped, so a story the newsroom withheld stayed public for as long as the record could not be
// read (a deploy in the wrong order: hours). It now fails closed as a hold (unreadable.ts): the
// next version, withheld, with the content already known; the next record it can read decides.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { entryHoldOf, holdOf, killOf, standsFor } from '../src/unreadable.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import type { Message } from './support/harness.ts'
import {
  client,
  entries,
  gone,
  lastPosition,
  newsroom,
  readerAway,
  setup,
  shown,
  Story,
  subscribe,
  T0,
  withdrawn,
  snapshotArticles,
  newsReaderAway,
  trafficAfter,
} from './support/live-story.ts'

const versions = (ms: Message[]) =>
  ms
    .filter((m) => m.type === 'event')
    .map((m) => (m.event as ArticleEvent).article)
    .map((a) => `${a.id}@${a.version}:${a.pubStatus}`)

const snapshotIds = (ms: Message[]) => snapshotArticles(ms).map((a) => a.id)

test('the headers decide what an undecodable record stands for; without them it holds the story', () => {
  assert.deepEqual(standsFor({ 'event-type': 'WITHDRAWN' }), { kind: 'kill' })
  assert.deepEqual(standsFor({ 'event-type': 'UPDATED' }), { kind: 'hold' })
  assert.deepEqual(standsFor({ 'event-type': 'CREATED' }), { kind: 'hold' })
  assert.deepEqual(standsFor({ 'event-type': 'SOMETHING_NEW' }), { kind: 'hold' })
  assert.deepEqual(standsFor(undefined), { kind: 'hold' })
  assert.deepEqual(standsFor({ 'event-type': Buffer.from('ENTRY_DELETED'), 'entry-id': 'e1' }), { kind: 'entryDeleted', entryId: 'e1' })
  assert.deepEqual(standsFor({ 'event-type': 'ENTRY_UPDATED', 'entry-id': ['e2'] }), { kind: 'entryHold', entryId: 'e2' })
  assert.deepEqual(standsFor({ 'entry-id': 'e3' }), { kind: 'entryHold', entryId: 'e3' })
  // an entry event whose entry is not named: the whole story is held
  assert.deepEqual(standsFor({ 'event-type': 'ENTRY_DELETED' }), { kind: 'hold' })
})

test('a stand-in hold is the next version, withheld, with the content known; nothing follows a kill', () => {
  const v1 = event('CREATED', { id: 'story', version: 3, headline: 'As known' }, T0)
  const where = { topic: 'events', partition: 1, offset: 9 } as const
  const hold = holdOf(v1, where, T0 + 5) as ArticleEvent
  assert.equal(hold.article.version, 4)
  assert.equal(hold.article.pubStatus, 'withheld')
  assert.equal(hold.article.headline, 'As known')
  assert.equal(hold.type, 'UPDATED')
  assert.equal(hold.eventId, 'unreadable-hold:events:1:9')
  assert.notEqual(holdOf(v1, { ...where, topic: 'articles' }, T0)?.eventId, hold.eventId)
  assert.equal(holdOf(killOf(v1, where, T0) as ArticleEvent, where, T0), null)
})

test('an undecodable change withholds a public story live, in snapshots and in resumes; a readable one restores it', async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  h.append(event('CREATED', { id: 'story', version: 1, category: 'news' }, T0))
  h.append(event('CREATED', { id: 'other', version: 1, category: 'news' }, T0))
  await h.settle()
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  const desk = h.connect(newsroom.audience, newsroom.scope)
  subscribe(h, desk.conn, ['category:news'])
  const away = h.connect('public')
  subscribe(h, away.conn, ['category:news'])
  await h.settle()
  const since = lastPosition(away.t.messages)
  h.hub.conns.remove(away.conn)

  await h.tick(1000)
  h.appendUnreadable('story', { kind: 'hold' })
  await h.settle()
  assert.deepEqual(withdrawn(reader.t.messages), ['story:withheld'], 'the live public reader is told')
  assert.deepEqual(versions(desk.t.messages), ['story@2:withheld'], 'the newsroom sees it withheld, as it stands')

  // a reload: the public snapshot no longer lists it; the newsroom's does, withheld
  const reload = h.connect('public')
  subscribe(h, reload.conn, ['category:news'])
  const deskReload = h.connect(newsroom.audience, newsroom.scope)
  subscribe(h, deskReload.conn, ['category:news'])
  // a reader who saw it, resuming from memory
  const back = h.connect('public')
  subscribe(h, back.conn, ['category:news'], { since })
  await h.settle()
  assert.deepEqual(snapshotIds(reload.t.messages), ['other'])
  assert.deepEqual(snapshotIds(deskReload.t.messages).sort(), ['other', 'story'])
  assert.deepEqual(withdrawn(back.t.messages), ['story:withheld'], 'the resumed reader is told')

  // the next record it can read decides: here, the story as the newsroom left it
  await h.tick(1000)
  h.append(event('UPDATED', { id: 'story', version: 3, category: 'news', headline: 'Readable again' }, h.clock.now()))
  await h.settle()
  h.hub.stop()
  for (const c of [reader, reload, back]) assert.deepEqual(shown(c.t.messages).slice(-1), ['story'], 'back for the public')
  assert.deepEqual(versions(desk.t.messages), ['story@2:withheld', 'story@3:usable'])
})

test('a reader resuming from the log, from before an undecodable change, is told the story is withheld', async () => {
  // memory holds only the last two records: the resume is read back from the log (Kafka)
  const h = new Harness({ partitions: 1, start: T0, historySize: 2 })
  h.start()
  const since = await newsReaderAway(h)
  h.appendUnreadable('story', { kind: 'hold' })
  await trafficAfter(h)

  const back = await client(h, {}, ['category:news'], { since })
  h.hub.stop()
  assert.equal(back.t.messages.find((m) => m.type === 'subscribed')?.replay, 'kafka', 'the resume is read from the log')
  assert.deepEqual(withdrawn(back.t.messages), ['story:withheld'])
})

test('an undecodable change of a story the instance does not know, or killed, changes nothing', () => {
  const h = new Harness({ partitions: 1, start: T0 })
  assert.equal(h.store.appendUnreadable(0, 0, 'nobody', { kind: 'hold' }, T0), null)
  const v1 = event('CREATED', { id: 'story', version: 1 }, T0)
  h.append(v1)
  h.append(killOf(v1, { topic: 'events', partition: 0, offset: 1 }, T0) as ArticleEvent)
  assert.equal(h.store.appendUnreadable(0, 2, 'story', { kind: 'hold' }, T0), null)
  assert.equal(h.store.ledger.latest('story')?.event.type, 'WITHDRAWN')
})

test('an undecodable change of an entry withholds the entry; a readable one restores it', async () => {
  const { h, story } = await setup()
  story.post('e1')
  story.post('e2')
  await h.settle()
  const reader = await client(h, {}, ['story:Live-1'], { entries: 10 })

  await h.tick(1000)
  h.appendUnreadable('Live-1', { kind: 'entryHold', entryId: 'e1' })
  await h.settle()
  assert.deepEqual(gone(reader.t.messages), ['e1:withheld'])
  assert.equal(h.store.ledger.entries.get('Live-1', 'e1')?.event.entry.pubStatus, 'withheld')

  await h.tick(1000)
  // its version 2 could not be read; version 3 can
  const e1 = h.store.ledger.entries.get('Live-1', 'e1')?.event.entry
  assert.ok(e1)
  h.append(entryEvent(story.article, { ...e1, version: 3, pubStatus: 'usable', body: ['Readable again'] }, h.clock.now()))
  await h.settle()
  h.hub.stop()
  assert.deepEqual(entries(reader.t.messages).slice(-1), ['e1@3+'], 'the entry is back')
  const prev = h.store.ledger.entries.get('Live-1', 'e2')?.event
  assert.ok(prev)
  assert.equal(entryHoldOf(prev, story.article, { topic: 'events', partition: 0, offset: 1 }, T0)?.entry.version, 2)
})

test('a story reader resuming from the log, from before an undecodable change of an entry, loses the entry', async () => {
  const { h, since } = await readerAway(2)
  h.appendUnreadable('Live-1', { kind: 'entryHold', entryId: 'e1' })
  // routine traffic on the story's partition: the record leaves a memory of two
  await trafficAfter(h, h.partitionOf('Live-1'))

  const back = await client(h, {}, ['story:Live-1'], { since, entries: 10 })
  h.hub.stop()
  assert.equal(back.t.messages.find((m) => m.type === 'subscribed')?.replay, 'kafka', 'the resume is read from the log')
  assert.deepEqual(gone(back.t.messages), ['e1:withheld'])
})

test('an instance started after an undecodable change and a readable one after it shows the readable one', async () => {
  // news.articles holds the readable version 3 (the latest); history replays the undecodable
  // record (version 2 in truth), then version 3
  const h = new Harness({ partitions: 1, start: T0, from: [1] })
  const v1 = event('CREATED', { id: 'story', version: 1, category: 'news' }, T0 - 60_000)
  const v3 = event('UPDATED', { id: 'story', version: 3, category: 'news', headline: 'Readable' }, T0 - 20_000)
  h.log[0]?.push(v1)
  h.store.load(0, v3)
  h.appendUnreadable('story', { kind: 'hold' }, T0 - 30_000)
  h.append(v3)
  h.start()
  await h.settle()
  assert.equal(h.store.ledger.latest('story')?.event.eventId, v3.eventId, 'the latest state is the readable version 3')
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  // a reader who saw version 1 resumes from just after it, from memory: it gets version 3, and no
  // hold numbered after it (which the SDK would keep over version 3)
  const since = h.positions.encode({ o: [1], t: T0 - 50_000 })
  const back = h.connect('public')
  subscribe(h, back.conn, ['category:news'], { since })
  const desk = h.connect(newsroom.audience, newsroom.scope)
  subscribe(h, desk.conn, ['category:news'], { since })
  await h.settle()
  h.hub.stop()
  assert.deepEqual(snapshotIds(reader.t.messages), ['story'])
  assert.equal(back.t.messages.find((m) => m.type === 'subscribed')?.replay, 'memory')
  assert.deepEqual(withdrawn(back.t.messages), [])
  assert.deepEqual(versions(back.t.messages), ['story@3:usable'])
  assert.deepEqual(versions(desk.t.messages), ['story@3:usable'], 'the newsroom is shown no guessed version')
})

test('catching up, a readable record after a stand-in hold numbered past it still replaces it; a kill stands', async () => {
  for (const says of ['hold', 'kill'] as const) {
    const h = new Harness({ partitions: 1, start: T0, from: [1] })
    h.log[0]?.push(event('CREATED', { id: 'story', version: 1, category: 'news' }, T0 - 60_000))
    // news.articles' latest, written after the undecodable record: the hold over it is numbered 4
    const v3 = event('UPDATED', { id: 'story', version: 3, category: 'news' }, T0 - 40_000)
    h.store.load(0, v3)
    h.appendUnreadable('story', { kind: says }, T0 - 30_000)
    if (says === 'hold') h.append(v3)
    h.start()
    await h.settle()
    const latest = h.store.ledger.latest('story')?.event
    if (says === 'hold') assert.equal(latest?.eventId, v3.eventId, 'the readable version replaces the guess')
    else assert.equal(latest?.type, 'WITHDRAWN', 'the kill stands')
    h.hub.stop()
  }
})

test('catching up, a readable entry record after a stand-in hold numbered past it still replaces it', async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  const story = new Story(h, 'Live-1')
  story.post('e1')
  const e1 = h.store.ledger.entries.get('Live-1', 'e1')?.event
  assert.ok(e1)
  // the entry's latest state from news.articles, written after the undecodable record
  const v3 = entryEvent(story.article, { ...e1.entry, version: 3, body: ['Readable'] }, T0 - 40_000)
  h.store.loadEntry(0, v3)
  h.appendUnreadable('Live-1', { kind: 'entryHold', entryId: 'e1' }, T0 - 30_000)
  h.append(v3)
  h.start()
  await h.settle()
  h.hub.stop()
  assert.equal(h.store.ledger.entries.get('Live-1', 'e1')?.event.eventId, v3.eventId)
})
