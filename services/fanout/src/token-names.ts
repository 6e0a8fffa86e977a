// The names a revocation rule gives a token (`sub`, `jti`), in one spelling on both sides. A rule
// is a line an operator types (revocations.ts), matched to the claim as its issuer wrote it: a
// `jti` sent as a JSON number, a subject in NFD where a keyboard writes NFC, a name with a space no
// line can hold or a character nobody can see never matched, and the token read on after the rule
// naming it (red23d attack run). Pure: no I/O.

/** Whitespace (a rule's field separator), controls, format characters (zero-width space, ZWJ,
 * ZWNJ, bidi marks), private-use and unassigned code points, and the rest of what renders as
 * nothing (variation selectors, fillers): what an operator cannot read off a log to type back. */
const UNSEEN = /[\s\p{C}\p{Default_Ignorable_Code_Point}]/u

/** Longest name read: a revocation line, a log field. */
export const MAX_NAME = 256

/** Opening and closing quotes, straight and typographic: what a name copied from a JSON log or a shell line comes wrapped in. */
const QUOTE = /^["'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a]/u
const UNQUOTE = /["'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a]$/u
/** Double quotes (and a backtick) that open a quotation: unlike an apostrophe (o'brien, abc'), never a name's own first letter. */
const OPENING = /^["`\u201c\u201d\u201e\u201f\u00ab\u00bb]/u

/**
 * A name wrapped in quotes: a rule `jti "4f1c…"` (copied from a JSON log, a shell habit) was read
 * with its quotes and named nobody, the token read on (red24d attack run). No token's name is
 * taken in quotes either, so the rule is a bad line, not a rule that names nobody.
 */
export function isQuoted(name: string): boolean {
  // a decoded token prints a claim a line, `"jti": "4f1c…",`: copied to the line's end, the value
  // kept its comma and passed for a name of its own that named nobody (red24e attack run); no
  // name opens with a double quote either, so one cut short of its closing quote is refused too
  const bare = name.replace(/[,;]$/u, '')
  return (bare.length >= 2 && QUOTE.test(bare) && UNQUOTE.test(bare)) || OPENING.test(name)
}

/** The one spelling of a name (NFC), or null when it has none a rule could write. */
export function canonicalName(raw: string): string | null {
  const s = raw.normalize('NFC')
  return s.length === 0 || s.length > MAX_NAME || UNSEEN.test(s) || isQuoted(s) ? null : s
}

export class NameClaimError extends Error {
  readonly claim: string
  constructor(claim: string) {
    super(`token claim '${claim}' is invalid`)
    this.claim = claim
  }
}

/**
 * A token's `sub` or `jti` as a rule names it: absent is null; a string (RFC 7519), NFC, of
 * visible characters, or an issuer's numeric user id as the digits an operator types (`sub 123`,
 * red23e); anything else (null too) refuses the token (NameClaimError): a name no rule can match
 * would make the token unrevocable but by `all`.
 */
export function nameClaim(payload: Record<string, unknown>, claim: 'sub' | 'jti'): string | null {
  const v = payload[claim]
  if (v === undefined) return null
  const name = typeof v === 'string' ? canonicalName(v) : Number.isSafeInteger(v) ? String(v) : null
  if (name === null) throw new NameClaimError(claim)
  return name
}
