// A merge patch that only takes something down: a hold (`pubStatus: "withheld"`) or a new
// embargo (an `embargoedUntil` still to come), and no other member. Past its key's write limit
// such a patch still goes through, on a bucket of its own (routing.ts): a desk holding a story
// must not wait behind its key's own writes while the story stays public (red22b left holds
// sharing the writes' bucket). Pure.

const MEMBERS = new Set(['pubStatus', 'embargoedUntil'])

/** At most this many bytes are read of a request past its write limit to tell (a hold is a few dozen). */
export const TAKEDOWN_MAX_BYTES = 4096

/** Whether `patch`, applied at `now`, can only leave its article or entry out of public view. */
export function takesDown(patch: unknown, now: number): boolean {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return false
  const members = Object.keys(patch)
  if (members.length === 0 || !members.every((m) => MEMBERS.has(m))) return false
  const { pubStatus, embargoedUntil } = patch as Record<string, unknown>
  // a hold keeps it out whatever the embargo says; `usable` (a release) or a kill is not this
  if (pubStatus !== undefined) return pubStatus === 'withheld'
  return typeof embargoedUntil === 'string' && Date.parse(embargoedUntil) > now
}

/** The editorial controls of an article or an entry, as stored. */
export interface Controls {
  pubStatus: string
  embargoedUntil: number | null
}

/**
 * Whether a version with `after`'s controls, over `before`'s, at `now`, only takes down: a kill;
 * or no release, and no embargo still to come lifted or brought forward. A takedown decided
 * without its Idempotency-Key (submit.ts) must be one: decided again after the desk's later
 * embargo, "embargo until 2030" brought the desk's 2099 back to 2030 (red25c attack run).
 */
export function onlyTakesDown(before: Controls | undefined, after: Controls, now: number): boolean {
  if (after.pubStatus === 'canceled') return true
  if (before === undefined) return false
  if (before.pubStatus !== 'usable' && after.pubStatus === 'usable') return false
  const held = before.embargoedUntil
  if (held === null || held <= now) return true
  return after.embargoedUntil !== null && after.embargoedUntil >= held
}
