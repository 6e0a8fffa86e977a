// The `earlier-views` header: what ingest writes, the fan-out reads back exactly; anything else is
// refused whole (the fan-out then falls back to not knowing the earlier versions).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  bothShown,
  decodeEarlierViews,
  earlierStatusesOf,
  encodeEarlierStatuses,
  shownOf,
  earlierViewOf,
  earlierViewsOf,
  encodeEarlierViews,
  MAX_EARLIER_VIEWS,
  mergeEarlierViews,
  withEarlierView,
} from '../src/earlier-views.ts'
import type { EarlierView } from '../src/earlier-views.ts'
import fc from 'fast-check'

const view = (extra: Partial<EarlierView> = {}): EarlierView => ({
  category: 'খেলা',
  language: 'bn',
  urgency: 3,
  breaking: false,
  usableLeftMs: 0,
  withheldLeftMs: null,
  ...extra,
})

const leftArb = fc.option(fc.nat(), { nil: null })
const viewArb: fc.Arbitrary<EarlierView> = fc.record({
  category: fc.option(fc.string({ unit: 'grapheme', maxLength: 12 }), { nil: null }),
  language: fc.constantFrom('bn', 'en', 'en-GB'),
  urgency: fc.integer({ min: 1, max: 9 }),
  breaking: fc.boolean(),
  usableLeftMs: leftArb,
  withheldLeftMs: leftArb,
})

test('property: the header reads back what was written', () => {
  fc.assert(
    fc.property(fc.array(viewArb, { maxLength: 40 }), fc.boolean(), (generated, complete) => {
      const views = generated.map((v) => ({ ...v })) // fast-check's records have no prototype
      assert.deepEqual(decodeEarlierViews(encodeEarlierViews({ views, complete })), { views, complete })
      assert.deepEqual(earlierViewsOf(Buffer.from(encodeEarlierViews({ views, complete }))), { views, complete })
    }),
  )
})

test('a header that is not what ingest writes is refused whole', () => {
  const good = JSON.parse(encodeEarlierViews({ views: [view()], complete: true })) as { views: unknown[][] }
  const row = good.views[0] as unknown[]
  const rows = (...r: unknown[]) => JSON.stringify({ complete: true, views: r })
  const bad = [
    'not json',
    'null',
    '[]',
    '{}',
    JSON.stringify({ complete: 'yes', views: [] }),
    JSON.stringify({ complete: true, views: {} }),
    rows(1),
    rows(row.slice(0, 5)),
    rows([7, ...row.slice(1)]),
    rows([row[0], 'bn', -1, 0, 0, null]),
    rows([row[0], 'bn', 1.5, 0, 0, null]),
    rows([row[0], 'bn', 3, true, 0, null]),
    rows([row[0], 'bn', 3, 0, -5, null]),
    rows([row[0], 'bn', 3, 0, 0, 'soon']),
    rows(row, [row[0], 'bn', 3, 0, 0]),
    rows(...Array.from({ length: MAX_EARLIER_VIEWS + 1 }, () => row)),
  ]
  for (const text of bad) assert.equal(decodeEarlierViews(text), null, text.slice(0, 60))
  assert.equal(earlierViewsOf(undefined), null)
  const empty = encodeEarlierViews({ views: [], complete: true })
  assert.equal(earlierViewsOf([Buffer.from(empty), Buffer.from(empty)]), null, 'a repeated header')
  assert.deepEqual(earlierViewsOf(empty), { views: [], complete: true })
})

test('a view is kept once, with the least embargo time its usable and its withheld versions had left', () => {
  let views = withEarlierView([], view({ usableLeftMs: 90_000 }))
  views = withEarlierView(views, view({ usableLeftMs: 5_000 }))
  views = withEarlierView(views, view({ usableLeftMs: 70_000 }))
  views = withEarlierView(views, view({ usableLeftMs: null, withheldLeftMs: 0 }))
  views = withEarlierView(views, view({ usableLeftMs: null, withheldLeftMs: null }))
  assert.deepEqual(views, [view({ usableLeftMs: 5_000, withheldLeftMs: 0 })])
  const same = withEarlierView(views, view({ usableLeftMs: 6_000 }))
  assert.equal(same, views, 'nothing new: the same list')
  assert.deepEqual(mergeEarlierViews([view({ usableLeftMs: 9, category: 'x' })], views), [
    view({ usableLeftMs: 9, category: 'x' }),
    view({ usableLeftMs: 5_000, withheldLeftMs: 0 }),
  ])
})

test('past the cap of distinct views, the newest kept one is replaced (as the fan-out keeps them)', () => {
  let views: readonly EarlierView[] = []
  for (let u = 0; u < MAX_EARLIER_VIEWS + 2; u++) {
    views = withEarlierView(views, view({ urgency: u, usableLeftMs: null, withheldLeftMs: 0 }))
    views = withEarlierView(views, view({ urgency: u }))
  }
  assert.equal(views.length, MAX_EARLIER_VIEWS, 'statuses of one view share its place')
  assert.equal(views.at(-1)?.urgency, MAX_EARLIER_VIEWS + 1)
  assert.equal(views.at(-2)?.urgency, MAX_EARLIER_VIEWS - 2)
})

test('a version replaced before its embargo keeps the time it had left, by status; a kill was shown to nobody outside the newsroom', () => {
  const article = { category: null, language: 'en', urgency: 1, breaking: true, pubStatus: 'usable' as const, embargoedUntil: 10_000 }
  assert.deepEqual([earlierViewOf(article, 4_000).usableLeftMs, earlierViewOf(article, 4_000).withheldLeftMs], [6_000, null])
  assert.equal(earlierViewOf(article, 12_000).usableLeftMs, 0)
  assert.equal(earlierViewOf({ ...article, embargoedUntil: null }, 4_000).usableLeftMs, 0)
  const withheld = earlierViewOf({ ...article, pubStatus: 'withheld' }, 4_000)
  assert.deepEqual([withheld.usableLeftMs, withheld.withheldLeftMs], [null, 6_000])
  const killed = earlierViewOf({ ...article, pubStatus: 'canceled' }, 4_000)
  assert.deepEqual([killed.usableLeftMs, killed.withheldLeftMs], [null, null])
})

test("an entry's earlier-statuses header reads back what was written; anything else is refused", () => {
  fc.assert(
    fc.property(leftArb, leftArb, fc.boolean(), (usableLeftMs, withheldLeftMs, complete) => {
      const e = { usableLeftMs, withheldLeftMs, complete }
      assert.deepEqual(earlierStatusesOf(encodeEarlierStatuses(e)), e)
      assert.deepEqual(earlierStatusesOf(Buffer.from(encodeEarlierStatuses(e))), e)
    }),
  )
  for (const text of [
    '',
    'null',
    '[]',
    '{"complete":true,"usable":null}',
    '{"complete":1,"usable":null,"withheld":null}',
    '{"complete":true,"usable":-1,"withheld":null}',
  ])
    assert.equal(earlierStatusesOf(text), null, text)
  assert.equal(earlierStatusesOf(undefined), null)
})

test('what a version showed, and what two showed together', () => {
  assert.deepEqual(shownOf({ pubStatus: 'withheld', embargoedUntil: 10_000 }, 4_000), { usableLeftMs: null, withheldLeftMs: 6_000 })
  assert.deepEqual(bothShown({ usableLeftMs: 5, withheldLeftMs: null }, { usableLeftMs: 3, withheldLeftMs: 9 }), {
    usableLeftMs: 3,
    withheldLeftMs: 9,
  })
})
