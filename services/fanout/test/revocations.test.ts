// The revocation list (revocations.ts): what a line says, what a bad line is told, and which
// tokens a list names, against a reference model that keeps the rules as written (a list of
// them, any of which names a token) over random lists and tokens: forged subjects and ids, tokens
// without `iat`, instants on and around each rule's, repeated and contradicting rules.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { Credential } from '../src/revocations.ts'
import { isRevoked, NO_REVOCATIONS, parseRevocations, RevocationsError } from '../src/revocations.ts'

const T = Date.parse('2026-12-07T05:00:00Z')

test('a line is a rule: sub, jti or all; comments and blank lines are nothing', () => {
  const r = parseRevocations(
    [
      '# editors who left',
      'sub alice 2026-12-07T05:00:00Z',
      '  sub   bob   2026-12-07T06:00:00+01:00   # the same instant',
      '',
      'jti 0f8c-token',
      'all 2026-12-01T00:00:00.000Z',
      'sub alice 2026-12-06T00:00:00Z',
    ].join('\n'),
  )
  assert.equal(r.size, 5)
  assert.equal(r.subjects.get('alice'), T, 'the later of two rules for one subject')
  assert.equal(r.subjects.get('bob'), T)
  assert.deepEqual([...r.ids], ['0f8c-token'])
  assert.equal(r.all, Date.parse('2026-12-01T00:00:00Z'))
  assert.deepEqual(parseRevocations('\n# nothing\n'), { ...NO_REVOCATIONS, subjects: new Map(), ids: new Set() })
})

test('a bad line refuses the whole list, naming the line', () => {
  for (const [text, line] of [
    ['sub alice', 1],
    ['sub alice 2026-12-07', 1],
    ['sub alice 2026-12-07T05:00:00', 1],
    ['sub alice yesterday', 1],
    ['jti', 1],
    ['jti a b', 1],
    ['all', 1],
    ['# ok\nrevoke alice', 2],
    ['sub alice 2026-12-07T05:00:00Z extra', 1],
    ['all 2026-13-40T05:00:00Z', 1],
  ] as const) {
    assert.throws(
      () => parseRevocations(text),
      (err: unknown) => err instanceof RevocationsError && err.line === line && err.code === 'invalid_revocations',
      text,
    )
  }
})

test('which tokens a list names', () => {
  const r = parseRevocations('sub alice 2026-12-07T05:00:00Z\njti leaked\nall 2026-12-01T00:00:00Z')
  const c = (sub: string | null, issuedAt: number | null, id: string | null = null): Credential => ({ sub, issuedAt, id })
  assert.equal(isRevoked(r, c('alice', T - 1000)), true)
  assert.equal(isRevoked(r, c('alice', T)), true, 'at the instant: issued at or before')
  assert.equal(isRevoked(r, c('alice', T + 1000)), false, 'a token issued after the rule')
  assert.equal(isRevoked(r, c('alice', null)), true, 'no iat: it cannot show it came after')
  assert.equal(isRevoked(r, c('bob', T - 1000)), false)
  assert.equal(isRevoked(r, c('bob', T + 1000, 'leaked')), true, 'by id, whenever issued')
  assert.equal(isRevoked(r, c('bob', Date.parse('2026-11-30T00:00:00Z'))), true, 'all: issued before')
  assert.equal(isRevoked(r, c(null, null)), true, 'all: no iat')
  assert.equal(isRevoked(NO_REVOCATIONS, c('alice', null, 'leaked')), false)
})

type Rule = { kind: 'sub'; sub: string; at: number } | { kind: 'jti'; id: string } | { kind: 'all'; at: number }

/** The model: the rules as written, and a token named by any of them. */
const named = (rules: Rule[], c: Credential) =>
  rules.some((r) =>
    r.kind === 'jti' ? c.id === r.id : (r.kind === 'all' || c.sub === r.sub) && (c.issuedAt === null || c.issuedAt <= r.at),
  )

const names = fc.constantFrom('alice', 'bob', 'ALICE', 'al ice', 'über', 'x'.repeat(40), '0')
const word = names.filter((n) => !/\s/.test(n) && !n.includes('#'))
const at = fc.integer({ min: -3, max: 3 }).map((d) => T + d * 1000)
const rule: fc.Arbitrary<Rule> = fc.oneof(
  fc.record({ kind: fc.constant('sub' as const), sub: word, at }),
  fc.record({ kind: fc.constant('jti' as const), id: word }),
  fc.record({ kind: fc.constant('all' as const), at }),
)
const credential: fc.Arbitrary<Credential> = fc.record({
  sub: fc.option(names, { nil: null }),
  issuedAt: fc.option(at, { nil: null }),
  id: fc.option(names, { nil: null }),
})
const lineOf = (r: Rule) =>
  r.kind === 'jti'
    ? `jti ${r.id}`
    : r.kind === 'all'
      ? `all ${new Date(r.at).toISOString()}`
      : `sub ${r.sub} ${new Date(r.at).toISOString()}`

test('property: a list read from its lines names exactly the tokens its rules name', () => {
  fc.assert(
    fc.property(fc.array(rule, { maxLength: 8 }), fc.array(credential, { minLength: 1, maxLength: 8 }), (rules, creds) => {
      const r = parseRevocations(rules.map(lineOf).join('\n'))
      assert.equal(r.size, rules.length)
      for (const c of creds) assert.equal(isRevoked(r, c), named(rules, c), `${JSON.stringify(c)} under ${JSON.stringify(rules)}`)
    }),
    { numRuns: 1000 },
  )
})
