import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ScopeClaimError, scopeAllows, scopeFromClaims, unrestricted } from '../src/audience.ts'
import { SignJWT } from 'jose'
import { signNewsroomToken, verifyNewsroomToken } from '../src/token.ts'
import type { IncomingMessage } from 'node:http'
import { createAccess } from '../src/http/access.ts'

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

test('a token is expired from its exp to the millisecond, a fractional exp included (jose checks whole seconds; red10)', async () => {
  const exp = 1_800_000_000.25
  const token = await new SignJWT({ scope: 'newsroom' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience('newswire')
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret))
  const at = (ms: number) => verifyNewsroomToken(token, secret, 'newswire', ms)
  const before = await at(exp * 1000 - 1)
  assert.ok(before.ok)
  assert.equal(before.expiresAt, exp * 1000)
  for (const ms of [exp * 1000, exp * 1000 + 1, exp * 1000 + 700, exp * 1000 + 5000])
    assert.deepEqual(await at(ms), { ok: false, reason: 'token expired' }, `${ms - exp * 1000} ms after exp`)
})

test('a scope of several languages allows each of them, and only them', () => {
  const s = scopeFromClaims({ languages: ['bn', 'en'] })
  assert.equal(scopeAllows(s, { category: 'sports', language: 'en-GB' }), true)
  assert.equal(scopeAllows(s, { category: 'sports', language: 'bn' }), true)
  assert.equal(scopeAllows(s, { category: 'sports', language: 'fr' }), false)
})

test('scope claims: at most 100 desks or languages', () => {
  const desks = (n: number) => Array.from({ length: n }, (_, i) => `desk-${i}`)
  assert.equal(scopeFromClaims({ desks: desks(100) }).categories?.length, 100)
  assert.throws(() => scopeFromClaims({ desks: desks(101) }), ScopeClaimError)
})

test('a null desks, languages or embargo claim is refused, where it restricted nothing (red22c: an issuer\u2019s empty field)', () => {
  for (const claims of [{ desks: null }, { languages: null }, { embargo: null }, { desks: null, languages: ['bn'] }]) {
    assert.throws(() => scopeFromClaims(claims), ScopeClaimError, JSON.stringify(claims))
  }
  assert.deepEqual(scopeFromClaims({ languages: ['bn'] }), { categories: null, languages: ['bn'], embargo: true })
})

test('a connection admitted with a restricted token carries its scope, on the WebSocket and SSE alike (http/access.ts)', async () => {
  // the hub tests connect with a scope directly; dropped at admission, every unit test passed and the
  // token saw every desk and embargo (mutation sweep, 2026-12-05)
  const access = createAccess({ allowedOrigins: ['*'], jwtSecret: secret, jwtAudience: 'newswire', maxConnectionsPerIp: 10 })
  const token = await signNewsroomToken(secret, { desks: ['sports'], languages: ['bn'], embargo: false })
  const req = (authorization?: string) =>
    ({
      headers: authorization ? { authorization } : {},
      rawHeaders: authorization ? ['Authorization', authorization] : [],
      socket: { remoteAddress: '127.0.0.1' },
    }) as unknown as IncomingMessage
  for (const [r, url] of [
    [req(), new URL(`http://fanout/v1/stream?token=${encodeURIComponent(token)}`)],
    [req(`Bearer ${token}`), new URL('http://fanout/v1/sse?channels=all')],
  ] as const) {
    const a = await access.admit(r, url)
    assert.equal(a.reject, null)
    assert.equal(a.audience, 'newsroom')
    assert.deepEqual(a.scope, { categories: ['sports'], languages: ['bn'], embargo: false })
  }
})
