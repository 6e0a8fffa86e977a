// red11 attack run: a reader who saw a story, then it was erased (a tombstone in news.articles)
// and the instance restarted. A tombstone alone is loaded as a kill known from news.articles only
// (not in history): a resume whose cursor passed every event of the story replays none of them,
// and nothing tells the reader of the kill. That stays a known limit of a tombstone written by hand
// (services/fanout/README.md); the supported erasure (ingest's POST /v1/articles/{id}/erase, or by
// hand: withdraw first) writes the kill to news.article-events before the tombstone, and these
// check that a reader resuming on an instance started after it hears of it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createCodec, createLogger, entryStateKey, isEntryEvent, loadSchemas } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import { StateLoad } from '../src/feed.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { client, gone, lastPosition, shown, withdrawn } from './support/live-story.ts'

const T0 = 1_800_000_000_000
const codec = createCodec(loadSchemas())
const metrics = { lag: () => {}, decodeErrors: () => {}, undecodableHeader: () => {} }

/** A fresh instance over `old`'s log: news.articles holds the latest state of each key but `erased`, whose latest record is a tombstone (`lone`: compaction removed the record before it). */
function restartedAfterErasure(old: Harness, erased: string, lone: boolean): Harness {
  const h = new Harness({ partitions: 1, start: old.clock.now() + 1000 })
  const load = new StateLoad({ codec, metrics, log: createLogger('load-test', 'silent') })
  const log = old.log[0] as NewswireEvent[]
  const latest = new Map<string, NewswireEvent>()
  for (const e of log) latest.set(isEntryEvent(e) ? entryStateKey(e.article.id, e.entry.id) : e.article.id, e)
  let offset = 0
  for (const [key, e] of latest) {
    if (key === erased && lone) continue
    load.take(0, { key: Buffer.from(key), value: codec.encode(e), offset: String(offset++), timestamp: String(e.ingestedAt) })
  }
  load.take(0, { key: Buffer.from(erased), value: null, offset: String(offset++), timestamp: String(old.clock.now()) })
  load.into(h.store)
  for (const [o, e] of log.entries()) {
    ;(h.log[0] as NewswireEvent[]).push(e)
    h.store.append(0, o, e)
  }
  h.start()
  return h
}

for (const lone of [false, true]) {
  test(`a reader who saw a story hears of its erasure (kill, then tombstone) when it resumes on an instance started after it (${lone ? 'tombstone alone' : 'tombstone over its record'})`, async () => {
    const a = new Harness({ partitions: 1, start: T0 })
    a.start()
    a.append(event('CREATED', { id: 'erased-1', version: 1, category: 'news', headline: 'To be erased' }, a.clock.now()))
    await a.settle()
    const reader = await client(a, {}, ['category:news'])
    assert.ok(JSON.stringify(reader.t.messages).includes('To be erased'), 'the reader saw the story')
    // routine traffic after it: the reader's position passes the story's last event
    a.clock.advance(1000)
    a.append(event('CREATED', { id: 'other-1', version: 1, category: 'news' }, a.clock.now()))
    await a.settle()
    assert.deepEqual(shown(reader.t.messages), ['other-1'])
    const since = lastPosition(reader.t.messages)
    a.hub.conns.remove(reader.conn)
    // the erasure: its kill in news.article-events (as ingest's erase writes it), then the tombstone
    a.clock.advance(1000)
    a.append(event('WITHDRAWN', { id: 'erased-1', version: 2, category: 'news', headline: '', pubStatus: 'canceled' }, a.clock.now()))
    await a.settle()
    a.hub.stop()

    // the instance restarts
    const b = restartedAfterErasure(a, 'erased-1', lone)
    await b.settle()
    assert.equal(b.store.ledger.latest('erased-1')?.event.type, 'WITHDRAWN', 'the restarted instance holds it killed')
    const back = await client(b, {}, ['category:news'], { since })
    b.clock.advance(5000)
    await b.settle()
    b.hub.stop()
    assert.deepEqual(
      withdrawn(back.t.messages).filter((w) => w.startsWith('erased-1')).length,
      1,
      `the reader who saw erased-1 never hears of its erasure: ${JSON.stringify(back.t.messages.map((m) => m.type))}`,
    )
  })
}

test('a reader of story:<id> who saw a live story hears of its erasure (kill, then tombstone) when it resumes on an instance started after it', async () => {
  const a = new Harness({ partitions: 1, start: T0 })
  a.start()
  a.append(event('CREATED', { id: 'Live-erased', version: 1, live: true, category: 'news', headline: 'Live, to be erased' }, a.clock.now()))
  await a.settle()
  const reader = await client(a, {}, ['story:Live-erased'], { entries: 10 })
  assert.ok(JSON.stringify(reader.t.messages).includes('Live, to be erased'), 'the reader saw the story')
  a.clock.advance(1000)
  a.append(event('CREATED', { id: 'other-1', version: 1, category: 'news' }, a.clock.now()))
  await a.settle()
  const since = lastPosition(reader.t.messages)
  a.hub.conns.remove(reader.conn)
  a.clock.advance(1000)
  a.append(
    event('WITHDRAWN', { id: 'Live-erased', version: 2, live: true, category: 'news', headline: '', pubStatus: 'canceled' }, a.clock.now()),
  )
  await a.settle()
  a.hub.stop()

  const b = restartedAfterErasure(a, 'Live-erased', true)
  await b.settle()
  const back = await client(b, {}, ['story:Live-erased'], { since, entries: 10 })
  await b.tick(5000)
  b.hub.stop()
  const types = back.t.messages.map((m) => m.type)
  assert.ok(
    withdrawn(back.t.messages).some((w) => w.startsWith('Live-erased')) || types.includes('reset'),
    `the story reader who saw Live-erased is neither told of its erasure nor reset: ${JSON.stringify(types)}`,
  )
  assert.ok(!JSON.stringify(back.t.messages).includes('Live, to be erased'), 'shown the erased story')
})

test('a reader of story:<id> who saw an entry hears of its erasure (deletion, then tombstone) when it resumes on an instance started after it', async () => {
  const a = new Harness({ partitions: 1, start: T0 })
  a.start()
  const story = event('CREATED', { id: 'Live-2', version: 1, live: true, category: 'news' }, a.clock.now())
  a.append(story)
  a.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 1, body: ['Entry to be erased'] }, a.clock.now()))
  await a.settle()
  const reader = await client(a, {}, ['story:Live-2'], { entries: 10 })
  assert.ok(JSON.stringify(reader.t.messages).includes('Entry to be erased'), 'the reader saw the entry')
  a.clock.advance(1000)
  a.append(entryEvent(story.article, { id: 'e2', seq: 2, version: 1 }, a.clock.now()))
  await a.settle()
  const since = lastPosition(reader.t.messages)
  a.hub.conns.remove(reader.conn)
  // an entry's erasure by hand: deleted through ingest first (ENTRY_DELETED), then its tombstone
  a.clock.advance(1000)
  a.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 2, pubStatus: 'canceled' }, a.clock.now(), { type: 'ENTRY_DELETED' }))
  await a.settle()
  a.hub.stop()

  const b = restartedAfterErasure(a, entryStateKey('Live-2', 'e1'), true)
  await b.settle()
  assert.equal(b.store.ledger.entries.get('Live-2', 'e1')?.event.type, 'ENTRY_DELETED', 'the restarted instance holds it deleted')
  const back = await client(b, {}, ['story:Live-2'], { since, entries: 10 })
  await b.tick(5000)
  b.hub.stop()
  const types = back.t.messages.map((m) => m.type)
  assert.ok(
    gone(back.t.messages).some((g) => g.startsWith('e1:')) || types.includes('reset'),
    `the story reader who saw entry e1 is neither told of its erasure nor reset: ${JSON.stringify(types)}`,
  )
})
