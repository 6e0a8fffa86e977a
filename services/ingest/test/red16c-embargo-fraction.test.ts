// red16c attack run (2026-12-06): an embargo named finer than a millisecond. ISO 8601 takes any
// number of fractional digits, and feeds send microseconds (Python's isoformat writes six); a Date
// holds milliseconds, and Date.parse drops the digits past the third. So an embargo until
// 12:00:00.0009Z was stored as 12:00:00.000Z, and the fan-out, which releases at the stored
// millisecond, sent the story to the public up to a millisecond before the instant the desk named.
// Fixed: an embargo (an article's or an entry's) that falls between two milliseconds is the later
// one (instant.ts parseEmbargo); other instants keep what Date.parse reads.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { http } from '../../../test/helpers.ts'
import { parseEmbargo, parseInstant } from '../src/instant.ts'
import { ArticleState } from '../src/state.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const KEY = 'dev-ingest-key-1'

/** The instant `s` names, in nanoseconds since 1970 (exact: BigInt). */
function exactNanos(s: string): bigint {
  const m = /\.(\d+)/.exec(s)
  const whole = Date.parse(s.replace(/\.\d+/, ''))
  return BigInt(whole) * 1_000_000n + BigInt((m?.[1] ?? '').padEnd(9, '0') || '0')
}

test('an embargo between two milliseconds is stored as the later one, for an article and an entry', async (t) => {
  const state = new ArticleState()
  const app = await startInProcessApp(state, `dev:${KEY}:*`)
  t.after(() => app.close())
  const at = Date.UTC(2030, 0, 1, 12)
  const cases = [
    ['2030-01-01T12:00:00.0009Z', at + 1],
    ['2030-01-01T12:00:00.000000001Z', at + 1],
    ['2030-01-01T18:00:00.123456+06:00', at + 124],
    ['2030-01-01T12:00:00.123000Z', at + 123],
    ['2030-01-01T12:00:00.5Z', at + 500],
  ] as const
  for (const [i, [embargoedUntil, stored]] of cases.entries()) {
    const id = `emb-${i}`
    const r = await http(`${app.url}/v1/articles`, {
      method: 'POST',
      key: KEY,
      json: { id, language: 'en', headline: 'h', body: ['b'], embargoedUntil, live: true },
    })
    assert.equal(r.status, 201, r.text)
    assert.equal(state.get(id)?.article.embargoedUntil, stored, `article, ${embargoedUntil}`)
    const e = await http(`${app.url}/v1/articles/${id}/entries/e1`, { method: 'PUT', key: KEY, json: { body: ['x'], embargoedUntil } })
    assert.equal(e.status, 201, e.text)
    assert.equal(state.entry(id, 'e1')?.entry.embargoedUntil, stored, `entry, ${embargoedUntil}`)
  }
  // past the last millisecond a Date can be written back as: refused, nothing stored
  const r = await http(`${app.url}/v1/articles`, {
    method: 'POST',
    key: KEY,
    json: { id: 'emb-last', language: 'en', headline: 'h', body: ['b'], embargoedUntil: '9999-12-31T23:59:59.9995Z' },
  })
  assert.equal(r.status, 422, r.text)
  assert.equal(state.get('emb-last'), undefined)
})

test('property: an embargo is never stored before the instant it names, nor a millisecond or more after it', () => {
  const digits = (n: number, max: number, min = 0) => fc.integer({ min, max }).map((v) => String(v).padStart(n, '0'))
  const instant = fc
    .record({
      y: digits(4, 9999, 1),
      mo: digits(2, 12, 1),
      d: digits(2, 28, 1),
      h: digits(2, 23),
      mi: digits(2, 59),
      s: digits(2, 59),
      frac: fc.stringMatching(/^[0-9]{1,9}$/),
      zone: fc.constantFrom('Z', '+00:00', '-00:00', '+06:00', '-09:30'),
    })
    .map(({ y, mo, d, h, mi, s, frac, zone }) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${frac}${zone}`)
  fc.assert(
    fc.property(instant, (s) => {
      const t = parseEmbargo(s)
      if (t === null) return
      const exact = exactNanos(s)
      assert.ok(BigInt(t) * 1_000_000n >= exact, `${s} stored as ${new Date(t).toISOString()}, before it`)
      assert.ok(BigInt(t) * 1_000_000n < exact + 1_000_000n, `${s} stored as ${new Date(t).toISOString()}`)
      // every other instant is read as before
      assert.equal(parseInstant(s) !== null, true)
    }),
    { numRuns: 3000 },
  )
})
