// The `earlier-views` header: what ingest writes, the fan-out reads back exactly; anything else is
// refused whole (the fan-out then falls back to not knowing the earlier versions).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  decodeEarlierViews,
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
  pubStatus: 'usable',
  embargoLeftMs: 0,
  ...extra,
})

const viewArb: fc.Arbitrary<EarlierView> = fc.record({
  category: fc.option(fc.string({ unit: 'grapheme', maxLength: 12 }), { nil: null }),
  language: fc.constantFrom('bn', 'en', 'en-GB'),
  urgency: fc.integer({ min: 1, max: 9 }),
  breaking: fc.boolean(),
  pubStatus: fc.constantFrom('usable', 'withheld', 'canceled'),
  embargoLeftMs: fc.nat(),
})

test('property: the header reads back what was written', () => {
  fc.assert(
    fc.property(fc.array(viewArb, { maxLength: 40 }), (generated) => {
      const views = generated.map((v) => ({ ...v })) // fast-check's records have no prototype
      assert.deepEqual(decodeEarlierViews(encodeEarlierViews(views)), views)
      assert.deepEqual(earlierViewsOf(Buffer.from(encodeEarlierViews(views))), views)
    }),
  )
})

test('a header that is not what ingest writes is refused whole', () => {
  const good = JSON.parse(encodeEarlierViews([view()])) as unknown[][]
  const row = good[0] as unknown[]
  const bad = [
    'not json',
    '{}',
    '[1]',
    JSON.stringify([row.slice(0, 5)]),
    JSON.stringify([[7, ...row.slice(1)]]),
    JSON.stringify([[row[0], 'bn', -1, 0, 0, 0]]),
    JSON.stringify([[row[0], 'bn', 1.5, 0, 0, 0]]),
    JSON.stringify([[row[0], 'bn', 3, true, 0, 0]]),
    JSON.stringify([[row[0], 'bn', 3, 0, 3, 0]]),
    JSON.stringify([[row[0], 'bn', 3, 0, 0, -5]]),
    JSON.stringify([row, [row[0], 'bn', 3, 0, 0]]),
    JSON.stringify(Array.from({ length: MAX_EARLIER_VIEWS + 1 }, () => row)),
  ]
  for (const text of bad) assert.equal(decodeEarlierViews(text), null, text.slice(0, 60))
  assert.equal(earlierViewsOf(undefined), null)
  assert.equal(earlierViewsOf([Buffer.from('[]'), Buffer.from('[]')]), null, 'a repeated header')
  assert.deepEqual(earlierViewsOf('[]'), [])
})

test('a view is kept once per status, with the least embargo time any of its versions had left', () => {
  let views = withEarlierView([], view({ embargoLeftMs: 90_000 }))
  views = withEarlierView(views, view({ embargoLeftMs: 5_000 }))
  views = withEarlierView(views, view({ embargoLeftMs: 70_000 }))
  views = withEarlierView(views, view({ pubStatus: 'withheld' }))
  assert.deepEqual(views, [view({ embargoLeftMs: 5_000 }), view({ pubStatus: 'withheld' })])
  assert.deepEqual(mergeEarlierViews([view({ embargoLeftMs: 9 })], views), [view({ embargoLeftMs: 9 }), view({ pubStatus: 'withheld' })])
})

test('past the cap, the newest kept view is replaced (as the fan-out keeps them)', () => {
  let views: readonly EarlierView[] = []
  for (let u = 0; u < MAX_EARLIER_VIEWS + 2; u++) views = withEarlierView(views, view({ urgency: u }))
  assert.equal(views.length, MAX_EARLIER_VIEWS)
  assert.equal(views.at(-1)?.urgency, MAX_EARLIER_VIEWS + 1)
  assert.equal(views.at(-2)?.urgency, MAX_EARLIER_VIEWS - 2)
})

test('a version replaced before its embargo keeps the time it had left; after it, none', () => {
  const article = { category: null, language: 'en', urgency: 1, breaking: true, pubStatus: 'usable' as const, embargoedUntil: 10_000 }
  assert.equal(earlierViewOf(article, 4_000).embargoLeftMs, 6_000)
  assert.equal(earlierViewOf(article, 12_000).embargoLeftMs, 0)
  assert.equal(earlierViewOf({ ...article, embargoedUntil: null }, 4_000).embargoLeftMs, 0)
})
