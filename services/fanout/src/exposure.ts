// Where an article has been seen: every distinct view (category, language, urgency, breaking —
// what channels, filters and token scopes match on) in which one of its versions was visible, per
// clearance. A kill goes to every subscription one of these views matches, so a reader who saw a
// story hears of its kill whatever happened to it since (moved desk, re-embargoed, withheld).
// `sure` views are what this instance showed; the others are what some instance may have shown
// (a release racing a kill on another instance's clock; versions from before this instance's
// history), used only for subscriptions that resumed from a client's position; of those, a view
// with a claim only for positions that claim its release (a clock ahead made it early). A view
// keeps only what matching reads (channels.ts ArticleView), not the version's text. Pure: no I/O.
import { MAX_EARLIER_VIEWS } from '@newswire/shared'
import type { ArticleView } from './channels.ts'
import type { Clearance } from './visibility.ts'

/**
 * A version replaced before its embargo by this instance's clock, and long enough before it that
 * no instance on time released it (outside the race allowance): one whose clock ran ahead may
 * have, and signed positions that claim that release (audience-watermark.ts). A reader holding
 * such a position, past the version's record and not past the record that replaced it, may show
 * it (red21c; seed 280908564 in CI). Past that record, the instance that released it had read the
 * replacement and told the reader first; a position that claims the embargo's instant only
 * because later releases moved it on, on time, claims nothing of this version.
 */
export interface Claim {
  /** The embargo's instant: a position whose watermark is at or past it claims the release. */
  at: number
  partition: number
  /** The version's record; null when not known (loaded from news.articles): any position passed it. */
  offset: number | null
  /** The record that replaced it. */
  until: number
}

/** The position a subscription resumed from: what the client may hold. */
export interface Resumed {
  readonly t: number
  readonly o: readonly number[]
}

interface Seen {
  view: ArticleView
  /** Bit per clearance (clearanceBit). */
  mask: number
  sure: boolean
  /** Only for subscriptions resumed from a position that claims this (never on a sure view). */
  claim?: Claim
}

export type Exposure = Seen[]

/**
 * Views kept per article; past it, later views replace the newest kept one (a reader who saw the
 * story only in a replaced view would miss its kill). A view is a category, language, urgency and
 * breaking flag: 32 was within reach of a long live story (an outside review reached it in a
 * test). Ingest refuses to move an article into more than MAX_EARLIER_VIEWS distinct views, each
 * kept here at most three times (sure, some instance's maybe, and a claimed one), so this bound is
 * never reached: a write key moved a story through a thousand categories, and a reader who saw it
 * in a replaced view resumed after its kill and was never told (red24b attack run).
 */
export const MAX_VIEWS = 3 * MAX_EARLIER_VIEWS

export const clearanceBit: Record<Clearance, number> = { public: 1, released: 2, all: 4 }
/** Every clearance: where who saw a version is not known, any may have. */
export const everyClearance = clearanceBit.public | clearanceBit.released | clearanceBit.all

const sameView = (a: ArticleView, b: ArticleView) =>
  a.category === b.category && a.language === b.language && a.urgency === b.urgency && a.breaking === b.breaking

/**
 * Records that `view` was (or, `sure` false, may have been) visible to the clearances in `mask`;
 * with a `claim`, only to readers whose position claims it.
 */
export function expose(exp: Exposure, view: ArticleView, mask: number, sure: boolean, claim?: Claim): void {
  if (mask === 0) return
  for (const s of exp) {
    if (s.sure === sure && (s.claim === undefined) === (claim === undefined) && sameView(s.view, view)) {
      s.mask |= mask
      if (s.claim !== undefined && claim !== undefined) s.claim = eitherClaim(s.claim, claim)
      return
    }
  }
  // a copy of the view alone: the version (its text) is not held for the article's lifetime
  const { id, category, language, urgency, breaking } = view
  const seen: Seen = { view: { id, category, language, urgency, breaking }, mask, sure }
  if (claim !== undefined && !sure) seen.claim = { ...claim }
  if (exp.length < MAX_VIEWS) exp.push(seen)
  else exp[MAX_VIEWS - 1] = seen
}

/**
 * One claim that every position claiming `a` or `b` claims: the earlier instant, the records
 * between them (it may take in a few more readers, told in default words, as for any estimate).
 */
function eitherClaim(a: Claim, b: Claim): Claim {
  if (a.partition !== b.partition) return { at: Math.min(a.at, b.at), partition: a.partition, offset: null, until: Number.MAX_SAFE_INTEGER }
  const offset = a.offset === null || b.offset === null ? null : Math.min(a.offset, b.offset)
  return { at: Math.min(a.at, b.at), partition: a.partition, offset, until: Math.max(a.until, b.until) }
}

/** Whether a subscription resumed from `from` may hold a version claimed by `claim`. */
export function claimedBy(claim: Claim, from: Resumed): boolean {
  const o = from.o[claim.partition] ?? 0
  return from.t >= claim.at && (claim.offset === null || o > claim.offset) && o <= claim.until
}

/**
 * A view visible to clearance `c` that `inView` accepts, one this instance showed first; for a
 * subscription resumed from a position (`from`), also views some instance may have shown to it
 * (then `sure` is false).
 */
export function exposedView(
  exp: Exposure,
  c: Clearance,
  inView: (a: ArticleView) => boolean,
  from: Resumed | null,
): { view: ArticleView; sure: boolean } | null {
  const bit = clearanceBit[c]
  let found: ArticleView | null = null
  for (const s of exp) {
    if ((s.mask & bit) === 0 || !inView(s.view)) continue
    if (!s.sure && (from === null || (s.claim !== undefined && !claimedBy(s.claim, from)))) continue
    if (s.sure) return { view: s.view, sure: true }
    found ??= s.view
  }
  return found === null ? null : { view: found, sure: false }
}

/** Every distinct view, for finding the subscriptions a kill has to reach. */
export function views(exp: Exposure): ArticleView[] {
  return exp.map((s) => s.view)
}

/** Every clearance the article was (or may have been) visible to, in any view. */
export function seenBy(exp: Exposure): number {
  let mask = 0
  for (const s of exp) mask |= s.mask
  return mask
}
