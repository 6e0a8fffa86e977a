// red23e attack run (2026-12-07): what a revocation rule names of a token (revocations.ts) is the
// text an operator writes. Property: over random `sub` and `jti` claims of any JSON type, a token
// is either refused, or admitted with a credential that the rule written from the claim's JSON
// text (`sub 123 …`, `jti 42`) revokes; never admitted under a subject or id no rule can name.
// Strings holding whitespace or `#` cannot be written in the list at all (Known limits).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import fc from 'fast-check'
import { SignJWT } from 'jose'
import { isRevoked, parseRevocations } from '../src/revocations.ts'
import { verifyNewsroomToken } from '../src/token.ts'

const claim = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.stringMatching(/^[\w.@|:-]{1,20}$/),
  fc.integer({ min: 0, max: 2 ** 40 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.maxSafeNat().map((n) => n * 4),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
)
/** How an operator writes the value in the list: its JSON text. */
const written = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v))

test('property: an admitted token is named by the rule written from its sub or jti', async () => {
  const iat = Math.floor(Date.now() / 1000) - 60
  const before = new Date((iat + 1) * 1000).toISOString()
  await fc.assert(
    fc.asyncProperty(claim, claim, async (sub, jti) => {
      const payload: Record<string, unknown> = { scope: 'newsroom' }
      if (sub !== undefined) payload.sub = sub
      if (jti !== undefined) payload.jti = jti
      const token = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256' })
        .setAudience('newswire')
        .setIssuedAt(iat)
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(DEV_NEWSROOM_SECRET))
      const v = await verifyNewsroomToken(token, DEV_NEWSROOM_SECRET, 'newswire')
      // null is refused too: a token no rule could name by it (red23d's rule, merged with this one)
      const nameable = (x: unknown) => x === undefined || typeof x === 'string' || Number.isSafeInteger(x)
      assert.equal(v.ok, nameable(sub) && nameable(jti), JSON.stringify({ sub, jti }))
      if (!v.ok) return assert.match(v.reason, /^token claim '(sub|jti)' is invalid$/)
      const credential = { sub: v.sub, issuedAt: v.issuedAt, id: v.id }
      if (sub !== undefined) assert.ok(isRevoked(parseRevocations(`sub ${written(sub)} ${before}`), credential), `sub ${written(sub)}`)
      if (jti !== undefined) assert.ok(isRevoked(parseRevocations(`jti ${written(jti)}`), credential), `jti ${written(jti)}`)
    }),
    { numRuns: 300 },
  )
})
