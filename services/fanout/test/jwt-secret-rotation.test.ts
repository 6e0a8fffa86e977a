// NEWSROOM_JWT_SECRET_PREVIOUS: a scheduled rotation of the newsroom secret without signing every
// editor out at once. Tokens the previous secret signed verify until it is unset; a token neither
// signed is refused as before; the previous secret is held to the current one's rules (a token it
// signs is as good), and cannot be the current one or a position key.
import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { test } from 'node:test'
import { closeCodes, DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { loadFanoutConfig } from '../src/config.ts'
import { createAccess } from '../src/http/access.ts'
import { signNewsroomToken } from '../src/token.ts'

const CURRENT = 'Zx8Cv3Bn7Ml2Kj6Hg1Fd5Sa0Qw4Er9TyU'
const PREVIOUS = 'Po9Iu4Yt8Re3Wq7Az2Sx6Dc1Fv5Gb0HnJ'
const OTHER = 'Lk1Jh6Gf0Ds5Ap9Zo4Xi8Cu3Vy7Bt2NrE'
const POSITION = 'Mn5Bv0Cx4Za9Sd3Fg8Hj2Kl7Qw1Er6TyY'

const req = (token: string) =>
  ({
    headers: { authorization: `Bearer ${token}` },
    rawHeaders: ['Authorization', `Bearer ${token}`],
    socket: { remoteAddress: '127.0.0.1' },
  }) as unknown as IncomingMessage
const url = new URL('http://fanout/v1/sse?channels=all')

test('a token the previous secret signed is admitted while it is set; one neither signed is refused', async () => {
  const base = { allowedOrigins: ['*'], jwtSecret: CURRENT, jwtAudience: 'newswire', maxConnectionsPerIp: 10 }
  const rotating = createAccess({ ...base, jwtSecretPrevious: PREVIOUS })
  const after = createAccess({ ...base, jwtSecretPrevious: null })
  for (const [secret, during, afterwards] of [
    [CURRENT, true, true],
    [PREVIOUS, true, false],
    [OTHER, false, false],
  ] as const) {
    const token = await signNewsroomToken(secret, { desks: ['sports'] })
    const a = await rotating.admit(req(token), url)
    assert.equal(
      a.reject === null,
      during,
      `${secret === CURRENT ? 'current' : secret === PREVIOUS ? 'previous' : 'other'} during the rotation`,
    )
    if (during) assert.deepEqual(a.scope?.categories, ['sports'], 'its limits read as from the current secret')
    else assert.deepEqual(a.reject, { code: closeCodes.unauthorized, reason: 'token signature is invalid', metric: 'unauthorized' })
    assert.equal((await after.admit(req(token), url)).reject === null, afterwards)
  }
  // an expired token the previous secret signed is refused as expired, not tried again
  const expired = await signNewsroomToken(PREVIOUS, { ttlSeconds: -10 })
  assert.equal((await rotating.admit(req(expired), url)).reject?.reason, 'token expired')
})

test('the previous secret is held to the current one’s rules', () => {
  const prod = { NODE_ENV: 'production', NEWSROOM_JWT_SECRET: CURRENT, FANOUT_POSITION_KEY: POSITION }
  assert.equal(loadFanoutConfig(prod).jwtSecretPrevious, null)
  assert.equal(loadFanoutConfig({ ...prod, NEWSROOM_JWT_SECRET_PREVIOUS: PREVIOUS }).jwtSecretPrevious, PREVIOUS)
  for (const [previous, message] of [
    [DEV_NEWSROOM_SECRET, /NEWSROOM_JWT_SECRET_PREVIOUS must not be the development secret/],
    ['short-but-16-chars!', /NEWSROOM_JWT_SECRET_PREVIOUS .*32 characters/],
    ['short', /NEWSROOM_JWT_SECRET_PREVIOUS must be at least 16 characters/],
    [CURRENT, /NEWSROOM_JWT_SECRET_PREVIOUS is NEWSROOM_JWT_SECRET/],
    [POSITION, /NEWSROOM_JWT_SECRET_PREVIOUS must not be a FANOUT_POSITION_KEY/],
  ] as const)
    assert.throws(() => loadFanoutConfig({ ...prod, NEWSROOM_JWT_SECRET_PREVIOUS: previous }), message, previous)
  // the development secret beyond the loopback, as the current one
  assert.throws(
    () =>
      loadFanoutConfig({
        FANOUT_HOST: '0.0.0.0',
        NEWSROOM_JWT_SECRET: CURRENT,
        NEWSROOM_JWT_SECRET_PREVIOUS: DEV_NEWSROOM_SECRET,
        FANOUT_POSITION_KEY: POSITION,
      }),
    /NEWSROOM_JWT_SECRET_PREVIOUS/,
  )
})
