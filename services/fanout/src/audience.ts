// Server-enforced audience scopes: claims of a newsroom token that narrow what the connection may
// see, applied under every client filter (live, replay, snapshots, SSE). Pure: no I/O.
import type { Article } from '@newswire/shared'
import { langRe, languageMatches, slugRe } from './channels.ts'

/** What a token lets its holder see; null fields mean "no restriction". */
export interface AudienceScope {
  /** Category slugs (`desks` claim). */
  categories: string[] | null
  /** Language tags, `bn` matches `bn-BD` (`languages` claim). */
  languages: string[] | null
  /** false: embargoed content is held until its embargo passes, as for the public (`embargo` claim). */
  embargo: boolean
}

export const unrestricted: AudienceScope = { categories: null, languages: null, embargo: true }

export class ScopeClaimError extends Error {
  readonly claim: string
  constructor(claim: string, message: string) {
    super(message)
    this.claim = claim
  }
}

function list(claims: Record<string, unknown>, name: string, re: RegExp): string[] | null {
  const v = claims[name]
  if (v === undefined || v === null) return null
  if (!Array.isArray(v) || v.length > 100 || !v.every((x) => typeof x === 'string' && re.test(x.trim().toLowerCase()))) {
    throw new ScopeClaimError(name, `token claim '${name}' must be a list of ${name === 'desks' ? 'category slugs' : 'language tags'}`)
  }
  return [...new Set(v.map((x: string) => x.trim().toLowerCase()))]
}

/** Reads `desks`, `languages` and `embargo` from verified token claims; throws ScopeClaimError. */
export function scopeFromClaims(claims: Record<string, unknown>): AudienceScope {
  const categories = list(claims, 'desks', slugRe)
  const languages = list(claims, 'languages', langRe)
  const embargo = claims.embargo ?? true
  if (typeof embargo !== 'boolean') throw new ScopeClaimError('embargo', "token claim 'embargo' must be a boolean")
  if (categories === null && languages === null && embargo) return unrestricted
  return { categories, languages, embargo }
}

/** The article is inside the scope's desks and languages (embargo is decided per delivery). */
export function scopeAllows(scope: AudienceScope, a: Pick<Article, 'category' | 'language'>): boolean {
  if (scope.categories && (a.category === null || !scope.categories.includes(a.category))) return false
  if (scope.languages && !scope.languages.some((l) => languageMatches(l, a.language))) return false
  return true
}
