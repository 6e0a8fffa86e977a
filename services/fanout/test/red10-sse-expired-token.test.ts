// red10 attack run: a newsroom token's `exp` is a JWT NumericDate, which may be fractional
// (RFC 7519 §2: "a JSON numeric value ... non-integer values can be represented"). jose compares
// it with the current time in whole seconds (`exp <= floor(now)`), so a token whose exp lies in the
// last second is still accepted, while the fan-out takes `exp * 1000` as the instant the
// connection must end. A token that expired up to ~1 s ago is admitted with an expiry in the past:
// on SSE the subscription is handled in the same turn as the connection is added, so its newsroom
// snapshot (embargoed content) is queued, and the expiry timer's closeAfterFlush writes it before
// closing. "Nothing reaches a connection after its token expired" did not hold. Fixed: exp is
// checked to the millisecond (token.ts), and a connection opened past it is closed at once (connections.ts).
import assert from 'node:assert/strict'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { test } from 'node:test'
import { createLogger } from '@newswire/shared'
import { SignJWT } from 'jose'
import { createAccess } from '../src/http/access.ts'
import { handleSse } from '../src/http/sse.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'

const SECRET = 'red10-newsroom-secret'

/** A token exactly as a newsroom IdP may mint it, with a fractional `exp` already passed. */
async function tokenJustExpired(): Promise<{ token: string; exp: number }> {
  // within a second whose first 50 ms have passed: exp is 50 ms into this very second
  while (Date.now() % 1000 < 200 || Date.now() % 1000 > 800) await new Promise((r) => setTimeout(r, 20))
  const exp = Math.floor(Date.now() / 1000) + 0.05
  return new SignJWT({ scope: 'newsroom' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('editor')
    .setAudience('newswire')
    .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(SECRET))
    .then((token) => ({ token, exp }))
}

/** What an SSE response was sent, as node:http would send it. */
function fakeResponse() {
  const chunks: string[] = []
  const listeners = new Map<string, (() => void)[]>()
  let status = 0
  const res = {
    writableLength: 0,
    writableEnded: false,
    socket: { setNoDelay() {} },
    writeHead(s: number) {
      status = s
      return res
    },
    write(b: string | Buffer) {
      chunks.push(b.toString())
      return true
    },
    end(b?: string | Buffer) {
      if (b !== undefined) chunks.push(b.toString())
      res.writableEnded = true
      for (const fn of listeners.get('close') ?? []) fn()
    },
    destroy() {},
    on(name: string, fn: () => void) {
      listeners.set(name, [...(listeners.get(name) ?? []), fn])
      return res
    },
    setHeader() {},
  }
  return { res: res as unknown as ServerResponse, body: () => chunks.join(''), status: () => status }
}

test('an SSE stream opened with a newsroom token that has already expired gets no newsroom snapshot', async () => {
  // the fan-out's clock is the host's, as in production
  const h = new Harness({ partitions: 1, start: Date.now() })
  // an embargoed draft only the newsroom may see
  h.append(
    event('CREATED', { id: 'budget-leak', version: 1, embargoedUntil: Date.now() + 3_600_000, headline: 'EMBARGOED BUDGET' }, Date.now()),
  )
  h.start()
  await h.settle()

  const { token, exp } = await tokenJustExpired()
  assert.ok(exp * 1000 < Date.now(), 'the token has expired')
  const url = new URL(`http://fanout/v1/sse?channels=all&token=${encodeURIComponent(token)}`)
  const req = { headers: {}, rawHeaders: [], socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage
  const access = createAccess({ allowedOrigins: ['*'], jwtSecret: SECRET, jwtAudience: 'newswire', maxConnectionsPerIp: 10 })
  const admission = await access.admit(req, url)
  const { res, body } = fakeResponse()
  if (admission.reject === null) {
    handleSse(req, res, url, admission, { hub: h.hub, log: createLogger('test', 'silent'), heartbeatMs: 15_000, track: () => () => {} })
  }
  // the hub's loop and the expiry timer run
  await h.tick(10)
  await h.settle()
  h.hub.stop()

  const sent = body()
  assert.ok(
    admission.reject !== null || !sent.includes('EMBARGOED BUDGET'),
    `a token whose exp passed ${Date.now() - exp * 1000} ms ago was admitted (expiresAt ${admission.expiresAt} < now ${Date.now()}) and its stream carried the embargoed draft:\n${sent.slice(0, 600)}`,
  )
})

// Mutation sweep, fourth batch (se2): the SSE route handing the hub no expiry (an open stream
// outliving its token) survived every fan-out unit file: the case above is now refused at
// admission (token.ts), before the route, and no other unit test opened a newsroom SSE stream.
test('a newsroom SSE stream ends with 4401 when its token expires, and carries nothing after', async () => {
  const h = new Harness({ partitions: 1 })
  h.start()
  await h.settle()
  const url = new URL('http://fanout/v1/sse?channels=all')
  const req = { headers: {}, rawHeaders: [], socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage
  const admission = { audience: 'newsroom' as const, expiresAt: h.clock.now() + 1000, reject: null }
  const { res, body } = fakeResponse()
  handleSse(req, res, url, admission, { hub: h.hub, log: createLogger('test', 'silent'), heartbeatMs: 15_000, track: () => () => {} })
  await h.settle()
  await h.tick(1500)
  h.append(event('CREATED', { id: 'after-expiry', version: 1, embargoedUntil: h.clock.now() + 3_600_000 }, h.clock.now()))
  await h.settle()
  h.hub.stop()
  const sent = body()
  assert.match(sent, /"code":4401/, `no close at the token's expiry:\n${sent.slice(-400)}`)
  assert.ok(!sent.includes('after-expiry'), 'nothing after the expiry')
})

// Mutation sweep, fourth batch (se1): the SSE route not checking the view against the audience
// survived every fan-out unit file (the check itself, protocol.ts checkAccess, is tested; its use
// here only by Kafka tests).
test("a public SSE stream may not ask for the newsroom's channel `all` or states beyond live", async () => {
  const h = new Harness({ partitions: 1 })
  h.start()
  const statusOf = (query: string) => {
    const url = new URL(`http://fanout/v1/sse?${query}`)
    const req = { headers: {}, rawHeaders: [], socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage
    const { res, status } = fakeResponse()
    handleSse(
      req,
      res,
      url,
      { audience: 'public', expiresAt: null, reject: null },
      {
        hub: h.hub,
        log: createLogger('test', 'silent'),
        heartbeatMs: 15_000,
        track: () => () => {},
      },
    )
    return status()
  }
  const got = {
    all: statusOf('channels=all'),
    withheld: statusOf('channels=breaking&states=withheld'),
    live: statusOf('channels=breaking&states=live'),
  }
  h.hub.stop()
  assert.deepEqual(got, { all: 403, withheld: 400, live: 200 })
})
