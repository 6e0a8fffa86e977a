import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ScopeClaimError, scopeAllows, scopeFromClaims, unrestricted } from '../src/audience.ts'
import { signNewsroomToken, verifyNewsroomToken } from '../src/token.ts'

const secret = 'a-test-secret-of-some-length'

test('token claims desks, languages and embargo become the connection scope', () => {
  assert.equal(scopeFromClaims({ scope: 'newsroom' }), unrestricted)
  const s = scopeFromClaims({ desks: ['International', 'sports'], languages: ['bn'], embargo: false })
  assert.deepEqual(s, { categories: ['international', 'sports'], languages: ['bn'], embargo: false })
  assert.equal(scopeAllows(s, { category: 'international', language: 'bn-BD' }), true)
  assert.equal(scopeAllows(s, { category: 'national', language: 'bn' }), false)
  assert.equal(scopeAllows(s, { category: 'sports', language: 'en' }), false)
  assert.equal(scopeAllows(s, { category: null, language: 'bn' }), false)
  assert.throws(() => scopeFromClaims({ desks: 'international' }), ScopeClaimError)
  assert.throws(() => scopeFromClaims({ languages: ['not a tag'] }), ScopeClaimError)
  assert.throws(() => scopeFromClaims({ embargo: 'no' }), ScopeClaimError)
})

test('verifyNewsroomToken returns the scope, and refuses malformed scope claims', async () => {
  const ok = await verifyNewsroomToken(await signNewsroomToken(secret, { desks: ['international'], embargo: false }), secret, 'newswire')
  assert.ok(ok.ok)
  assert.deepEqual(ok.scope, { categories: ['international'], languages: null, embargo: false })
  const plain = await verifyNewsroomToken(await signNewsroomToken(secret), secret, 'newswire')
  assert.ok(plain.ok)
  assert.equal(plain.scope, unrestricted)
  const bad = await verifyNewsroomToken(await signNewsroomToken(secret, { desks: ['Not A Slug!'] }), secret, 'newswire')
  assert.deepEqual(bad, { ok: false, reason: "token claim 'desks' is invalid" })
})
