// The reference rules of the newsroom restart model (restart-newsroom-model.test.ts), written
// from the README ("Who sees what", the editorial states table, "Positions and resume"), not from
// visibility.ts or audience.ts: which versions a token's holder could see, in its claims and
// channels, by the server's clock. Pure.
import type { Article, ArticleEvent } from '@newswire/shared'

/** A kill or hold read this long before an embargo may have lost the race on another instance. */
export const RACE_MS = 60_000

/** What a token's holder may see, as the README's "Who sees what" says: the model's own words. */
export type Sees = 'public' | 'released' | 'all'

export interface Spec {
  name: string
  audience: 'public' | 'newsroom'
  /** The token's claims (newsroom) as signed. */
  claims: { desks?: string[]; languages?: string[]; embargo?: boolean }
  channels: string[]
  /** The newsroom sees everything; `embargo: false` all but kills, once released; the public what is also usable. */
  sees: Sees
}

/** One version of an article as the model knows it. */
export interface Version {
  event: ArticleEvent
  /** When the next version replaced it (null: still the latest). */
  replacedAt: number | null
  /**
   * When ingest's clock runs off the fan-outs' (ingest-skew runs): the latest stamp (`ingestedAt`)
   * on its partition once the version that replaced it was written, the clock a restarted instance
   * catches up by. Who may have seen it is then an estimate read off that clock.
   */
  stampedReplacedAt?: number
  /**
   * When the fan-out read the version that replaced it, later than it was written (a process cut
   * off from Kafka: host-clock-model.test.ts). Another instance may have released it meanwhile.
   */
  readReplacedAt?: number
  /**
   * When the fan-out host's own clock steps (host-clock-model.test.ts; `replacedAt` is then that
   * clock's reading): the highest reading of it while this was the latest version, up to the last
   * step judged. Its embargo passed if that reading, or the clock when a message was written while
   * it was still the latest, reached it: by a clock the fan-out had while it was the latest, not by
   * one it had before it was written (a step back to the right time undoes nothing released, and
   * releases nothing written after it).
   */
  peak?: number
}

export const isKill = (v: Version) => v.event.type === 'WITHDRAWN'
const langMatches = (claim: string, tag: string) => tag.toLowerCase() === claim || tag.toLowerCase().startsWith(`${claim}-`)

/** The version lies in the token's desks and languages. */
export function inClaims(s: Spec, a: Article): boolean {
  if (s.claims.desks && (a.category === null || !s.claims.desks.includes(a.category))) return false
  if (s.claims.languages && !s.claims.languages.some((l) => langMatches(l, a.language))) return false
  return true
}

/** The version matches one of the reader's channels (none: everything). */
export function inChannels(s: Spec, a: Article): boolean {
  if (s.channels.length === 0) return true
  return s.channels.some(
    (ch) =>
      ch === 'all' ||
      (ch.startsWith('category:') && a.category === ch.slice(9)) ||
      (ch.startsWith('lang:') && langMatches(ch.slice(5), a.language)),
  )
}

/** The version's embargo (if any) passed on the server's clock while it was the latest, by `until`. */
export function embargoPassed(v: Version, until: number): boolean {
  const at = v.event.article.embargoedUntil
  if (at === null) return true
  if (v.peak !== undefined) return at <= v.peak || (v.replacedAt === null && at <= until)
  return at <= Math.min(v.replacedAt ?? until, until)
}

/** `s`'s clearance could see version `v` at some moment up to `until`. */
export function sees(s: Spec, v: Version, until: number): boolean {
  if (s.sees === 'all') return true
  if (isKill(v) || !embargoPassed(v, until)) return false
  return s.sees === 'released' || v.event.article.pubStatus === 'usable'
}

/**
 * `s`'s clearance may have seen `v` on some instance: as `sees`, or its embargo was within the
 * race minute when it was replaced (another instance's clock may have released it first), by the
 * fan-outs' clock or by ingest's stamp of the replacement (an instance catching up, or the views
 * news.articles carries, can tell the race only by ingest's clock).
 */
export function maySee(s: Spec, v: Version, until: number): boolean {
  if (sees(s, v, until)) return true
  const at = v.event.article.embargoedUntil
  if (isKill(v) || at === null || v.replacedAt === null) return false
  if (at - Math.max(v.replacedAt, v.stampedReplacedAt ?? v.replacedAt, v.readReplacedAt ?? v.replacedAt) >= RACE_MS) return false
  return s.sees === 'released' || v.event.article.pubStatus === 'usable'
}
