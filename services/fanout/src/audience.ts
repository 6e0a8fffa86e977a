// Server-enforced audience scopes: claims of a newsroom token that narrow what the connection may
// see, applied under every client filter (live, replay, snapshots, SSE). Pure: no I/O.
import type { Article } from '@newswire/shared'
import { langRe, languageMatches, slugRe } from './channels.ts'
import { foldClaimName, shownClaimName } from './claim-fold.ts'

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
  if (v === undefined) return null
  if (!Array.isArray(v) || v.length > 100 || !v.every((x) => typeof x === 'string' && re.test(x.trim().toLowerCase()))) {
    throw new ScopeClaimError(name, `token claim '${name}' must be a list of ${name === 'desks' ? 'category slugs' : 'language tags'}`)
  }
  return [...new Set(v.map((x: string) => x.trim().toLowerCase()))]
}

/** The audience claims' names, and the other spellings issuers give them (letters only, lower case). */
const CLAIMS = ['desks', 'languages', 'embargo']
const LOOKALIKES = new Set([
  'desk',
  'desks',
  'category',
  'categories',
  'language',
  'languages',
  'lang',
  'langs',
  'embargo',
  'embargoed',
  'embargoes',
])

/**
 * A claim that reads as a limit under another spelling (`desk`, `Desks`, `categories`, `lang`, a
 * namespaced `https://newswire.example/desks`, `newswire_desks`): its issuer meant to limit the
 * token, and ignored it would limit nothing (red22c attack run). Only a name's last segment counts,
 * read as a person reads it (claim-fold.ts): `desks ` with a trailing space, `ｄｅｓｋｓ` in
 * full-width letters, `dеsks` with a Cyrillic `е` were ignored (red23d attack run).
 */
function lookalike(name: string): boolean {
  if (CLAIMS.includes(name) || name.length > 256) return false
  const last =
    foldClaimName(name)
      .split(/[/:.#]/)
      .pop() ?? ''
  const letters = last.replace(/[^a-z]/g, '')
  return LOOKALIKES.has(letters) || LOOKALIKES.has(letters.replace(/^newswire/, ''))
}

/**
 * Reads `desks`, `languages` and `embargo` from verified token claims; throws ScopeClaimError. An
 * audience claim is read as written or the token is invalid: null (an issuer's empty field) and a
 * limit spelled otherwise are refused, where they read as no limit at all (red22c attack run).
 */
export function scopeFromClaims(claims: Record<string, unknown>): AudienceScope {
  for (const name of Object.keys(claims)) {
    // the name goes into a close frame's reason (≤ 123 bytes): printable, bounded
    if (lookalike(name))
      throw new ScopeClaimError(
        shownClaimName(name),
        `token claim '${shownClaimName(name)}' is not one this server reads (${CLAIMS.join(', ')})`,
      )
  }
  limitsKnown(claims.limits, claims)
  const categories = list(claims, 'desks', slugRe)
  const languages = list(claims, 'languages', langRe)
  const embargo = claims.embargo === undefined ? true : claims.embargo
  if (typeof embargo !== 'boolean') throw new ScopeClaimError('embargo', "token claim 'embargo' must be a boolean")
  if (categories === null && languages === null && embargo) return unrestricted
  return { categories, languages, embargo }
}

/**
 * `limits`: the names of the limit claims a token carries, so that a release that does not know
 * one refuses the token instead of reading it without that limit (a limit a later release adds,
 * met by this one in a rolling deploy or a rollback: red23a attack run). Optional: a token without
 * it is read by the claims this release knows, as before. A name whose claim the token lacks is
 * refused too: an issuer naming its limits from a fixed list and filling them from a user's
 * record drops an unset one from the JSON, and read without it the token limited nothing (red23e).
 */
function limitsKnown(limits: unknown, claims: Record<string, unknown>): void {
  if (limits === undefined) return
  if (!Array.isArray(limits) || limits.length > 20 || !limits.every((l) => typeof l === 'string'))
    throw new ScopeClaimError('limits', "token claim 'limits' must be a list of limit claim names")
  const unknown = limits.find((l: string) => !CLAIMS.includes(l))
  // printable and short: the name goes into a close frame's reason (≤ 123 bytes)
  if (unknown !== undefined)
    throw new ScopeClaimError(
      'limits',
      `token limit '${/^[\x21-\x7e]{1,24}$/.test(unknown) ? unknown : '?'}' is not one this release enforces`,
    )
  const absent = limits.find((l: string) => !Object.hasOwn(claims, l))
  if (absent !== undefined) throw new ScopeClaimError('limits', `token limit '${absent}' is named in limits but not carried`)
}

/** The article is inside the scope's desks and languages (embargo is decided per delivery). */
export function scopeAllows(scope: AudienceScope, a: Pick<Article, 'category' | 'language'>): boolean {
  if (scope.categories && (a.category === null || !scope.categories.includes(a.category))) return false
  if (scope.languages && !scope.languages.some((l) => languageMatches(l, a.language))) return false
  return true
}
