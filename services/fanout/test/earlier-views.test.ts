// Where a story was seen must outlive the fan-out's history: an instance that starts after a
// story's earlier versions left its history knows them only from the `earlier-views` ingest carries
// with the article's state in news.articles. An outside review found a reader who saw a story on
// one desk miss its kill after it moved desk, when resuming on an instance started later.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { earlierViewOf } from '@newswire/shared'
import type { ArticleEvent, EarlierStatuses, EarlierViews } from '@newswire/shared'
import fc from 'fast-check'
import { carriedStatuses, carriedViews } from './support/carried.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { lastPosition, subscribe, withdrawn } from './support/live-story.ts'
import { restarted } from './support/restart.ts'
import { clearanceBit } from '../src/exposure.ts'
import type { Exposure } from '../src/exposure.ts'
import { Store } from '../src/store.ts'

const T0 = Date.UTC(2026, 11, 3, 12)
const HOUR = 3_600_000

/** A store that read every version from history (the instance that was up all along). */
function upAllAlong(versions: readonly ArticleEvent[], now: number): Store {
  const store = new Store({ partitions: 1, historySize: 1000 })
  for (const [offset, e] of versions.entries()) store.append(0, offset, e)
  store.goLive(now)
  return store
}

/**
 * A store started after the first `cut` versions left history: the cut-th only from news.articles,
 * read at `loadAt` (while it was the latest: before the next version was written), history after.
 */
function startedLater(
  versions: readonly ArticleEvent[],
  cut: number,
  now: number,
  withViews = true,
  loadAt = loadTime(versions, cut, now),
): Store {
  let clock = loadAt
  const store = new Store({ partitions: 1, historySize: 1000, from: [cut], now: () => clock })
  store.load(0, versions[cut - 1] as ArticleEvent, withViews ? carriedViews(versions.slice(0, cut)) : null)
  clock = now
  for (let offset = cut; offset < versions.length; offset++) store.append(0, offset, versions[offset] as ArticleEvent)
  store.goLive(now)
  return store
}

/** A time news.articles may have been read at while `versions[cut - 1]` was the latest (`pick`: where in that span). */
function loadTime(versions: readonly { ingestedAt: number }[], cut: number, now: number, pick = 0): number {
  const from = (versions[cut - 1] as { ingestedAt: number }).ingestedAt
  const to = cut < versions.length ? (versions[cut] as { ingestedAt: number }).ingestedAt : now
  return from + (pick % (to - from + 1))
}

/** Per view, the clearances it was (or may have been) visible to: sure or not, as one mask. */
function masks(exposure: Exposure): Map<string, number> {
  const out = new Map<string, number>()
  for (const s of exposure) {
    const key = JSON.stringify([s.view.category, s.view.language, s.view.urgency, s.view.breaking])
    out.set(key, (out.get(key) ?? 0) | s.mask)
  }
  return out
}

const exposureOf = (store: Store, id: string): Exposure => store.ledger.latest(id)?.exposure ?? assert.fail(`${id} unknown`)

test('a story seen on one desk, moved and killed: an instance started later knows the desk it was seen on', () => {
  const versions = [
    event('CREATED', { id: 's', version: 1, category: 'sports' }, T0),
    event('UPDATED', { id: 's', version: 2, category: 'politics' }, T0 + 60_000),
    event('WITHDRAWN', { id: 's', version: 3, category: 'politics', pubStatus: 'canceled' }, T0 + 120_000, { reason: 'legal' }),
  ]
  const now = T0 + 180_000
  const sports = JSON.stringify(['sports', 'en', 5, false])
  for (const cut of [1, 2, 3]) {
    const later = masks(exposureOf(startedLater(versions, cut, now), 's'))
    assert.equal(later.get(sports), 7, `cut ${cut}: the public saw it on sports`)
  }
  // without what ingest carries (a record written before it did), the desk it left is unknown
  const blind = masks(exposureOf(startedLater(versions, 2, now, false), 's'))
  assert.equal(blind.get(sports), undefined)
})

test('a story only ever withheld or held well before its embargo is not counted as seen by the public', () => {
  const versions = [
    event('CREATED', { id: 'w', version: 1, category: 'desk-a', pubStatus: 'withheld' }, T0),
    event('UPDATED', { id: 'w', version: 2, category: 'desk-b', embargoedUntil: T0 + 3_600_000 }, T0 + 1000),
    event('UPDATED', { id: 'w', version: 3, category: 'desk-c', pubStatus: 'withheld' }, T0 + 2000),
    event('WITHDRAWN', { id: 'w', version: 4, category: 'desk-c', pubStatus: 'canceled' }, T0 + 3000, { reason: 'legal' }),
  ]
  const later = exposureOf(startedLater(versions, 4, T0 + 4000), 'w')
  assert.ok(later.length >= 3, 'every desk is known')
  for (const s of later) assert.equal(s.mask & clearanceBit.public, 0, `public on ${s.view.category}`)
})

test('a story staged (withheld) then published on each of 600 desks, then killed: an instance started later knows every desk', () => {
  // found by an outside review: the header once counted a view twice (once per status), full at 512 desks
  const desks = 600
  const versions: ArticleEvent[] = []
  let at = T0
  for (let d = 0; d < desks; d++) {
    for (const pubStatus of ['withheld', 'usable'] as const) {
      const v = versions.length + 1
      versions.push(event(v === 1 ? 'CREATED' : 'UPDATED', { id: 's', version: v, category: `desk-${d}`, pubStatus }, at))
      at += 1000
    }
  }
  versions.push(
    event('WITHDRAWN', { id: 's', version: versions.length + 1, category: 'desk-0', pubStatus: 'canceled' }, at, { reason: 'legal' }),
  )
  const publicDesks = (store: Store) =>
    [...masks(exposureOf(store, 's'))].filter(([, mask]) => (mask & clearanceBit.public) !== 0).map(([view]) => view)
  const along = publicDesks(upAllAlong(versions, at + 1000))
  assert.equal(along.length, desks)
  assert.deepEqual(publicDesks(startedLater(versions, versions.length - 1, at + 1000)).sort(), along.sort())
})

test('a record that says its earlier views are not all known: the view it has now counts as possibly public before', () => {
  const versions = [
    event('CREATED', { id: 'u', version: 1, category: 'sports' }, T0),
    event('UPDATED', { id: 'u', version: 2, category: 'politics', pubStatus: 'withheld' }, T0 + 1000),
  ]
  const load = (complete: boolean) => {
    const store = new Store({ partitions: 1, historySize: 10, from: [2] })
    store.load(0, versions[1] as ArticleEvent, { views: [], complete })
    store.goLive(T0 + 2000)
    return masks(exposureOf(store, 'u')).get(JSON.stringify(['politics', 'en', 5, false]))
  }
  assert.equal(load(false), 7, 'some earlier version may have been public on politics')
  // a first version has nothing before it, whatever its number (a CMS's own revision) and whatever the record says
  const first = new Store({ partitions: 1, historySize: 10, from: [1] })
  first.load(0, event('CREATED', { id: 'c', version: 7, category: 'politics', pubStatus: 'withheld' }, T0), null)
  first.goLive(T0 + 2000)
  assert.equal(masks(exposureOf(first, 'c')).get(JSON.stringify(['politics', 'en', 5, false])), clearanceBit.all | clearanceBit.released)
  assert.equal(load(true), clearanceBit.all | clearanceBit.released, 'withheld now, and nothing before it on politics')
})

test('an entry known only from news.articles counts as possibly seen by whoever may have seen its story, no one else', () => {
  // a live story only ever withheld (its record's views say so), with an entry deleted since
  const story = event('UPDATED', { id: 'live', version: 3, category: 'desk', pubStatus: 'withheld', live: true }, T0)
  const views = [earlierViewOf(story.article, T0)] // versions 1 and 2: withheld on the same desk
  const deleted = entryEvent(story.article, { id: 'e1', seq: 1, version: 2, pubStatus: 'canceled' }, T0, {
    type: 'ENTRY_DELETED',
    reason: 'legal',
  })
  const load = (earlier: EarlierViews | null) => {
    const store = new Store({ partitions: 1, historySize: 10, from: [5] })
    store.load(0, story, earlier)
    store.loadEntry(0, deleted)
    store.goLive(T0 + 1000)
    return store.ledger.entries.get('live', 'e1') ?? assert.fail('entry unknown')
  }
  const never = load({ views, complete: true })
  assert.equal(never.maybe & clearanceBit.public, 0, 'the public never saw the story, so never its entry')
  assert.notEqual(never.maybe & clearanceBit.all, 0, 'the newsroom may have')
  // a story record that says nothing of its earlier versions: anyone may have seen it, and the entry
  assert.equal(load(null).maybe, 7)
})

test('an entry known only from news.articles counts as possibly seen only by whom its earlier versions could be shown to', () => {
  const story = event('CREATED', { id: 'live', version: 1, category: 'desk', live: true }, T0)
  const deleted = entryEvent(story.article, { id: 'e1', seq: 1, version: 3, pubStatus: 'canceled' }, T0 + 2000, { type: 'ENTRY_DELETED' })
  const load = (earlier: EarlierStatuses | null) => {
    const store = new Store({ partitions: 1, historySize: 10, from: [5] })
    store.load(0, story, null)
    store.loadEntry(0, deleted, earlier)
    store.goLive(T0 + 3000)
    return (store.ledger.entries.get('live', 'e1') ?? assert.fail('entry unknown')).maybe
  }
  // withheld, then held under an embargo an hour off and deleted a second later: never public
  const held = { withheldLeftMs: 0, usableLeftMs: HOUR - 1000 }
  assert.equal(load({ ...held, complete: true }), clearanceBit.all | clearanceBit.released)
  assert.equal(load({ ...held, usableLeftMs: 0, complete: true }), 7, 'once usable and out: the public may have')
  assert.equal(load({ ...held, complete: false }), 7, 'not all known: whoever saw the story')
  assert.equal(load(null), 7)
})

/** One version of a story: its view, status, and embargo, some time after the one before. */
const versionArb = fc.record({
  category: fc.constantFrom('c0', 'c1', 'c2', 'c3'),
  language: fc.constantFrom('en', 'bn'),
  urgency: fc.integer({ min: 1, max: 3 }),
  breaking: fc.boolean(),
  withheld: fc.boolean(),
  // an embargo this long after the version is written: before it is replaced, in the race window, or long after
  embargo: fc.option(fc.constantFrom(1_000, 30_000, 59_000, 60_000, 61_000, 600_000, 3_600_000), { nil: null }),
  // time to the next version
  gap: fc.constantFrom(0, 500, 20_000, 60_000, 90_000, 700_000),
})

test('property: an instance started at any point knows every view a story was seen in, and for whom, as one up all along', () => {
  fc.assert(
    fc.property(
      fc.array(versionArb, { minLength: 1, maxLength: 12 }),
      fc.boolean(),
      fc.nat(),
      fc.nat(),
      (steps, killed, cutSeed, loadSeed) => {
        let at = T0
        const versions = steps.map((v, i) => {
          const e = event(
            i === 0 ? 'CREATED' : 'UPDATED',
            {
              id: 'p',
              version: i + 1,
              category: v.category,
              language: v.language,
              urgency: v.urgency,
              breaking: v.breaking,
              pubStatus: v.withheld ? 'withheld' : 'usable',
              embargoedUntil: v.embargo === null ? null : at + v.embargo,
            },
            at,
          )
          at += v.gap
          return e
        })
        if (killed)
          versions.push(event('WITHDRAWN', { id: 'p', version: versions.length + 1, pubStatus: 'canceled' }, at, { reason: 'legal' }))
        const now = at + 1000
        const cut = 1 + (cutSeed % versions.length)
        const reference = masks(exposureOf(upAllAlong(versions, now), 'p'))
        const later = masks(exposureOf(startedLater(versions, cut, now, true, loadTime(versions, cut, now, loadSeed)), 'p'))
        // the same views, each for the same clearances: none missed (a missed kill), none added (a
        // kill told to a reader who could not have seen the story)
        assert.deepEqual([...later].sort(), [...reference].sort(), `cut after ${cut} of ${versions.length}`)
      },
    ),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 300) },
  )
})

/** One version of an entry: its status and embargo, some time after the one before. */
const entryVersionArb = fc.record({
  withheld: fc.boolean(),
  embargo: fc.option(fc.constantFrom(1_000, 59_000, 61_000, HOUR), { nil: null }),
  gap: fc.constantFrom(0, 30_000, 70_000, 2 * HOUR),
})

test('property: an instance started at any point counts everyone an entry may have been shown to, as one up all along', () => {
  fc.assert(
    fc.property(
      fc.array(entryVersionArb, { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      fc.nat(),
      fc.nat(),
      (steps, deleted, cutSeed, loadSeed) => {
        const story = event('CREATED', { id: 'live', version: 1, live: true }, T0)
        let at = T0 + 1000
        const versions = steps.map((v, i) => {
          const e = entryEvent(
            story.article,
            {
              id: 'e',
              seq: 1,
              version: i + 1,
              pubStatus: v.withheld ? 'withheld' : 'usable',
              embargoedUntil: v.embargo === null ? null : at + v.embargo,
            },
            at,
          )
          at += v.gap
          return e
        })
        if (deleted)
          versions.push(
            entryEvent(story.article, { id: 'e', seq: 1, version: versions.length + 1, pubStatus: 'canceled' }, at, {
              type: 'ENTRY_DELETED',
            }),
          )
        const now = at + 1000
        const seen = (store: Store) => {
          const s = store.ledger.entries.get('live', 'e') ?? assert.fail('entry unknown')
          return s.sure | s.maybe
        }
        const along = new Store({ partitions: 1, historySize: 1000 })
        for (const [offset, e] of [story, ...versions].entries()) along.append(0, offset, e)
        along.goLive(now)
        const cut = 1 + (cutSeed % versions.length)
        let clock = loadTime(versions, cut, now, loadSeed)
        const later = new Store({ partitions: 1, historySize: 1000, from: [cut + 1], now: () => clock })
        later.load(0, story, { views: [], complete: true })
        later.loadEntry(0, versions[cut - 1] as (typeof versions)[number], carriedStatuses(versions.slice(0, cut)))
        clock = now
        for (let i = cut; i < versions.length; i++) later.append(0, i + 1, versions[i] as (typeof versions)[number])
        later.goLive(now)
        const missed = seen(along) & ~seen(later)
        assert.equal(
          missed,
          0,
          `cut after ${cut} of ${versions.length}: clearances ${missed} saw the entry, the later instance does not know it`,
        )
      },
    ),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 300) },
  )
})

test('a reader who saw a story on a desk it has left, resuming on an instance started later, hears of its kill there', async () => {
  const old = new Harness({ partitions: 1 })
  old.start()
  const at = old.clock.now()
  const r = old.connect('public')
  subscribe(old, r.conn, ['category:sports'])
  await old.settle()
  old.append(event('CREATED', { id: 's', version: 1, category: 'sports' }, at))
  await old.settle()
  old.append(event('UPDATED', { id: 's', version: 2, category: 'politics' }, at + 1000))
  await old.settle()
  assert.deepEqual(withdrawn(r.t.messages), ['s:left'])
  const since = lastPosition(r.t.messages)
  // other stories push the story's versions out of the next instance's memory
  for (let i = 0; i < 4; i++) old.append(event('CREATED', { id: `f${i}`, version: 1, category: 'weather' }, at + 2000 + i))
  await old.settle()
  const h = restarted(old, [], 2)
  assert.equal(h.store.ledger.latest('s')?.seq, null, 'the story is known from news.articles only')
  const c = h.connect('public')
  subscribe(h, c.conn, ['category:sports'], { since })
  await h.settle()
  h.append(event('WITHDRAWN', { id: 's', version: 3, category: 'politics', pubStatus: 'canceled' }, at + 5000, { reason: 'legal' }))
  await h.settle()
  assert.deepEqual(withdrawn(c.t.messages), ['s:withdrawn'])
})
