// Review rev34 of the undecodable-kill fix (3f031b0, unreadable.ts): an instance started after an
// undecodable kill knows it from news.articles (loaded over the state before it, no offset). When
// its memory still holds the kill's record but not the version before it, catching up finds the
// article killed already and only marks the record read: the record is not in memory, so a reader
// resuming from memory, from just before the kill, passes nothing of the story and never hears of
// the kill it saw the story before.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent, NewswireEvent } from '@newswire/shared'
import { killOf } from '../src/unreadable.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { client, lastPosition, newsReaderAway, subscribe, trafficAfter, withdrawn } from './support/live-story.ts'

const START = 1_800_000_000_000

test('a reader resuming from memory just before an undecodable kill loaded from news.articles is told of it', async () => {
  // memory starts at offset 1: the version the reader saw (offset 0) is only in the log
  const h = new Harness({ partitions: 1, start: START, from: [1] })
  const v1 = event('CREATED', { id: 'story', version: 1 }, START - 60_000)
  h.log[0]?.push(v1)
  // news.articles: v1's state, then the undecodable kill over it (feed.ts loadArticles)
  h.store.load(0, killOf(v1, { topic: 'articles', partition: 0, offset: 1 }, START - 30_000) as ArticleEvent)
  // news.article-events: the kill's record (undecodable; its bytes stand in the log here), then routine traffic
  h.log[0]?.push(v1 as NewswireEvent)
  h.store.appendUnreadable(0, 1, 'story', { kind: 'kill' }, START - 30_000)
  h.append(event('CREATED', { id: 'other', version: 1 }, START - 20_000), 0)
  h.start()
  await h.settle()

  // a reader that saw v1 (on another instance) resumes from its position, just after v1
  const since = h.positions.encode({ o: [1], t: START - 50_000 })
  const back = h.connect('public')
  subscribe(h, back.conn, ['category:news'], { since })
  await h.settle()
  h.hub.stop()
  const sub = back.t.messages.find((m) => m.type === 'subscribed')
  assert.equal(sub?.replay, 'memory', 'the resume is served from memory')
  assert.deepEqual(
    withdrawn(back.t.messages).filter((w) => w.startsWith('story:')),
    ['story:withdrawn'],
    `never told of the kill: ${JSON.stringify(back.t.messages.map((m) => m.type))}`,
  )
})

test('stand-in kills of records in the two topics at the same partition and offset have ids of their own', () => {
  const v1 = event('CREATED', { id: 'story', version: 1 }, START)
  const fromEvents = killOf(v1, { topic: 'events', partition: 0, offset: 7 }, START)
  const fromArticles = killOf(v1, { topic: 'articles', partition: 0, offset: 7 }, START)
  assert.ok(fromEvents && fromArticles)
  assert.notEqual(fromEvents.eventId, fromArticles.eventId)
  // the same record stands in alike on every instance
  assert.equal(killOf(v1, { topic: 'events', partition: 0, offset: 7 }, START + 1)?.eventId, fromEvents.eventId)
})

// Mutation sweep, fourth batch (sr4): a replay from the log read the kill's undecodable record as
// nothing (Store.replayedUnreadable), and no other fan-out unit test noticed; the reader who saw
// the story, resuming from before the kill once memory no longer held it, was never told.
test('a reader resuming from the log, from before an undecodable kill, is told of it', async () => {
  // memory holds only the last two records: the resume is read back from the log (Kafka)
  const h = new Harness({ partitions: 1, start: START, historySize: 2 })
  h.start()
  const since = await newsReaderAway(h)
  h.appendUnreadable('story', { kind: 'kill' })
  await trafficAfter(h)

  const back = await client(h, {}, ['category:news'], { since })
  h.hub.stop()
  assert.equal(back.t.messages.find((m) => m.type === 'subscribed')?.replay, 'kafka', 'the resume is read from the log')
  assert.deepEqual(withdrawn(back.t.messages), ['story:withdrawn'])
})

// red29a (confidentiality model, seed 1477883861): an undecodable kill of a story killed already
// stands in as nothing live; a replay from the log read it as the kill before it, so a reader
// resuming from a position past that kill was sent it again (a newsroom reader: the same version twice).
test('a reader resuming from the log past a kill is not sent it again by an undecodable kill after it', async () => {
  const h = new Harness({ partitions: 1, start: START, historySize: 2 })
  h.start()
  h.append(event('CREATED', { id: 'story', version: 1, category: 'news' }, h.clock.now()))
  await h.settle()
  const first = await client(h, { audience: 'newsroom' }, ['category:news'])
  h.append(event('UPDATED', { id: 'story', version: 2, category: 'news', pubStatus: 'canceled' }, h.clock.now(), { reason: 'legal' }))
  await h.settle()
  const told = first.t.messages.filter((m) => m.type === 'event' && (m.event as ArticleEvent).article.version === 2)
  assert.equal(told.length, 1, 'the newsroom is sent the kill live')
  const since = lastPosition(first.t.messages)
  h.hub.conns.remove(first.conn)
  h.appendUnreadable('story', { kind: 'kill' })
  await trafficAfter(h)

  const back = await client(h, { audience: 'newsroom' }, ['category:news'], { since })
  h.hub.stop()
  assert.equal(back.t.messages.find((m) => m.type === 'subscribed')?.replay, 'kafka', 'the resume is read from the log')
  const again = back.t.messages.filter((m) => m.type === 'event' || m.type === 'withdrawn')
  assert.deepEqual(again, [], 'nothing of the story again')
})
