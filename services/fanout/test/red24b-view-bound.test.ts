// red24b attack run (2026-12-07): the views a story was seen in are a bounded memory (exposure.ts),
// and a kill reaches a resuming reader only through the view it saw the story in. A model of the
// two sides together: random moves of one article through a view space larger than the bound
// (categories, urgencies, breaking), each decided by ingest's rule (passesViewBound over the views
// it carries, as state.ts folds them), each accepted version shown (sure) and, now and then, a
// view some instance may have shown (maybe) as a restarted instance loads them. Whatever the run,
// every view an accepted version was in is still found for its readers: a kill reaches them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { earlierViewOf, type EarlierView, MAX_EARLIER_VIEWS, passesViewBound, withEarlierView } from '@newswire/shared'
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

test('property: with ingest refusing a move past the bound, every view an accepted version was in stays known to the fan-out', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(viewArb, fc.nat(9)), { minLength: MAX_EARLIER_VIEWS, maxLength: MAX_EARLIER_VIEWS + 300 }), (moves) => {
      const exp: Exposure = []
      let earlier: readonly EarlierView[] = []
      let current: View = { category: 'c0', language: 'en', urgency: 1, breaking: false }
      const shown: View[] = [current]
      expose(exp, { id: 'a', ...current }, clearanceBit.public, true)
      let refused = 0
      for (const [next, roll] of moves) {
        if (passesViewBound(earlier, current, next)) {
          refused++
          continue
        }
        earlier = withEarlierView(earlier, earlierViewOf({ ...current, pubStatus: 'usable', embargoedUntil: null }, 0))
        current = next
        if (!shown.some((v) => same(v, next))) shown.push(next)
        expose(exp, { id: 'a', ...next }, clearanceBit.public, true)
        // a restarted instance, or a release racing a kill elsewhere: a view some instance may have shown
        if (roll === 0) expose(exp, { id: 'a', ...next }, clearanceBit.public, false)
      }
      assert.ok(shown.length <= MAX_EARLIER_VIEWS, `${shown.length} views accepted`)
      for (const v of shown)
        assert.ok(
          exposedView(exp, 'public', (a) => same(a as View, v), false),
          `a reader of ${JSON.stringify(v)} is not told of the kill (${shown.length} views, ${refused} refused)`,
        )
    }),
    // a failing run is long (a thousand moves): report it as found, unshrunk
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 20), endOnFailure: true },
  )
})
