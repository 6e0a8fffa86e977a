// Who is connecting: the Origin allowlist, the newsroom token (audience, scope, expiry) and the
// per-address connection count. Shared by the WebSocket upgrade, the SSE route and the pages. The
// token is read in one place (tokenOf), wherever it travels.
import { closeCodes } from '@newswire/shared'
import type { IncomingMessage } from 'node:http'
import type { AudienceScope } from '../audience.ts'
import type { FanoutConfig } from '../config.ts'
import type { AddressOf } from './client-address.ts'
import { clientAddress } from './client-address.ts'
import type { Credential, Revocations } from '../revocations.ts'
import { isRevoked, NO_REVOCATIONS } from '../revocations.ts'
import { verifyNewsroomToken } from '../token.ts'
import type { Audience } from '../visibility.ts'

export interface Admission {
  audience: Audience
  /** Newsroom token claims narrowing what the connection sees (audience.ts). */
  scope?: AudienceScope
  /** The token's expiry, epoch ms: the hub closes the connection then (4401). */
  expiresAt: number | null
  /** What a revocation may name of the token: the hub closes the connection when one does (4401). */
  credential?: Credential
  /**
   * Refused: the WebSocket closes right after the upgrade with this code (browsers cannot read HTTP
   * errors of an upgrade); SSE and the pages answer the problem for `metric` (problem.ts): 401 a bad
   * token or one in the URL refused, 403 an origin, 400 two tokens.
   */
  reject: { code: number; reason: string; metric: string } | null
}

export interface Access {
  /** Who is connecting: at once when there is no token to verify, else once it is verified. */
  admit(req: IncomingMessage, url: URL): Admission | Promise<Admission>
  originAllowed(origin: string | undefined): boolean
  /** The value of Access-Control-Allow-Origin for an allowed origin. */
  allowOrigin(origin: string): string
  /** The reader's address the per-address limit counts (client-address.ts). */
  addressOf: AddressOf
  /** Counts a connection from `ip`; false when the address has too many. */
  countIp(ip: string): boolean
  releaseIp(ip: string): void
}

/** FANOUT_TOKEN_IN_URL=refuse: what a request with `?token=` is told (closed with 1008, or a 401). */
const urlRefused = 'a token in the URL is refused here: send it in Authorization: Bearer, or as the newswire.bearer subprotocol'

/** The subprotocol the stream speaks, the one the server answers with. */
export const streamProtocol = 'newswire'
/** An offered `newswire.bearer.<token>` subprotocol carries a newsroom token (never answered with). */
export const bearerProtocol = `${streamProtocol}.bearer.`

/** Where a request's token was: `?token=` (logged by proxies and CDNs), Authorization, or a subprotocol. */
export type TokenSource = 'url' | 'header' | 'protocol'

/** Who asks: a WebSocket upgrade, /v1/sse, or a page (snapshot, counts, entries). */
export type Transport = 'websocket' | 'sse' | 'http'

export const transportOf = (req: IncomingMessage, url: URL): Transport =>
  isUpgrade(req) ? 'websocket' : url.pathname === '/v1/sse' ? 'sse' : 'http'

/**
 * A WebSocket upgrade: the request the server's `upgrade` event handed over (Node sets `upgrade`
 * then), not any request naming an `Upgrade` header, which a plain GET may carry too (red24a).
 */
// (Node's own field, which its typings leave out)
const isUpgrade = (req: IncomingMessage): boolean => (req as IncomingMessage & { upgrade?: boolean }).upgrade === true

/**
 * Every Authorization header as sent: Node keeps the first of two and drops the other without a
 * word, where a proxy may check or log the last (red24a).
 */
function authorizationHeaders(req: IncomingMessage): string[] {
  const values: string[] = []
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    if (req.rawHeaders[i]?.toLowerCase() === 'authorization') values.push(req.rawHeaders[i + 1] ?? '')
  return values
}

/**
 * The one place a request's newsroom token is read: `?token=` (older SDKs, an EventSource),
 * `Authorization: Bearer` (the SDK's fetch and pages) or, on a WebSocket upgrade (a browser cannot
 * set its headers), an offered `newswire.bearer.<token>` subprotocol. More than one token, in one
 * place or several, is refused rather than one of them taken: a request has one credential, and
 * picking one would let whatever a proxy checks or logs differ from what is admitted.
 */
export function tokenOf(req: IncomingMessage, url: URL): { token: string; source: TokenSource } | { refuse: string } | null {
  const found: { token: string; source: TokenSource }[] = []
  // an empty `?token=` is no token, as it always was; but beside another it is a second one: a
  // proxy reading the first `token` (nginx's $arg_token) saw none where one was admitted (red24a)
  const inUrl = url.searchParams.getAll('token')
  if (inUrl.length > 1) return { refuse: 'more than one token (url): send one' }
  if (inUrl[0]) found.push({ token: inUrl[0], source: 'url' })
  const headers = authorizationHeaders(req)
  // two Authorization headers are two credentials, whatever each holds
  if (headers.length > 1) return { refuse: 'more than one token (Authorization headers): send one' }
  const h = headers[0]
  // the scheme is case-insensitive (RFC 9110 11.1): a `bearer` one ignored beside `?token=` let a
  // proxy read one token and the fan-out admit another (red24a)
  if (h !== undefined && /^bearer /i.test(h)) found.push({ token: h.slice(7).trim(), source: 'header' })
  // a subprotocol names a credential only where subprotocols are offered: on a page or SSE request
  // it was a token in a header no edge takes for one (red24a)
  const offered = req.headers['sec-websocket-protocol']
  if (offered !== undefined && isUpgrade(req)) {
    for (const p of offered.split(',')) {
      const name = p.trim()
      if (name.startsWith(bearerProtocol)) found.push({ token: name.slice(bearerProtocol.length), source: 'protocol' })
    }
  }
  // each place named once: a close reason holds 123 bytes at most
  if (found.length > 1) return { refuse: `more than one token (${[...new Set(found.map((f) => f.source))].join(', ')}): send one` }
  return found[0] ?? null
}

/**
 * Answered instead of `newswire` to a client that offers it, when the URL names a subscription:
 * the server took it, so the client sends no `subscribe`. A server older than this answers
 * `newswire` (or, with no choice of its own, the first offered: the SDK offers `newswire` first)
 * and the client sends the message.
 */
export const urlSubscriptionProtocol = `${streamProtocol}.url-subscription`

/** What an upgrade answers to the subprotocols offered, never a token's. */
export function selectProtocol(offered: Set<string>, urlSubscription: boolean): string | false {
  if (urlSubscription && offered.has(urlSubscriptionProtocol)) return urlSubscriptionProtocol
  return offered.has(streamProtocol) ? streamProtocol : false
}

/** Counts a token seen in a URL, by transport (the metric operators watch before refusing them). */
export type TokenInUrlCounter = (transport: Transport) => void

export function createAccess(
  config: Pick<FanoutConfig, 'allowedOrigins' | 'jwtSecret' | 'jwtAudience' | 'maxConnectionsPerIp'> &
    Partial<Pick<FanoutConfig, 'tokenInUrl' | 'jwtSecretPrevious' | 'trustedProxies'>>,
  tokenInUrl: TokenInUrlCounter = () => {},
  /** The revocations in force (revocations.ts), read at each admission. */
  revocations: () => Revocations = () => NO_REVOCATIONS,
): Access {
  const refused = (code: number, reason: string, metric: string): Admission => ({
    audience: 'public',
    expiresAt: null,
    reject: { code, reason, metric },
  })
  // a scheduled rotation: tokens the previous secret signed verify until it is unset (only a bad signature tries it)
  const verifyEither = async (token: string) => {
    const v = await verifyNewsroomToken(token, config.jwtSecret, config.jwtAudience)
    const previous = config.jwtSecretPrevious
    if (v.ok || !previous || v.reason !== 'token signature is invalid') return v
    return verifyNewsroomToken(token, previous, config.jwtAudience)
  }
  const anyOrigin = config.allowedOrigins.includes('*')
  const perIp = new Map<string, number>()
  const originAllowed = (origin: string | undefined) => anyOrigin || origin === undefined || config.allowedOrigins.includes(origin)
  return {
    addressOf: clientAddress(config.trustedProxies ?? []),
    originAllowed,
    allowOrigin: (origin) => (anyOrigin ? '*' : origin),
    admit(req, url) {
      if (!originAllowed(req.headers.origin)) {
        return { audience: 'public', expiresAt: null, reject: { code: closeCodes.policy, reason: 'origin not allowed', metric: 'origin' } }
      }
      const found = tokenOf(req, url)
      if (found === null) return { audience: 'public', expiresAt: null, reject: null }
      if ('refuse' in found) return refused(closeCodes.badMessage, found.refuse, 'two_tokens')
      if (found.source === 'url') {
        tokenInUrl(transportOf(req, url))
        if (config.tokenInUrl === 'refuse') return refused(closeCodes.policy, urlRefused, 'token_in_url')
      }
      return verifyEither(found.token).then((v): Admission => {
        if (!v.ok)
          return {
            audience: 'public',
            expiresAt: null,
            reject: { code: closeCodes.unauthorized, reason: v.reason, metric: 'unauthorized' },
          }
        const credential = { sub: v.sub, issuedAt: v.issuedAt, id: v.id }
        if (isRevoked(revocations(), credential))
          return {
            audience: 'public',
            expiresAt: null,
            reject: { code: closeCodes.unauthorized, reason: 'token revoked', metric: 'revoked' },
          }
        return { audience: 'newsroom', scope: v.scope, expiresAt: v.expiresAt, credential, reject: null }
      })
    },
    countIp(ip) {
      const n = (perIp.get(ip) ?? 0) + 1
      if (n > config.maxConnectionsPerIp) return false
      perIp.set(ip, n)
      return true
    },
    releaseIp(ip) {
      const n = (perIp.get(ip) ?? 1) - 1
      if (n <= 0) perIp.delete(ip)
      else perIp.set(ip, n)
    },
  }
}
