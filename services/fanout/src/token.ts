// Newsroom tokens: HS256 JWTs with `exp`, audience and a `scope` claim containing `newsroom`.
import { errors, jwtVerify, SignJWT } from 'jose'
import type { AudienceScope } from './audience.ts'
import { ScopeClaimError, scopeFromClaims } from './audience.ts'
import { NameClaimError, nameClaim } from './token-names.ts'

export interface SignOptions {
  ttlSeconds?: number
  audience?: string
  /** Space-separated string or list; must contain `newsroom` to be accepted. */
  scope?: string | string[]
  sub?: string
  /** Audience claims (audience.ts): category slugs the token may see. */
  desks?: string[]
  /** Audience claims: language tags the token may see. */
  languages?: string[]
  /** Audience claims: false hides embargoed content until its embargo passes. */
  embargo?: boolean
  /** `iat`, epoch seconds (default now). */
  issuedAt?: number
  /** `jti`, the token's id (revocations.ts names tokens by it). */
  jti?: string
  /** `limits`: the limit claims it carries, named (audience.ts). */
  limits?: string[]
}

const key = (secret: string) => new TextEncoder().encode(secret)

/** Mints a newsroom token (dev launcher, tests, tools). */
export async function signNewsroomToken(secret: string, options: SignOptions = {}): Promise<string> {
  const { ttlSeconds = 3600, audience = 'newswire', scope = 'newsroom', sub = 'dev', desks, languages, embargo, jti, limits } = options
  const jwt = new SignJWT({
    ...(limits === undefined ? {} : { limits }),
    scope,
    ...(desks === undefined ? {} : { desks }),
    ...(languages === undefined ? {} : { languages }),
    ...(embargo === undefined ? {} : { embargo }),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setAudience(audience)
    .setIssuedAt(options.issuedAt)
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
  return (jti === undefined ? jwt : jwt.setJti(jti)).sign(key(secret))
}

export type TokenResult =
  | { ok: true; sub: string | null; expiresAt: number; scope: AudienceScope; issuedAt: number | null; id: string | null }
  | { ok: false; reason: string }

export function hasNewsroomScope(scope: unknown): boolean {
  if (typeof scope === 'string') return scope.split(/\s+/).includes('newsroom')
  if (Array.isArray(scope)) return scope.includes('newsroom')
  return false
}

/** How far ahead of this host's clock a token's `iat` may be: the issuer's clock ahead of ours, as ingest's may be (visibility.ts INGEST_LEAD_MS). */
export const IAT_LEEWAY_MS = 60_000

/**
 * Never throws: bad, expired or under-scoped tokens come back with a reason fit for a close frame
 * (≤ 123 bytes). `now`: epoch ms.
 */
export async function verifyNewsroomToken(token: string, secret: string, audience: string, now = Date.now()): Promise<TokenResult> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: ['HS256'],
      audience,
      requiredClaims: ['exp'],
      currentDate: new Date(now),
    })
    if (!hasNewsroomScope(payload.scope)) return { ok: false, reason: 'token lacks the newsroom scope' }
    // jose takes any JSON number as a time: 1e400 is read as Infinity, an `exp` that never comes;
    // 1.7e308 s is finite, but not in the milliseconds the hub's expiry counts in
    for (const claim of ['exp', 'iat', 'nbf'] as const) {
      const t = payload[claim]
      if (t !== undefined && !Number.isFinite(t * 1000)) return { ok: false, reason: `token claim '${claim}' is invalid` }
    }
    // jose checks `iat` only when asked for a maximum age: a token issued further in the future
    // than two synchronised clocks differ is absurd (an issuer's clock far ahead, a token minted
    // to be used later). Within IAT_LEEWAY_MS it is the issuer's clock a little ahead of ours: a
    // dashboard's fresh token, refused at random, would gain nothing (`iat` grants nothing)
    if (payload.iat !== undefined && payload.iat * 1000 > now + IAT_LEEWAY_MS)
      return { ok: false, reason: "token claim 'iat' is in the future" }
    // jose compares `exp` with the time in whole seconds, and `exp` may be fractional (RFC 7519):
    // a token in the last second after its expiry would be admitted already expired (red10)
    const expiresAt = (payload.exp as number) * 1000
    if (!(expiresAt > now)) return { ok: false, reason: 'token expired' }
    const scope = scopeFromClaims(payload)
    // what a revocation names (revocations.ts): jose checked `iat` is a number, not the names'
    // types; a name is read in the one spelling a rule gives it, or the token is refused (red23d)
    const issuedAt = payload.iat === undefined ? null : payload.iat * 1000
    const id = nameClaim(payload, 'jti')
    const sub = nameClaim(payload, 'sub')
    return { ok: true, sub, expiresAt, scope, issuedAt, id }
  } catch (err) {
    // a limit this release does not enforce is named (its message is short); the rest by the claim
    if (err instanceof NameClaimError) return { ok: false, reason: err.message }
    if (err instanceof ScopeClaimError)
      return { ok: false, reason: err.claim === 'limits' ? err.message : `token claim '${err.claim}' is invalid` }
    if (err instanceof errors.JWTExpired) return { ok: false, reason: 'token expired' }
    if (err instanceof errors.JWTClaimValidationFailed) return { ok: false, reason: `token claim '${err.claim}' is invalid` }
    if (err instanceof errors.JWSSignatureVerificationFailed) return { ok: false, reason: 'token signature is invalid' }
    return { ok: false, reason: 'token is malformed' }
  }
}
