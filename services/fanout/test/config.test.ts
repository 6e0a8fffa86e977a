import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { DEV_POSITION_KEY, loadFanoutConfig } from '../src/config.ts'
import { decodeJwt, SignJWT } from 'jose'
import { hasNewsroomScope, signNewsroomToken, verifyNewsroomToken } from '../src/token.ts'

test('defaults', () => {
  const c = loadFanoutConfig({})
  assert.equal(c.host, '127.0.0.1')
  assert.equal(c.port, 8082)
  assert.equal(c.jwtSecret, DEV_NEWSROOM_SECRET)
  assert.equal(c.jwtAudience, 'newswire')
  assert.deepEqual(c.allowedOrigins, ['*'])
  assert.equal(c.maxConnectionsPerIp, 10_000)
  assert.equal(c.maxSubscriptionsPerConnection, 20)
  assert.equal(c.maxMessageBytes, 16 * 1024)
  assert.equal(c.historySize, 50_000)
  assert.equal(c.maxBufferedBytes, 1024 * 1024)
  assert.equal(c.maxPending, 1000)
  assert.equal(c.slowClientMs, 10_000)
  assert.equal(c.permessageDeflate, false)
  assert.equal(c.batchDeflate, true, 'compressed batches: only for clients that ask')
  assert.equal(c.batchDeflateLevel, 1)
})

test('compressed batches: FANOUT_BATCH_DEFLATE and its level, checked at start-up', () => {
  const c = loadFanoutConfig({ FANOUT_BATCH_DEFLATE: 'false', FANOUT_BATCH_DEFLATE_LEVEL: '0' })
  assert.equal(c.batchDeflate, false)
  assert.equal(c.batchDeflateLevel, 0)
  assert.equal(loadFanoutConfig({ FANOUT_BATCH_DEFLATE_LEVEL: '9' }).batchDeflateLevel, 9)
  assert.throws(
    () => loadFanoutConfig({ FANOUT_BATCH_DEFLATE: 'maybe', FANOUT_BATCH_DEFLATE_LEVEL: '10' }),
    (err: Error) => /FANOUT_BATCH_DEFLATE\b/.test(err.message) && /FANOUT_BATCH_DEFLATE_LEVEL/.test(err.message),
  )
})

test('production refuses the development secret; problems are reported together', () => {
  assert.throws(() => loadFanoutConfig({ NODE_ENV: 'production' }), /refuses the development newsroom secret/)
  const prod = { NODE_ENV: 'production', NEWSROOM_JWT_SECRET: 'a-real-secret-of-32-characters!!' }
  // the development key is refused as such, not only for its length
  assert.throws(() => loadFanoutConfig(prod), /NODE_ENV=production needs FANOUT_POSITION_KEY/, 'positions need a real key in production')
  assert.throws(() => loadFanoutConfig({ ...prod, FANOUT_POSITION_KEY: 'too-short-for-production' }), /32 characters/)
  const key = 'Pq3Rs8Tu2Vw7Xy1Za6Bc4De9Fg0Hi5JkL'
  const previous = 'Qw8Er3Ty7Ui2Op6As1Df5Gh0Jk4Lz9XcV'
  // the previous key still verifies positions and opens cursors: it is held to the same rules
  assert.throws(
    () => loadFanoutConfig({ ...prod, FANOUT_POSITION_KEY: key, FANOUT_POSITION_KEY_PREVIOUS: DEV_POSITION_KEY }),
    /FANOUT_POSITION_KEY_PREVIOUS must not be the development key/,
  )
  assert.throws(
    () => loadFanoutConfig({ ...prod, FANOUT_POSITION_KEY: key, FANOUT_POSITION_KEY_PREVIOUS: 'q'.repeat(20) }),
    /FANOUT_POSITION_KEY_PREVIOUS must be at least 32 characters in production/,
  )
  assert.deepEqual(loadFanoutConfig({ ...prod, FANOUT_POSITION_KEY: key }).positionKeys, [key])
  // rotation: the new key signs, the previous one still verifies
  assert.deepEqual(loadFanoutConfig({ ...prod, FANOUT_POSITION_KEY: key, FANOUT_POSITION_KEY_PREVIOUS: previous }).positionKeys, [
    key,
    previous,
  ])
  assert.throws(
    () => loadFanoutConfig({ FANOUT_PORT: 'x', FANOUT_ALLOWED_ORIGINS: 'news.example', FANOUT_PERMESSAGE_DEFLATE: 'maybe' }),
    (err: Error) =>
      /FANOUT_PORT/.test(err.message) && /FANOUT_ALLOWED_ORIGINS/.test(err.message) && /FANOUT_PERMESSAGE_DEFLATE/.test(err.message),
  )
})

test('newsroom tokens', async () => {
  const ok = await verifyNewsroomToken(await signNewsroomToken('s'.repeat(20), { sub: 'ed' }), 's'.repeat(20), 'newswire')
  assert.equal(ok.ok, true)
  assert.equal(ok.ok && ok.sub, 'ed')
  assert.deepEqual(await verifyNewsroomToken(await signNewsroomToken('s'.repeat(20), { ttlSeconds: -5 }), 's'.repeat(20), 'newswire'), {
    ok: false,
    reason: 'token expired',
  })
  assert.equal((await verifyNewsroomToken('a.b.c', 's'.repeat(20), 'newswire')).ok, false)
  assert.equal(hasNewsroomScope('read newsroom'), true)
  assert.equal(hasNewsroomScope(['newsroom']), true)
  assert.equal(hasNewsroomScope('newsroomish'), false)
  assert.equal(hasNewsroomScope(undefined), false)
})

test('verifyNewsroomToken accepts only an HS256 newsroom token for this audience, with an expiry, and says when it expires', async () => {
  const secret = 's'.repeat(20)
  const key = new TextEncoder().encode(secret)
  const verify = (token: string) => verifyNewsroomToken(token, secret, 'newswire')
  const lacks = { ok: false, reason: 'token lacks the newsroom scope' }
  assert.deepEqual(await verify(await signNewsroomToken(secret, { scope: 'read' })), lacks)
  assert.deepEqual(await verify(await signNewsroomToken(secret, { scope: ['read', 'newsroomish'] })), lacks)
  assert.deepEqual(await verify(await signNewsroomToken(secret, { audience: 'another-service' })), {
    ok: false,
    reason: "token claim 'aud' is invalid",
  })
  const noExpiry = await new SignJWT({ scope: 'newsroom' }).setProtectedHeader({ alg: 'HS256' }).setAudience('newswire').sign(key)
  assert.deepEqual(await verify(noExpiry), { ok: false, reason: "token claim 'exp' is invalid" })
  const hs512 = await new SignJWT({ scope: 'newsroom' })
    .setProtectedHeader({ alg: 'HS512' })
    .setAudience('newswire')
    .setExpirationTime('1h')
    .sign(key)
  assert.equal((await verify(hs512)).ok, false, 'HS256 only')
  const token = await signNewsroomToken(secret, { ttlSeconds: 600 })
  const ok = await verify(token)
  assert.ok(ok.ok)
  assert.equal(ok.expiresAt, (decodeJwt(token).exp as number) * 1000)
})
