// Who is connecting: the Origin allowlist, the newsroom token (audience, scope, expiry) and the
// per-address connection count. Shared by the WebSocket upgrade and the SSE route.
import { closeCodes } from '@newswire/shared'
import type { IncomingMessage } from 'node:http'
import type { AudienceScope } from '../audience.ts'
import type { FanoutConfig } from '../config.ts'
import { verifyNewsroomToken } from '../token.ts'
import type { Audience } from '../visibility.ts'

export interface Admission {
  audience: Audience
  /** Newsroom token claims narrowing what the connection sees (audience.ts). */
  scope?: AudienceScope
  /** The token's expiry, epoch ms: the hub closes the connection then (4401). */
  expiresAt: number | null
  /** Refused: the WebSocket closes right after the upgrade with this code (browsers cannot read HTTP errors of an upgrade); SSE answers 401/403. */
  reject: { code: number; reason: string; metric: string } | null
}

export interface Access {
  /** Who is connecting: at once when there is no token to verify, else once it is verified. */
  admit(req: IncomingMessage, url: URL): Admission | Promise<Admission>
  originAllowed(origin: string | undefined): boolean
  /** The value of Access-Control-Allow-Origin for an allowed origin. */
  allowOrigin(origin: string): string
  /** Counts a connection from `ip`; false when the address has too many. */
  countIp(ip: string): boolean
  releaseIp(ip: string): void
}

function tokenOf(req: IncomingMessage, url: URL): string | null {
  const q = url.searchParams.get('token')
  if (q) return q
  const h = req.headers.authorization
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : null
}

export function createAccess(config: Pick<FanoutConfig, 'allowedOrigins' | 'jwtSecret' | 'jwtAudience' | 'maxConnectionsPerIp'>): Access {
  const anyOrigin = config.allowedOrigins.includes('*')
  const perIp = new Map<string, number>()
  const originAllowed = (origin: string | undefined) => anyOrigin || origin === undefined || config.allowedOrigins.includes(origin)
  return {
    originAllowed,
    allowOrigin: (origin) => (anyOrigin ? '*' : origin),
    admit(req, url) {
      if (!originAllowed(req.headers.origin)) {
        return { audience: 'public', expiresAt: null, reject: { code: closeCodes.policy, reason: 'origin not allowed', metric: 'origin' } }
      }
      const token = tokenOf(req, url)
      if (token === null) return { audience: 'public', expiresAt: null, reject: null }
      return verifyNewsroomToken(token, config.jwtSecret, config.jwtAudience).then((v): Admission => {
        if (!v.ok)
          return {
            audience: 'public',
            expiresAt: null,
            reject: { code: closeCodes.unauthorized, reason: v.reason, metric: 'unauthorized' },
          }
        return { audience: 'newsroom', scope: v.scope, expiresAt: v.expiresAt, reject: null }
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
