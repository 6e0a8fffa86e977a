// Newsroom tokens revoked before their `exp`: an editor who left, a token leaked. The list is a
// text file an operator edits (a Kubernetes ConfigMap; NEWSROOM_REVOKED_FILE), a rule a line:
//
//   sub <subject> <instant>   every token of that subject issued at or before the instant
//   jti <token id>            that one token
//   all <instant>             every token issued at or before the instant (everyone signs in again)
//
// `#` starts a comment. A token without `iat` cannot show it was issued after a rule's instant:
// any `sub` rule of its subject, and `all`, revoke it. A name is read in the one spelling a token's
// is (token-names.ts: NFC, visible characters), so the operator's keyboard and the issuer agree
// (red23d attack run). Pure: parsing and matching.
import { canonicalName, isQuoted } from './token-names.ts'

/** What a token says of itself that a rule can name. */
export interface Credential {
  sub: string | null
  /** `iat`, epoch ms; null when the token has none. */
  issuedAt: number | null
  /** `jti`. */
  id: string | null
}

export interface Revocations {
  /** Every token issued at or before this (epoch ms). */
  all: number | null
  /** By subject: its tokens issued at or before this. */
  subjects: ReadonlyMap<string, number>
  ids: ReadonlySet<string>
  /** Rules read. */
  size: number
}

export const NO_REVOCATIONS: Revocations = { all: null, subjects: new Map(), ids: new Set(), size: 0 }

export class RevocationsError extends Error {
  readonly code = 'invalid_revocations'
  readonly line: number
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`)
    this.line = line
  }
}

/** An instant with its zone (as an embargo's): a date alone or a local time would mean a different moment on each host. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

function instantOf(text: string | undefined, line: number): number {
  const t = text === undefined || !INSTANT.test(text) ? Number.NaN : Date.parse(text)
  if (Number.isNaN(t)) throw new RevocationsError(line, `'${text ?? ''}' is not an instant with its zone, e.g. 2026-12-07T05:00:00Z`)
  return t
}

/** A rule's name as a token's is read; one no token can carry (a hidden character) is a bad line, not a rule that names nobody. */
function nameOf(text: string, line: number): string {
  if (isQuoted(text)) throw new RevocationsError(line, `a name in quotes: write it without them (the quotes would be part of it)`)
  const name = canonicalName(text)
  if (name === null) throw new RevocationsError(line, 'a name with a character no token may carry (invisible, a control)')
  return name
}

/** Throws RevocationsError naming the first bad line: a list read half is a list that lets someone in. */
export function parseRevocations(text: string): Revocations {
  let all: number | null = null
  const subjects = new Map<string, number>()
  const ids = new Set<string>()
  let size = 0
  for (const [i, raw] of text.split('\n').entries()) {
    const line = i + 1
    const words = raw.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean)
    if (words.length === 0) continue
    const [kind, a, b, ...rest] = words
    if (rest.length > 0) throw new RevocationsError(line, `too many fields: '${raw.trim()}'`)
    if (kind === 'all' && b === undefined) all = Math.max(all ?? Number.NEGATIVE_INFINITY, instantOf(a, line))
    else if (kind === 'sub' && a !== undefined) {
      const name = nameOf(a, line)
      subjects.set(name, Math.max(subjects.get(name) ?? Number.NEGATIVE_INFINITY, instantOf(b, line)))
    } else if (kind === 'jti' && a !== undefined && b === undefined) ids.add(nameOf(a, line))
    else throw new RevocationsError(line, `expected 'sub <subject> <instant>', 'jti <id>' or 'all <instant>', got '${raw.trim()}'`)
    size++
  }
  return { all, subjects, ids, size }
}

const issuedBy = (c: Credential, until: number | null | undefined): boolean =>
  until !== null && until !== undefined && (c.issuedAt === null || c.issuedAt <= until)

export function isRevoked(r: Revocations, c: Credential): boolean {
  if (r.size === 0) return false
  if (c.id !== null && r.ids.has(c.id)) return true
  if (issuedBy(c, r.all)) return true
  return c.sub !== null && issuedBy(c, r.subjects.get(c.sub))
}

/** Whether `to` lifts a rule of `from`: a token `from` revokes that `to` would let in. */
export function liftsRules(from: Revocations, to: Revocations): boolean {
  if (from.all !== null && (to.all === null || to.all < from.all)) return true
  for (const id of from.ids) if (!to.ids.has(id)) return true
  // a subject's rule is kept by its own rule or by `all`, whichever reaches further
  const reach = (sub: string) => Math.max(to.subjects.get(sub) ?? Number.NEGATIVE_INFINITY, to.all ?? Number.NEGATIVE_INFINITY)
  for (const [sub, until] of from.subjects) if (reach(sub) < until) return true
  return false
}
