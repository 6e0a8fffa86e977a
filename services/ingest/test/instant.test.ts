// parseInstant against its definition before it was made cheaper (kept below as it was), and the
// instant() field, which parses once for its refinement and transform, against parseInstant.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { instant } from '../src/fields.ts'
import { parseInstant } from '../src/instant.ts'

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/

function oldDaysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0
}

/** Epoch milliseconds of a valid ISO 8601 date-time with a zone, else null. */
function oldParseInstant(s: string): number | null {
  const m = ISO_INSTANT.exec(s)
  if (m === null) return null
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)))
  if (year === undefined || month === undefined || day === undefined) return null
  if (month < 1 || month > 12 || day < 1 || day > oldDaysInMonth(year, month)) return null
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59) return null
  if ((offsetHours ?? 0) > 23 || (offsetMinutes ?? 0) > 59) return null
  const t = Date.parse(s)
  // and only what reads back as written: years 0000–9999 in UTC (an outside review, 2026-12-04)
  if (!Number.isFinite(t) || new Date(t).toISOString().length !== 24) return null
  // and not year 0000, which Python consumers (fastavro's datetime) cannot decode (red13b)
  if (new Date(t).getUTCFullYear() < 1) return null
  return t
}

const digits = (n: number, max: number, min = 0) => fc.integer({ min, max }).map((v) => String(v).padStart(n, '0'))
/** Mostly in range, sometimes just past it, sometimes anything of two digits. */
const field = (min: number, max: number) => fc.oneof({ arbitrary: digits(2, max, min), weight: 6 }, digits(2, max + 1), digits(2, 99))
/** Date-times in the accepted shape with any field values, valid or not, and some damage. */
const shaped = fc
  .record({
    y: fc.oneof(digits(4, 9999), fc.constantFrom('0000', '0001', '9999')),
    mo: field(1, 12),
    d: field(1, 31),
    h: field(0, 23),
    mi: field(0, 59),
    s: fc.option(field(0, 59), { nil: undefined }),
    frac: fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
    zone: fc.oneof(
      fc.constant('Z'),
      fc.tuple(fc.constantFrom('+', '-'), field(0, 23), field(0, 59)).map(([sg, a, b]) => `${sg}${a}:${b}`),
    ),
  })
  .map(
    ({ y, mo, d, h, mi, s, frac, zone }) =>
      `${y}-${mo}-${d}T${h}:${mi}${s === undefined ? '' : `:${s}${frac === undefined ? '' : `.${frac}`}`}${zone}`,
  )
const anyInstant = fc.oneof(
  shaped,
  shaped.map((x) => x.replace('T', ' ')),
  fc.string({ maxLength: 30 }),
)

test('parseInstant gives what it gave before, for any date-time or string', () => {
  let valid = 0
  fc.assert(
    fc.property(anyInstant, (s) => {
      const t = parseInstant(s)
      assert.equal(t, oldParseInstant(s))
      if (t !== null) valid++
    }),
    { numRuns: 5000 },
  )
  assert.ok(valid > 500, `${valid} valid instants among 5000`)
  assert.equal(parseInstant('2024-02-29T12:00:00Z'), Date.UTC(2024, 1, 29, 12))
  assert.equal(parseInstant('2023-02-29T12:00:00Z'), null)
  assert.equal(parseInstant('2024-08-17T05:46:00.5+06:00'), Date.UTC(2024, 7, 16, 23, 46, 0, 500))
  assert.equal(parseInstant('9999-12-31T23:59:00-01:00'), null, 'year 10000 in UTC')
  assert.equal(parseInstant('0000-01-01T00:30:00+01:00'), null, 'year -1 in UTC')
  assert.equal(parseInstant('0000-06-01T00:00:00Z'), null, 'year 0000: Python has no such year (red13b)')
  assert.equal(parseInstant('0001-01-01T00:30:00+01:00'), null, 'year 0000 in UTC')
  assert.equal(parseInstant('0001-01-01T00:00:00Z'), Date.parse('0001-01-01T00:00:00Z'))
  assert.equal(parseInstant('9999-12-31T23:59:59.999Z'), Date.parse('9999-12-31T23:59:59.999Z'))
})

test('every instant accepted reads back as written (what GET and a PATCH base send)', () => {
  fc.assert(
    fc.property(shaped, (s) => {
      const t = parseInstant(s)
      if (t !== null) assert.equal(parseInstant(new Date(t).toISOString()), t, `${s} → ${new Date(t).toISOString()}`)
    }),
    { numRuns: 5000 },
  )
})

test('an instant field parses once per value and still answers for each value in turn', () => {
  const field = instant('publishedAt')
  fc.assert(
    fc.property(fc.array(anyInstant, { maxLength: 8 }), (values) => {
      for (const s of values) {
        const r = field.safeParse(s)
        const t = parseInstant(s)
        assert.equal(r.success, t !== null)
        if (r.success) assert.equal(r.data, t)
        else assert.match(r.error.issues[0]?.message ?? '', /publishedAt must be a real ISO 8601 date-time/)
      }
    }),
    { numRuns: 500 },
  )
  assert.equal(field.safeParse(42).success, false)
})
