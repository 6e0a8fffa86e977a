// Where an article has been seen: every distinct view (category, language, urgency, breaking —
// what channels, filters and token scopes match on) in which one of its versions was visible, per
// clearance. A kill goes to every subscription one of these views matches, so a reader who saw a
// story hears of its kill whatever happened to it since (moved desk, re-embargoed, withheld).
// `sure` views are what this instance showed; the others are what some instance may have shown
// (a release racing a kill on another instance's clock; versions from before this instance's
// history), used only for subscriptions that resumed from a client's position. A view keeps only
// what matching reads (channels.ts ArticleView), not the version's text. Pure: no I/O.
import { MAX_EARLIER_VIEWS } from '@newswire/shared'
import type { ArticleView } from './channels.ts'
import type { Clearance } from './visibility.ts'

interface Seen {
  view: ArticleView
  /** Bit per clearance (clearanceBit). */
  mask: number
  sure: boolean
}

export type Exposure = Seen[]

/**
 * Views kept per article; past it, later views replace the newest kept one (a reader who saw the
 * story only in a replaced view would miss its kill). A view is a category, language, urgency and
 * breaking flag: 32 was within reach of a long live story (an outside review reached it in a
 * test). Ingest refuses to move an article into more than MAX_EARLIER_VIEWS distinct views, each
 * kept here at most twice (sure, and some instance's maybe), so this bound is never reached: a
 * write key moved a story through a thousand categories, and a reader who saw it in a replaced
 * view resumed after its kill and was never told (red24b attack run).
 */
export const MAX_VIEWS = 2 * MAX_EARLIER_VIEWS

export const clearanceBit: Record<Clearance, number> = { public: 1, released: 2, all: 4 }
/** Every clearance: where who saw a version is not known, any may have. */
export const everyClearance = clearanceBit.public | clearanceBit.released | clearanceBit.all

const sameView = (a: ArticleView, b: ArticleView) =>
  a.category === b.category && a.language === b.language && a.urgency === b.urgency && a.breaking === b.breaking

/** Records that `view` was (or, `sure` false, may have been) visible to the clearances in `mask`. */
export function expose(exp: Exposure, view: ArticleView, mask: number, sure: boolean): void {
  if (mask === 0) return
  for (const s of exp) {
    if (s.sure === sure && sameView(s.view, view)) {
      s.mask |= mask
      return
    }
  }
  // a copy of the view alone: the version (its text) is not held for the article's lifetime
  const { id, category, language, urgency, breaking } = view
  const seen = { view: { id, category, language, urgency, breaking }, mask, sure }
  if (exp.length < MAX_VIEWS) exp.push(seen)
  else exp[MAX_VIEWS - 1] = seen
}

/**
 * A view visible to clearance `c` that `inView` accepts, one this instance showed first; `maybe`
 * also counts views some instance may have shown (then `sure` is false).
 */
export function exposedView(
  exp: Exposure,
  c: Clearance,
  inView: (a: ArticleView) => boolean,
  maybe: boolean,
): { view: ArticleView; sure: boolean } | null {
  const bit = clearanceBit[c]
  let found: ArticleView | null = null
  for (const s of exp) {
    if ((s.mask & bit) === 0 || !(s.sure || maybe) || !inView(s.view)) continue
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
