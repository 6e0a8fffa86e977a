// One article's state in the ledger (ledger.ts): its latest version, whether that version's embargo
// has been released by this server's clock, and where it has been seen (exposure.ts); and which
// clearances see it. Pure.
import type { ArticleEvent } from '@newswire/shared'
import { clearanceBit, expose } from './exposure.ts'
import type { Exposure } from './exposure.ts'
import type { Loaded } from './loaded-state.ts'
import { clearances, isKill, visibleVersion } from './visibility.ts'
import type { Latest } from './visibility.ts'

/** `offset` and `before` (loaded-state.ts): where the state came from. */
export interface ArticleState extends Latest, Loaded {
  event: ArticleEvent
  partition: number
  /** History seq of the event, when it came through history. */
  seq: number | null
  exposure: Exposure
  /** eventJson of `event`, cached for snapshots. */
  text: string | null
  /** Order of the last change: snapshots list the most recently changed first. */
  changed: number
}

/** Clearances (bits) that see `s` now. */
export function visibleMask(s: Latest): number {
  let mask = 0
  for (const c of clearances) if (visibleVersion(s, c) !== null) mask |= clearanceBit[c]
  return mask
}

/** Clearances that would see `s` once released. */
export const maskIfReleased = (s: Latest) => visibleMask({ event: s.event, released: true })

/** A version whose embargo is still to be released (a killed story is never released). */
export function hasEmbargo(e: ArticleEvent): boolean {
  return !isKill(e) && e.article.embargoedUntil !== null
}

/** A new state of `event`, released when its embargo (if any) is past `now`; seen by whoever sees it now. */
export function articleState(
  event: ArticleEvent,
  partition: number,
  offset: number | null,
  seq: number | null,
  exposure: Exposure | undefined,
  now: number,
): ArticleState {
  const at = hasEmbargo(event) ? event.article.embargoedUntil : null
  const s: ArticleState = {
    event,
    partition,
    offset,
    seq,
    released: at === null || at <= now,
    exposure: exposure ?? [],
    text: null,
    changed: 0,
  }
  expose(s.exposure, event.article, visibleMask(s), true)
  return s
}
