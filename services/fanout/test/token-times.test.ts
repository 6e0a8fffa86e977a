// A newsroom token's times, taken as absurd when they are: jose checks `iat` only when a maximum
// token age is asked for, so a token issued an hour (or a year) in the future was admitted, on the
// WebSocket, SSE and the pages alike (they share access.ts). And `exp` written as 1e400, which
// JSON.parse reads as Infinity, made a token that never expires. Both are refused now as bad
// tokens are (4401 / HTTP 401) with their own reason; `nbf` keeps being honoured.
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { test } from 'node:test'
import { closeCodes } from '@newswire/shared'
import { createAccess } from '../src/http/access.ts'
import { IAT_LEEWAY_MS, verifyNewsroomToken } from '../src/token.ts'

const SECRET = 'token-times-secret-0001'
/** A second on the clock the tests verify at (epoch s). */
const T = 1_796_000_000

/** An HS256 token with exactly these claims, as written (numbers jose would not sign, too). */
function mint(claims: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64url')
  const signed = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(claims)}`
  return `${signed}.${createHmac('sha256', SECRET).update(signed).digest('base64url')}`
}
const token = (times: string) => mint(`{"scope":"newsroom","aud":"newswire","sub":"ed",${times}}`)
const verify = (t: string, nowMs: number) => verifyNewsroomToken(t, SECRET, 'newswire', nowMs)

test('a token issued further in the future than IAT_LEEWAY_MS is refused, to the millisecond; one issued now, before, or by a clock a little ahead is taken', async () => {
  assert.equal(IAT_LEEWAY_MS, 60_000)
  const future = { ok: false, reason: "token claim 'iat' is in the future" }
  assert.deepEqual(await verify(token(`"exp":${T + 600},"iat":${T + 3600}`), T * 1000), future, 'an hour ahead')
  assert.deepEqual(await verify(token(`"exp":${T + 600},"iat":${T + 60}.001`), T * 1000), future, 'a minute and 1 ms ahead')
  assert.deepEqual(await verify(token(`"exp":${T + 600},"iat":${T + 61}`), T * 1000 + 999), future, 'a minute and 1 ms ahead, by the clock')
  assert.equal((await verify(token(`"exp":${T + 600},"iat":${T + 60}`), T * 1000)).ok, true, 'a minute ahead: the issuer ahead of us')
  assert.equal((await verify(token(`"exp":${T + 600},"iat":${T + 1}`), T * 1000 + 1)).ok, true, 'the next second')
  assert.equal((await verify(token(`"exp":${T + 600},"iat":${T}.5`), T * 1000 + 500)).ok, true, 'issued this very millisecond')
  assert.equal((await verify(token(`"exp":${T + 600},"iat":${T}`), T * 1000)).ok, true, 'issued this second')
  assert.equal((await verify(token(`"exp":${T + 600},"iat":${T - 86_400}`), T * 1000)).ok, true, 'issued yesterday')
  assert.equal((await verify(token(`"exp":${T + 600}`), T * 1000)).ok, true, 'no iat: taken as before')
})

test('nbf is honoured: a token is refused before it, taken from it on', async () => {
  const t = token(`"exp":${T + 600},"iat":${T - 10},"nbf":${T + 60}`)
  assert.deepEqual(await verify(t, T * 1000), { ok: false, reason: "token claim 'nbf' is invalid" })
  assert.equal((await verify(t, (T + 60) * 1000)).ok, true)
})

test('times JSON.parse reads as infinite are refused: a token that never expires, or issued at no time', async () => {
  for (const [times, claim] of [
    ['"exp":1e400', 'exp'],
    // finite in seconds, infinite in the milliseconds the hub counts in
    ['"exp":1.7e308', 'exp'],
    [`"exp":${T + 600},"iat":1e400`, 'iat'],
    [`"exp":${T + 600},"iat":-1e400`, 'iat'],
    [`"exp":${T + 600},"nbf":-1e400`, 'nbf'],
  ] as const) {
    assert.deepEqual(await verify(token(times), T * 1000), { ok: false, reason: `token claim '${claim}' is invalid` }, times)
  }
})

test('every route refuses a token issued in the future as a bad token: close 4401 on the WebSocket, 401 over HTTP', async () => {
  const access = createAccess({ allowedOrigins: ['*'], jwtSecret: SECRET, jwtAudience: 'newswire', maxConnectionsPerIp: 10 })
  const now = Math.floor(Date.now() / 1000)
  const t = token(`"exp":${now + 600},"iat":${now + 3600}`)
  const req = (authorization?: string) =>
    ({
      headers: authorization ? { authorization } : {},
      rawHeaders: authorization ? ['Authorization', authorization] : [],
      socket: { remoteAddress: '127.0.0.1' },
    }) as unknown as IncomingMessage
  for (const [r, url] of [
    [req(), `http://fanout/v1/stream?token=${t}`],
    [req(), `http://fanout/v1/sse?channels=all&token=${t}`],
    [req(`Bearer ${t}`), 'http://fanout/v1/articles?channels=all'],
  ] as const) {
    const admission = await access.admit(r, new URL(url))
    assert.deepEqual(
      admission.reject,
      { code: closeCodes.unauthorized, reason: "token claim 'iat' is in the future", metric: 'unauthorized' },
      url,
    )
    assert.equal(admission.audience, 'public')
  }
})
