// Property (red24a attack run): the token the fan-out admits is the one every proxy on the way
// reads. A request carries credentials in `token` parameters (empty ones too), Authorization
// headers (Bearer, another scheme, a lower-case one) and, on an upgrade, offered
// `newswire.bearer.` subprotocols; a page or SSE request may name an `Upgrade` header without
// being one. Proxies read a repeated place by its first or its last occurrence, and a subprotocol
// only on an upgrade. tokenOf (http/access.ts) admits a token only when every such reading finds
// that token or nothing, refuses every request where two readings differ, and reads no
// subprotocol of a request that is not an upgrade.
import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { test } from 'node:test'
import fc from 'fast-check'
import { bearerProtocol, tokenOf } from '../src/http/access.ts'

const tokens = ['aaa.bbb.ccc', 'ddd.eee.fff']

interface Shape {
  params: string[]
  auths: string[]
  protocols: string[]
  /** A WebSocket upgrade (Node's `upgrade` event), or a plain request. */
  upgrade: boolean
  /** A plain request naming an `Upgrade` header anyway. */
  upgradeHeader: boolean
}

const shape: fc.Arbitrary<Shape> = fc.record({
  params: fc.array(fc.constantFrom('', ...tokens), { maxLength: 2 }),
  auths: fc.array(fc.constantFrom(...tokens.map((t) => `Bearer ${t}`), 'Basic dXNlcjpwdw==', `bearer ${tokens[1]}`), { maxLength: 2 }),
  protocols: fc.array(fc.constantFrom(...tokens), { maxLength: 2 }),
  upgrade: fc.boolean(),
  upgradeHeader: fc.boolean(),
})

/** The request Node hands over: repeated Authorization kept first in `headers`, all in `rawHeaders`. */
function requestOf(s: Shape): { req: IncomingMessage; url: URL } {
  const url = new URL('http://fanout/v1/snapshot')
  for (const p of s.params) url.searchParams.append('token', p)
  const rawHeaders: string[] = ['Host', 'fanout']
  for (const a of s.auths) rawHeaders.push('Authorization', a)
  const headers: Record<string, string> = { host: 'fanout' }
  if (s.auths[0] !== undefined) headers.authorization = s.auths[0]
  if (s.protocols.length > 0) {
    const offered = ['newswire', ...s.protocols.map((t) => `${bearerProtocol}${t}`)].join(', ')
    rawHeaders.push('Sec-WebSocket-Protocol', offered)
    headers['sec-websocket-protocol'] = offered
  }
  if (s.upgrade || s.upgradeHeader) {
    rawHeaders.push('Upgrade', 'websocket')
    headers.upgrade = 'websocket'
  }
  const req = { url: url.pathname + url.search, headers, rawHeaders, upgrade: s.upgrade } as unknown as IncomingMessage
  return { req, url }
}

/** What each proxy reading finds: first and last of each repeated place; a subprotocol on an upgrade only. */
function readings(s: Shape): string[] {
  const seen: string[] = []
  const bearer = (a: string | undefined) => (a !== undefined && /^bearer /i.test(a) ? a.slice(7) : '')
  for (const p of [s.params[0], s.params.at(-1)]) if (p) seen.push(p)
  for (const a of [s.auths[0], s.auths.at(-1)]) if (bearer(a)) seen.push(bearer(a))
  if (s.upgrade) seen.push(...s.protocols)
  return seen
}

test('tokenOf admits a token only when every proxy reading finds it, and refuses where readings differ', () => {
  fc.assert(
    fc.property(shape, (s) => {
      const { req, url } = requestOf(s)
      const got = tokenOf(req, url)
      const seen = readings(s)
      if (got !== null && 'token' in got) {
        assert.ok(
          seen.every((t) => t === got.token),
          `admitted ${got.token} where a proxy reads ${seen.join(', ')}`,
        )
        assert.ok(got.source !== 'protocol' || s.upgrade, 'a subprotocol token read on a request that is no upgrade')
        // one credential in one place: no place repeated
        assert.ok(s.params.length <= 1 && s.auths.length <= 1, 'a repeated place admitted')
      }
      if (new Set(seen).size > 1) assert.ok(got !== null && 'refuse' in got, `readings ${seen.join(', ')} not refused`)
      if (s.params.length > 1 || s.auths.length > 1) assert.ok(got !== null && 'refuse' in got, 'a repeated place not refused')
    }),
    { numRuns: 2000 },
  )
})
