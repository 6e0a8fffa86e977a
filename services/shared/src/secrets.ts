// What production asks of a secret (an ingest API key, the newsroom token secret, the position
// key): that nobody outside can know or guess it. The development defaults were refused, but any
// other value was taken, the placeholders this repository publishes too: the example Secret
// applied as it is (`REPLACE-WITH-32-OR-MORE-RANDOM-CHARACTERS`) let anyone who had read it mint
// newsroom tokens and write through ingest (red22c attack run). Pure.

/** Production secrets are at least this long: 32 random characters, as the deploy docs ask. */
export const MIN_SECRET_LENGTH = 32
/** Fewer distinct characters than this is a filler (`xxxx…`, `abab…`), not a random string. */
const MIN_DISTINCT = 8

export const DEV_INGEST_KEY = 'dev-ingest-key'
export const DEV_NEWSROOM_SECRET = 'dev-newsroom-secret'
/** The development key that signs positions; production refuses it. */
export const DEV_POSITION_KEY = 'dev-position-key-not-secret'

const DEV_SECRETS = [DEV_INGEST_KEY, DEV_NEWSROOM_SECRET, DEV_POSITION_KEY]

/**
 * The words of a placeholder someone was meant to replace: the docs' `<32+ random characters>` (words
 * in angle brackets: a generated password may hold `<` and `>`, but not around a space, nor as its
 * first and last character with none between), the example's `REPLACE-WITH-…`, `change-me`.
 */
const PLACEHOLDER = /^<[^<>]*>$|<[^<>]*\s[^<>]*>|replace[-_ ]?(with|me)|change[-_ ]?me|random[-_ ]?(characters|key)/i

/**
 * Why `value` cannot be a production secret, in words fit for a start-up error (never the value
 * itself), or null when it can. Judged alone: that two roles share one secret is the caller's.
 */
export function weakSecretProblem(value: string): string | null {
  const published = placeholderSecretProblem(value)
  if (published !== null) return published
  if (value.length < MIN_SECRET_LENGTH) return `must be at least ${MIN_SECRET_LENGTH} characters in production`
  if (new Set(value).size < MIN_DISTINCT) return `has fewer than ${MIN_DISTINCT} distinct characters: use a random one`
  return null
}

/**
 * Why `value` is a secret this repository publishes (a development default, a placeholder of the
 * docs or the example Secret), or null. For secrets whose strength is another's to set (the Kafka
 * password a cluster's operator gave), where only the published ones are refused.
 */
export function placeholderSecretProblem(value: string): string | null {
  const lower = value.toLowerCase()
  if (DEV_SECRETS.some((d) => lower.includes(d))) return 'is a development default, published in this repository'
  if (PLACEHOLDER.test(value)) return 'is a placeholder from the documentation or the example Secret: set a random one'
  return null
}
