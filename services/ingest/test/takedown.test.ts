// takesDown (takedown.ts) decides which merge patches get past a key's write limit on the holds'
// bucket. The promise it must keep: such a patch can only leave its article or entry out of public
// view. A property against a small model of the editorial merge (keep what is omitted; public =
// `usable` and no embargo still to come), over random prior states, random patches of the
// editorial members and others, forged values and instants around now.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { takesDown } from '../src/takedown.ts'

const NOW = Date.parse('2026-12-07T05:00:00.000Z')

interface Editorial {
  pubStatus: string
  embargoedUntil: number | null
}

const isPublic = (s: Editorial, at: number) => s.pubStatus === 'usable' && (s.embargoedUntil === null || s.embargoedUntil <= at)

/** The editorial merge as ingest applies it (README, "Editorial state"): omitted or null pubStatus keeps it; null embargo lifts it. */
function merged(prior: Editorial, patch: Record<string, unknown>): Editorial {
  const out = { ...prior }
  if (typeof patch.pubStatus === 'string') out.pubStatus = patch.pubStatus
  if (Object.hasOwn(patch, 'embargoedUntil')) {
    const e = patch.embargoedUntil
    out.embargoedUntil = e === null ? null : typeof e === 'string' && !Number.isNaN(Date.parse(e)) ? Date.parse(e) : out.embargoedUntil
  }
  return out
}

const instant = fc.integer({ min: -3_600_000, max: 3_600_000 }).map((d) => NOW + d)
const prior = fc.record({ pubStatus: fc.constantFrom('usable', 'withheld'), embargoedUntil: fc.option(instant, { nil: null }) })
const value = fc.oneof(
  fc.constantFrom('withheld', 'usable', 'canceled', 'WITHHELD', '', null, 0, true),
  instant.map((t) => new Date(t).toISOString()),
  fc.constantFrom('not a date', '9999-12-31T23:59:59Z', '2026-12-07T05:00:00.000Z'),
  fc.jsonValue(),
)
const patch = fc.dictionary(fc.constantFrom('pubStatus', 'embargoedUntil', 'headline', 'body', '__proto__', 'pubstatus'), value, {
  maxKeys: 3,
})

test('a patch takesDown admits leaves every prior state out of public view at that instant', () => {
  fc.assert(
    fc.property(prior, patch, (p, q) => {
      if (!takesDown(q, NOW)) return
      const after = merged(p, q)
      assert.ok(!isPublic(after, NOW), `${JSON.stringify(q)} on ${JSON.stringify(p)} left it public`)
      // and a handler reading it a moment later still finds it a takedown, or a later embargo
      assert.ok(!isPublic(after, NOW + 1) || after.embargoedUntil === NOW + 1)
    }),
    { numRuns: 2000 },
  )
})

test('what is and is not a takedown', () => {
  const future = new Date(NOW + 60_000).toISOString()
  const past = new Date(NOW - 60_000).toISOString()
  for (const yes of [
    { pubStatus: 'withheld' },
    { embargoedUntil: future },
    { pubStatus: 'withheld', embargoedUntil: null },
    { pubStatus: 'withheld', embargoedUntil: past },
  ])
    assert.equal(takesDown(yes, NOW), true, JSON.stringify(yes))
  for (const no of [
    {},
    { pubStatus: 'usable' },
    { pubStatus: 'canceled' },
    { embargoedUntil: null },
    { embargoedUntil: past },
    { embargoedUntil: new Date(NOW).toISOString() },
    { embargoedUntil: 'not a date' },
    { pubStatus: 'usable', embargoedUntil: future },
    { pubStatus: 'withheld', headline: 'x' },
    null,
    [],
    'withheld',
  ])
    assert.equal(takesDown(no, NOW), false, JSON.stringify(no))
})
