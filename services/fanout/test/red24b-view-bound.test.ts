// red24b attack run (2026-12-07): the views a story was seen in are a bounded memory (exposure.ts),
// and a kill reaches a resuming reader only through the view it saw the story in. A model of the
// two sides together: random moves of one article through a view space larger than the bound
// (categories, urgencies, breaking), each decided by ingest's rule (passesViewBound over the views
// it carries, as state.ts folds them), each accepted version shown (sure) and, now and then, a
// view some instance may have shown (maybe) as a restarted instance loads them. Whatever the run,
// every view an accepted version was in is still found for its readers: a kill reaches them.
// red24e: now and then the state's views are lost (a state too big to carry them, read back by an
// ingest restarted once news.articles is compacted: not known, counted from none); the views kept
// before are the fan-out's still. Known run: the shrunk failure without the fix.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { earlierViewOf, type EarlierViews, MAX_EARLIER_VIEWS, passesViewBound, UNKNOWN_EARLIER, withEarlierView } from '@newswire/shared'
import fc from 'fast-check'
import { clearanceBit, type Exposure, expose, exposedView } from '../src/exposure.ts'

interface View {
  category: string
  language: string
  urgency: number
  breaking: boolean
}

const viewArb: fc.Arbitrary<View> = fc.record({
  category: fc.nat(MAX_EARLIER_VIEWS + 200).map((n) => `c${n}`),
  language: fc.constant('en'),
  urgency: fc.integer({ min: 1, max: 3 }),
  breaking: fc.boolean(),
})

const same = (a: View, b: View) => a.category === b.category && a.urgency === b.urgency && a.breaking === b.breaking

/** Moves of one article (a view, and a roll: 0 a maybe exposure, 1 its views lost after it), as the property draws. */
type Move = [View, number]

function run(moves: readonly Move[]): void {
  const exp: Exposure = []
  let earlier: EarlierViews = { views: [], complete: true }
  let current: View = { category: 'c0', language: 'en', urgency: 1, breaking: false }
  const shown: View[] = [current]
  expose(exp, { id: 'a', ...current }, clearanceBit.public, true)
  let refused = 0
  for (const [next, roll] of moves) {
    if (passesViewBound(earlier, current, next)) {
      refused++
      continue
    }
    earlier = {
      views: withEarlierView(earlier.views, earlierViewOf({ ...current, pubStatus: 'usable', embargoedUntil: null }, 0)),
      complete: earlier.complete,
    }
    current = next
    if (!shown.some((v) => same(v, next))) shown.push(next)
    expose(exp, { id: 'a', ...next }, clearanceBit.public, true)
    // a restarted instance, or a release racing a kill elsewhere: a view some instance may have shown
    if (roll === 0) expose(exp, { id: 'a', ...next }, clearanceBit.public, false)
    // written past the budget with its views, read back after compaction: they are not known
    if (roll === 1) earlier = UNKNOWN_EARLIER
  }
  assert.ok(shown.length <= MAX_EARLIER_VIEWS, `${shown.length} views accepted`)
  for (const v of shown)
    assert.ok(
      exposedView(exp, 'public', (a) => same(a as View, v), false),
      `a reader of ${JSON.stringify(v)} is not told of the kill (${shown.length} views, ${refused} refused)`,
    )
}

const view = (n: number): View => ({ category: `c${n}`, language: 'en', urgency: 1, breaking: false })

test('known run: the views lost at the bound, then a thousand more', () => {
  const moves: Move[] = Array.from({ length: 2 * MAX_EARLIER_VIEWS }, (_, i) => [view(i + 1), i === MAX_EARLIER_VIEWS - 2 ? 1 : 5])
  run(moves)
})

test('property: with ingest refusing a move past the bound, every view an accepted version was in stays known to the fan-out', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(viewArb, fc.nat(2 * MAX_EARLIER_VIEWS)), { minLength: MAX_EARLIER_VIEWS, maxLength: MAX_EARLIER_VIEWS + 300 }),
      (moves) => run(moves.map(([v, roll]): Move => [v, roll % 10 === 0 ? 0 : roll === 1 ? 1 : 5])),
    ),
    // a failing run is long (a thousand moves): report it as found, unshrunk
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 20), endOnFailure: true },
  )
})
