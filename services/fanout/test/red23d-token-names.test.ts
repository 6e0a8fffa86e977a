// Property (red23d attack run): a revocation rule names a token whatever spelling its issuer and
// its operator gave the same name. The model: a name is its NFC form, a JSON number its digits; an
// issuer's spelling that differs by more (a space, a zero-width or joiner character, a variation
// selector) has no form a rule could write, so the token is refused at the door; a
// token admitted is revoked by a rule exactly when the rule names its identity.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import fc from 'fast-check'
import { SignJWT } from 'jose'
import { isRevoked, parseRevocations, RevocationsError } from '../src/revocations.ts'
import { verifyNewsroomToken } from '../src/token.ts'

/** Identities, in NFC: Latin with accents, Bengali with a nukta and a conjunct, digits. */
const identities = ['j\u00f3zef', '\u09b0\u09b9\u09ae\u09be\u09a8', '\u09af\u09bc\u09c1\u0995\u09cd\u09a4', '12345', 'alice', 'ALICE']
/** A spelling change: harmless (the same name), or one no rule could write (the token is refused). */
type Change = 'nfd' | 'nfc' | 'zwsp' | 'zwj' | 'zwnj' | 'vs16' | 'space' | 'trailing' | 'number' | 'quoted'
// a JSON number is read as its digits (red23e: an issuer's numeric user id), the name an operator types
const harmless: ReadonlySet<Change> = new Set(['nfd', 'nfc', 'number'])
const apply = (s: string, c: Change): string | number => {
  const mid = Math.ceil(s.length / 2)
  const ins = (x: string) => s.slice(0, mid) + x + s.slice(mid)
  switch (c) {
    case 'nfd':
      return s.normalize('NFD')
    case 'nfc':
      return s.normalize('NFC')
    case 'zwsp':
      return ins('\u200b')
    case 'zwj':
      return ins('\u200d')
    case 'zwnj':
      return ins('\u200c')
    case 'vs16':
      return ins('\ufe0f')
    case 'space':
      return ins(' ')
    case 'trailing':
      return `${s} `
    case 'number':
      return /^\d+$/.test(s) ? Number(s) : s.normalize('NFD')
    // copied from a JSON log line, with its quotes (red24d: a rule read so named nobody)
    case 'quoted':
      return `"${s}"`
  }
}
const change = fc.constantFrom<Change>('nfd', 'nfc', 'zwsp', 'zwj', 'zwnj', 'vs16', 'space', 'trailing', 'number', 'quoted')
const T = Math.floor(Date.parse('2026-12-07T05:00:00Z') / 1000)
const now = (T + 60) * 1000

const sign = (claims: Record<string, unknown>) =>
  new SignJWT({ scope: 'newsroom', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience('newswire')
    .setIssuedAt(T)
    .setExpirationTime(T + 3600)
    .sign(new TextEncoder().encode(DEV_NEWSROOM_SECRET))

test('property: a rule as an operator types it names the token of the same identity, and only it', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('sub', 'jti'),
      fc.nat(identities.length - 1),
      fc.constantFrom<Change>('nfd', 'nfc'),
      change,
      fc.nat(identities.length - 1),
      fc.constantFrom<Change>('nfd', 'nfc', 'zwsp', 'zwnj', 'quoted'),
      async (claim, id, first, second, ruleId, ruleChange) => {
        const issuedName = apply(String(apply(identities[id] as string, first)), second)
        const v = await verifyNewsroomToken(await sign({ [claim]: issuedName }), DEV_NEWSROOM_SECRET, 'newswire', now)
        if (!harmless.has(second)) {
          assert.deepEqual(v, { ok: false, reason: `token claim '${claim}' is invalid` }, JSON.stringify(issuedName))
          return
        }
        assert.ok(v.ok, JSON.stringify(issuedName))
        const typed = String(apply(identities[ruleId] as string, ruleChange))
        const line = claim === 'sub' ? `sub ${typed} 2026-12-07T05:00:10Z` : `jti ${typed}`
        if (!harmless.has(ruleChange)) {
          assert.throws(() => parseRevocations(line), RevocationsError, 'a rule no token can match is a bad line')
          return
        }
        const r = parseRevocations(line)
        assert.equal(
          isRevoked(r, { sub: v.sub, issuedAt: v.issuedAt, id: v.id }),
          ruleId === id,
          `${line} vs ${JSON.stringify(issuedName)}`,
        )
      },
    ),
    {
      numRuns: 400,
      examples: [
        ['jti', 3, 'nfc', 'number', 3, 'nfc'],
        // red24d: `jti "alice"` was read as a rule naming `"alice"`, in force, naming nobody
        ['jti', 4, 'nfc', 'nfc', 4, 'quoted'],
      ],
    },
  )
})

test('the names read are the ones a rule writes: NFC strings of visible characters', async () => {
  const ok = await verifyNewsroomToken(await sign({ sub: 'jo\u0301zef', jti: 'a-1' }), DEV_NEWSROOM_SECRET, 'newswire', now)
  assert.ok(ok.ok)
  assert.equal(ok.sub, 'j\u00f3zef')
  const numeric = await verifyNewsroomToken(await sign({ sub: 42, jti: 12345 }), DEV_NEWSROOM_SECRET, 'newswire', now)
  assert.ok(numeric.ok && numeric.sub === '42' && numeric.id === '12345', 'numbers as the digits a rule writes')
  for (const [claim, bad] of [
    ['jti', 1.5],
    ['sub', 2 ** 60],
    ['sub', 'ana rahman'],
    ['jti', 'leak\u200b-7'],
    ['sub', ''],
    ['sub', 'x'.repeat(257)],
    ['jti', ['a']],
    ['sub', null],
  ] as const) {
    const v = await verifyNewsroomToken(await sign({ [claim]: bad }), DEV_NEWSROOM_SECRET, 'newswire', now)
    assert.deepEqual(v, { ok: false, reason: `token claim '${claim}' is invalid` }, JSON.stringify(bad))
  }
})
