// Review (rev36): a stand-in hold takes the next version number (unreadable.ts), a guess; a
// readable record of that same version is the newsroom's word on it. The ledger kept the guess
// (not newer), so the story stayed withheld on this instance until a version after it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { NewswireEvent } from '@newswire/shared'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import type { Message } from './support/harness.ts'
import { snapshotEntries, Story, subscribe, T0, snapshotArticles } from './support/live-story.ts'

const snapshotOf = (ms: Message[]) => snapshotArticles(ms).map((a) => `${a.id}@${a.version}`)

test('a readable record of the version a hold stood in for decides', async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  h.append(event('CREATED', { id: 'story', version: 1, category: 'news' }, T0))
  // a corrupt copy of v2, then v2 as written again (a producer's retry)
  h.appendUnreadable('story', { kind: 'hold' })
  h.append(event('UPDATED', { id: 'story', version: 2, category: 'news' }, T0))
  await h.settle()
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  await h.settle()
  h.hub.stop()
  assert.deepEqual(snapshotOf(reader.t.messages), ['story@2'])
})

test('a restart over a corrupt record whose news.articles state is readable: the next readable version restores the story', async () => {
  // the log: v1, v2 corrupt in news.article-events only (its news.articles state reads fine)
  const v1 = event('CREATED', { id: 'story', version: 1, category: 'news' }, T0 - 60_000)
  const v2 = event('UPDATED', { id: 'story', version: 2, category: 'news' }, T0 - 30_000)
  const h = new Harness({ partitions: 1, start: T0, from: [1] })
  ;(h.log[0] as NewswireEvent[]).push(v1)
  h.store.load(0, v2)
  h.appendUnreadable('story', { kind: 'hold' }, T0 - 30_000)
  h.start()
  await h.settle()
  // every instance live then holds it at v2; the newsroom's v3 restores it
  h.append(event('UPDATED', { id: 'story', version: 3, category: 'news' }, T0))
  await h.settle()
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  await h.settle()
  h.hub.stop()
  assert.deepEqual(snapshotOf(reader.t.messages), ['story@3'])
})

test("a readable record of the version an entry's hold stood in for decides", async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  const story = new Story(h, 'Live-1')
  story.post('e1')
  h.appendUnreadable('Live-1', { kind: 'entryHold', entryId: 'e1' })
  h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 2, body: ['Written again'] }, T0))
  await h.settle()
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['story:Live-1'], { entries: 10 })
  await h.settle()
  h.hub.stop()
  assert.deepEqual(snapshotEntries(reader.t.messages.find((m) => m.type === 'subscribed')), ['e1@2'])
})
