// Outside review (2026-12-04): an entry known only from news.articles counts as possibly seen by whoever may have seen
// its story (ledger.ts loadEntry: seenBy(story.exposure)). That is read while the states load, at
// ledger time 0, before goLive: a story whose embargo has long passed is not released yet then, so
// its exposure says only the newsroom saw it, and the entry's earlier versions are not counted as
// the public's. An instance started later then knows less than one up all along: the property of
// services/fanout/test/earlier-views.test.ts, with the story under an embargo (now passed).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Store } from '../src/store.ts'
import { carriedStatuses } from './support/carried.ts'
import { entryEvent, event } from './support/events.ts'

const T0 = Date.UTC(2026, 11, 3, 12)

test('an entry the public saw in a story released from embargo: an instance started later knows the public may have seen it', () => {
  // the story ran from T0 + 500 (its embargo); the entry was public, then deleted
  const story = event('CREATED', { id: 'live', version: 1, live: true, embargoedUntil: T0 + 500 }, T0)
  const seen = entryEvent(story.article, { id: 'e', seq: 1, version: 1 }, T0 + 1000)
  const deleted = entryEvent(story.article, { id: 'e', seq: 1, version: 2, pubStatus: 'canceled' }, T0 + 2000, {
    type: 'ENTRY_DELETED',
    reason: 'wrong town',
  })
  const now = T0 + 3000
  const mask = (store: Store) => {
    const s = store.ledger.entries.get('live', 'e') ?? assert.fail('entry unknown')
    return s.sure | s.maybe
  }
  const along = new Store({ partitions: 1, historySize: 1000 })
  for (const [offset, e] of [story, seen, deleted].entries()) along.append(0, offset, e)
  along.goLive(now)
  // started after the entry's first version left history: the deletion from news.articles (with
  // what ingest carried: the first version was usable, no embargo) and from history
  const later = new Store({ partitions: 1, historySize: 1000, from: [2] })
  later.load(0, story, { views: [], complete: true })
  later.loadEntry(0, deleted, carriedStatuses([seen, deleted]))
  later.append(0, 2, deleted)
  later.goLive(now)
  assert.equal(mask(along) & 1, 1, 'up all along: the public saw the entry')
  assert.equal(mask(later) & 1, 1, `started later: the public (bit 1) missing from ${mask(later)} (up all along: ${mask(along)})`)
})
