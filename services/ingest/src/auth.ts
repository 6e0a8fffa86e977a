// API keys from configuration, compared in constant time (hash both sides to equal lengths,
// then timingSafeEqual against every key, so timing reveals neither the key nor which matched).
import { createHash, timingSafeEqual } from 'node:crypto'
import { ProblemError } from '@newswire/shared'
import type { ApiKey, Scope } from './config.ts'

/** A configured key that matched, with its id (keyIdOf), made once at start rather than per request. */
export type AuthorizedKey = ApiKey & { id: string }

export interface Authenticator {
  /** The key, or throws a 401/403 ProblemError. */
  authorize(header: string | undefined, scope: Scope): AuthorizedKey
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()

/**
 * Which API key (not which name) wrote a keyed record: its answers stand only while that key is
 * configured. Answers are scoped to the name, so a CMS retrying across a planned rotation (old and
 * new key under one name) gets its first answer; but a leaked key, retired, left its answers to
 * the new key of its name, and its holder had the CMS's next kill refused 422 for the TTL (red22c
 * attack run). 64 bits of a hash of a secret of 32 random characters: says nothing of the key.
 */
export function keyIdOf(key: string): string {
  return createHash('sha256').update(`newswire api key id\n${key}`, 'utf8').digest('hex').slice(0, 16)
}

/**
 * The ids of the keys configured now, and those ids under each name (a rotation puts two under
 * one): whose answers still bind (submit.ts). The in-process test app makes them as server.ts does.
 */
export function liveKeys(keys: readonly { name: string; key: string }[]): {
  liveKeyIds: Set<string>
  liveKeyIdsByName: Map<string, string[]>
} {
  const liveKeyIdsByName = new Map<string, string[]>()
  for (const k of keys) liveKeyIdsByName.set(k.name, [...(liveKeyIdsByName.get(k.name) ?? []), keyIdOf(k.key)])
  return { liveKeyIds: new Set(keys.map((k) => keyIdOf(k.key))), liveKeyIdsByName }
}

export function createAuthenticator(keys: ApiKey[]): Authenticator {
  const hashed = keys.map((k) => ({ key: { ...k, id: keyIdOf(k.key) }, hash: digest(k.key) }))
  return {
    authorize(header, scope) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
      if (!m || m[1] === undefined) {
        throw new ProblemError('unauthorized', 'send the API key as Authorization: Bearer <key>', {}, { 'WWW-Authenticate': 'Bearer' })
      }
      const given = digest(m[1])
      let found: AuthorizedKey | null = null
      for (const h of hashed) if (timingSafeEqual(h.hash, given)) found = h.key
      if (found === null) {
        throw new ProblemError('unauthorized', 'the API key is not valid', {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' })
      }
      if (!found.scopes.has(scope)) {
        throw new ProblemError('forbidden', `the key '${found.name}' does not have the '${scope}' scope`, { requiredScope: scope })
      }
      return found
    },
  }
}
