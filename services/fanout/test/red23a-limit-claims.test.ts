// red23a attack run (2026-12-07), left open there: a token limit a later release adds (a claim
// this one does not know) is read by this release, in a rolling deploy or a rollback, as a token
// without that limit. `limits` names the limit claims a token carries; a name this release does
// not enforce refuses the token. Property: over random `limits` (known names, unknown ones,
// lookalikes, non-strings, absurd lengths) and random limit claims carried, a token is admitted
// iff every name is enforced here and its claim carried (red23e).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import fc from 'fast-check'
import { SignJWT } from 'jose'
import { signNewsroomToken, verifyNewsroomToken } from '../src/token.ts'

const ENFORCED = ['desks', 'languages', 'embargo']
const sign = (claims: Record<string, unknown>) =>
  new SignJWT({ scope: 'newsroom', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience('newswire')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(DEV_NEWSROOM_SECRET))

test('a token naming a limit this release does not enforce is refused, saying which; the ones it enforces pass', async () => {
  const ok = await verifyNewsroomToken(
    await signNewsroomToken(DEV_NEWSROOM_SECRET, { desks: ['sports'], limits: ['desks'] }),
    DEV_NEWSROOM_SECRET,
    'newswire',
  )
  assert.ok(ok.ok && ok.scope.categories?.[0] === 'sports')
  const later = await verifyNewsroomToken(
    await signNewsroomToken(DEV_NEWSROOM_SECRET, { desks: ['sports'], limits: ['desks', 'regions'] }),
    DEV_NEWSROOM_SECRET,
    'newswire',
  )
  assert.deepEqual(later, { ok: false, reason: "token limit 'regions' is not one this release enforces" })
  for (const limits of ['desks', [1], null, Array.from({ length: 21 }, () => 'desks')]) {
    const r = await verifyNewsroomToken(await sign({ limits }), DEV_NEWSROOM_SECRET, 'newswire')
    assert.deepEqual(r, { ok: false, reason: "token claim 'limits' must be a list of limit claim names" }, JSON.stringify(limits))
  }
  const long = await verifyNewsroomToken(await sign({ limits: ['x'.repeat(200)] }), DEV_NEWSROOM_SECRET, 'newswire')
  assert.ok(!long.ok && Buffer.byteLength(long.reason) <= 123, 'the reason fits a close frame')
})

test('property: admitted iff every named limit is enforced here and carried (red23e: a name whose claim is absent)', async () => {
  const carried = { desks: ['sports'], languages: ['en'], embargo: false }
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof(fc.constantFrom(...ENFORCED, 'regions', 'Desks', 'desk', '', 'embargo ', '__proto__'), fc.string()), {
        maxLength: 6,
      }),
      fc.subarray(ENFORCED),
      async (limits, present) => {
        const claims = Object.fromEntries(present.map((c) => [c, carried[c as keyof typeof carried]]))
        const r = await verifyNewsroomToken(await sign({ limits, ...claims }), DEV_NEWSROOM_SECRET, 'newswire')
        assert.equal(
          r.ok,
          limits.every((l) => ENFORCED.includes(l) && present.includes(l)),
          JSON.stringify({ limits, present }),
        )
        if (!r.ok) assert.ok(Buffer.byteLength(r.reason) <= 123)
        // admitted, every limit it names is applied
        if (r.ok && limits.includes('desks')) assert.deepEqual(r.scope.categories, ['sports'])
        if (r.ok && limits.includes('languages')) assert.deepEqual(r.scope.languages, ['en'])
        if (r.ok && limits.includes('embargo')) assert.equal(r.scope.embargo, false)
      },
    ),
    { numRuns: 300 },
  )
})
