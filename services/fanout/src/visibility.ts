// Who sees what (docs/stream-design.md "Who sees what"). Pure: no I/O, time is passed in.
import type { Article, ArticleEvent } from '@newswire/shared'

export type Audience = 'public' | 'newsroom'

/** Public visibility of one version at watermark `t` (embargo released at or before t). */
export function publicVisible(a: Pick<Article, 'pubStatus' | 'embargoedUntil'>, t: number): boolean {
  return a.pubStatus === 'usable' && (a.embargoedUntil === null || a.embargoedUntil <= t)
}

/** Usable but embargoed beyond `t`: held for the public, flagged for the newsroom. */
export function isEmbargoed(a: Pick<Article, 'pubStatus' | 'embargoedUntil'>, t: number): boolean {
  return a.embargoedUntil !== null && a.embargoedUntil > t
}

export type Delivery =
  /** An `event` message; `embargoed` only for the newsroom. `match` is the version channels are matched on. */
  { kind: 'event'; embargoed: boolean; match: Article } | { kind: 'withdrawn'; reason: string; match: Article }

/**
 * What one event becomes for an audience when a cursor passes it at watermark `t`.
 * `prevPublic` is the version the public could see before this event (null: none; undefined: not known,
 * treated as seen so a withdrawal is never lost).
 */
export function decideDelivery(audience: Audience, e: ArticleEvent, prevPublic: Article | null | undefined, t: number): Delivery | null {
  const a = e.article
  // Nothing came before a CREATED event, whatever the caller knows
  const seen = e.type === 'CREATED' ? null : prevPublic
  if (e.type === 'WITHDRAWN') {
    if (audience === 'public' && seen === null) return null
    return { kind: 'withdrawn', reason: e.reason ?? 'withdrawn', match: seen ?? a }
  }
  if (audience === 'newsroom') return { kind: 'event', embargoed: isEmbargoed(a, t), match: a }
  if (a.pubStatus !== 'usable') {
    if (seen === null) return null
    return { kind: 'withdrawn', reason: e.reason ?? (a.pubStatus === 'withheld' ? 'withheld' : 'canceled'), match: seen ?? a }
  }
  if (!publicVisible(a, t)) return null
  return { kind: 'event', embargoed: false, match: a }
}

/**
 * The version the public has seen after `e` (deterministic: embargoes compare with the event's
 * ingestedAt, so every instance agrees). `prev` is the state before, `prevPublic` what was seen.
 */
export function nextPublicVersion(
  prevLatest: Article | undefined,
  prevPublic: Article | null | undefined,
  e: ArticleEvent,
): Article | null {
  const a = e.article
  if (e.type === 'WITHDRAWN' || a.pubStatus !== 'usable') return null
  if (publicVisible(a, e.ingestedAt)) return a
  // still embargoed: the public keeps what it had, including an earlier version released since
  if (prevLatest && publicVisible(prevLatest, e.ingestedAt)) return prevLatest
  return prevPublic ?? null
}

/** What the public had seen before `e`, given the previous latest version and what was seen then. */
export function publicBefore(
  prevLatest: Article | undefined,
  prevPublic: Article | null | undefined,
  e: ArticleEvent,
): Article | null | undefined {
  if (prevLatest === undefined) return prevPublic
  if (publicVisible(prevLatest, e.ingestedAt)) return prevLatest
  return prevPublic
}
