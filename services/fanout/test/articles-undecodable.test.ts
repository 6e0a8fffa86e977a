// An undecodable record in news.articles (a newer ingest's schema, a corrupt record) over the state
// before it on its partition fails closed by its headers (feed.ts StateLoad, unreadable.ts): a kill
// kills the story, anything else holds it. When history no longer holds the record (older than
// this instance's memory of the log), that load is all that stands between a restarted fan-out and
// a killed story shown again. Mutation sweep, fourth batch (fd3): skipping it survived every
// fan-out unit file: only the store's own stand-ins (appendUnreadable) were tested.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createCodec, createLogger, EARLIER_VIEWS_HEADER, encodeEarlierViews, loadSchemas } from '@newswire/shared'
import { clearanceBit } from '../src/exposure.ts'
import { StateLoad } from '../src/feed.ts'
import { Store } from '../src/store.ts'
import { visibleVersion } from '../src/visibility.ts'
import { carriedViews } from './support/carried.ts'
import { event } from './support/events.ts'

const T0 = 1_800_000_000_000
const codec = createCodec(loadSchemas())
const metrics = { lag: () => {}, decodeErrors: () => {}, undecodableHeader: () => {} }

/** The public's view of story `A` on a store loaded from news.articles: v1, then an undecodable record with `type` in its headers. */
function loadedOver(type: string): { status: string; version: number; public: boolean } {
  const store = new Store({ partitions: 1, historySize: 100, from: [50], now: () => T0 })
  const load = new StateLoad({ codec, metrics, log: createLogger('load-test', 'silent') })
  const v1 = event('CREATED', { id: 'A', version: 1 }, T0 - 60_000)
  load.take(0, { key: Buffer.from('A'), value: codec.encode(v1), offset: '10', timestamp: String(T0 - 60_000) })
  load.take(0, {
    key: Buffer.from('A'),
    value: Buffer.from('not avro'),
    offset: '11',
    timestamp: String(T0 - 30_000),
    headers: { 'event-type': type },
  })
  load.into(store)
  store.goLive(T0)
  const s = store.ledger.latest('A')
  assert.ok(s, 'the story is known')
  return { status: s.event.article.pubStatus, version: s.event.article.version, public: visibleVersion(s, 'public') !== null }
}

test('an undecodable kill in news.articles kills the loaded story', () => {
  assert.deepEqual(loadedOver('WITHDRAWN'), { status: 'canceled', version: 2, public: false })
})

test('an undecodable change in news.articles holds the loaded story', () => {
  assert.deepEqual(loadedOver('UPDATED'), { status: 'withheld', version: 2, public: false })
})

// Mutation sweep, fourth batch (fd4): the stand-in over a loaded state keeping the carried views
// `complete` survived every fan-out unit file. Those views are of the versions before the state it
// replaces: that state's own view (a desk the story had just moved to) then counted as seen by no
// one, and a reader who saw the story there was not told of the kill after a restart.
test("the kill standing over a loaded state counts that state's own view as possibly seen", () => {
  const store = new Store({ partitions: 1, historySize: 100, from: [50], now: () => T0 })
  const load = new StateLoad({ codec, metrics, log: createLogger('load-test', 'silent') })
  const v1 = event('CREATED', { id: 'A', version: 1, category: 'news' }, T0 - 90_000)
  const v2 = event('UPDATED', { id: 'A', version: 2, category: 'world' }, T0 - 60_000)
  const headers = { [EARLIER_VIEWS_HEADER]: encodeEarlierViews(carriedViews([v1, v2])) }
  load.take(0, { key: Buffer.from('A'), value: codec.encode(v2), offset: '10', timestamp: String(T0 - 60_000), headers })
  load.take(0, {
    key: Buffer.from('A'),
    value: Buffer.from('not avro'),
    offset: '11',
    timestamp: String(T0 - 30_000),
    headers: { 'event-type': 'WITHDRAWN' },
  })
  load.into(store)
  store.goLive(T0)
  const s = store.ledger.latest('A')
  assert.equal(s?.event.article.pubStatus, 'canceled')
  // the desks the public may have seen it on: the earlier one, and the one the kill replaced
  const publicSaw = (s?.exposure ?? []).filter((x) => (x.mask & clearanceBit.public) !== 0).map((x) => x.view.category)
  assert.deepEqual([...new Set(publicSaw)].sort(), ['news', 'world'])
})
