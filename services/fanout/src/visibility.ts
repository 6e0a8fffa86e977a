// Who sees what, and what a subscription is told when that changes. Pure: no I/O, no clock.
// The server's record decides (ledger.ts): whether an embargo has passed is the ledger's
// `released` flag, set by the server's own clock, never a time a client sent.
import type { Article, ArticleEvent } from '@newswire/shared'
import type { AudienceScope } from './audience.ts'
import type { ArticleView } from './channels.ts'

export type Audience = 'public' | 'newsroom'

/**
 * How editorial controls apply to a connection:
 * - `public`: usable versions whose embargo has passed;
 * - `released`: a newsroom token with `embargo: false` — every editorial state, but embargoed
 *   content only once released;
 * - `all`: the newsroom — everything, embargoed versions flagged.
 */
export type Clearance = 'public' | 'released' | 'all'

export const clearances: readonly Clearance[] = ['public', 'released', 'all']

export function clearanceOf(audience: Audience, scope: AudienceScope): Clearance {
  if (audience === 'public') return 'public'
  return scope.embargo ? 'all' : 'released'
}

/** The ledger's view of one article's latest version. */
export interface Latest {
  event: Pick<ArticleEvent, 'type' | 'article'>
  /** No embargo, or its time has passed on the server's clock (the ledger released it). */
  released: boolean
}

/** A kill is final: withdrawn, or canceled by an update. */
export const isKill = (e: Pick<ArticleEvent, 'type' | 'article'>): boolean => e.type === 'WITHDRAWN' || e.article.pubStatus === 'canceled'

/**
 * A legal erasure: ingest's kill without the content (erasure.ts withoutContent; a headline is
 * never empty otherwise). It takes back the text of every version, for the newsroom too: a replay
 * sends none of them (red21b attack run).
 */
export const isErasure = (e: Pick<ArticleEvent, 'type'> & { article: Pick<ArticleEvent['article'], 'headline'> }): boolean =>
  e.type === 'WITHDRAWN' && e.article.headline === ''

/**
 * The version a clearance may know of an article now: the latest one if visible to it, else none.
 * An earlier version never stands in for a hidden later one: a story put under a new embargo or
 * withheld disappears until it is released again. A killed story is gone for the public and for
 * tokens held to embargoes; the newsroom keeps it, as killed (its last version, canceled).
 */
export function visibleVersion(s: Latest | undefined, c: Clearance): Article | null {
  if (!s) return null
  const a = s.event.article
  return sees(c, isKill(s.event), a.pubStatus, s.released) ? a : null
}

/** The rule of visibleVersion on a version's facts alone (also for versions known only by their view). */
export function sees(c: Clearance, kill: boolean, pubStatus: Article['pubStatus'], released: boolean): boolean {
  if (c === 'all') return true
  if (kill || !released) return false
  return c === 'released' || pubStatus === 'usable'
}

/** Why a subscription is told to remove an article (`withdrawn.cause`). */
export type Cause = 'withdrawn' | 'canceled' | 'withheld' | 'embargoed' | 'left'

/** The cause of `s` hiding an article that was in view before. */
export function causeOf(s: Latest | undefined, c: Clearance): Cause {
  if (!s || s.event.type === 'WITHDRAWN') return 'withdrawn'
  const a = s.event.article
  if (a.pubStatus === 'canceled') return 'canceled'
  if (c !== 'all' && !s.released) return 'embargoed'
  if (c === 'public' && a.pubStatus === 'withheld') return 'withheld'
  return 'left'
}

export type Decision =
  /** An `event` message with this version; `embargoed` flags it for the newsroom. */
  | { kind: 'event'; article: Article; embargoed: boolean }
  /**
   * A `withdrawn` message: the subscription may show this article and must remove it. `unsure`
   * when it only may have been shown (an estimate, which can count a reader who never saw it):
   * it then gets the cause's default reason, not the newsroom's words.
   */
  | { kind: 'retract'; cause: Cause; match: ArticleView; unsure?: true }

/** One change of one article as a clearance sees it. */
export interface Change {
  /** What the clearance could see before (null: nothing). */
  before: Article | null
  /** What it can see after. */
  after: Article | null
  /** The change is a kill. */
  kill: boolean
  /** The state after, for the cause of a retraction and the embargo flag. */
  state: Latest
  /** The state before (state filters, states.ts). */
  prior: Latest | undefined
}

export function changeFor(prev: Latest | undefined, next: Latest, c: Clearance): Change {
  return { before: visibleVersion(prev, c), after: visibleVersion(next, c), kill: isKill(next.event), state: next, prior: prev }
}

/**
 * What one subscription gets for one change. `inView` tells whether a version is in the
 * subscription's channels, filter and token scope; `exposedView` finds a version of the article
 * that was visible to this clearance in a view of this subscription (exposure.ts), so a kill
 * reaches every reader who may have seen the story, whatever happened to it in between.
 */
export function decide(
  ch: Change,
  c: Clearance,
  inView: (a: ArticleView) => boolean,
  exposedView: () => { view: ArticleView; sure: boolean } | null,
  inherited = false,
): Decision | null {
  if (ch.after && inView(ch.after)) {
    // the newsroom's view of a withdrawal: the message that says so (no new content)
    if (ch.state.event.type === 'WITHDRAWN') return { kind: 'retract', cause: 'withdrawn', match: ch.after }
    return { kind: 'event', article: ch.after, embargoed: c === 'all' && !ch.state.released }
  }
  const had = ch.before && inView(ch.before) ? ch.before : null
  if (ch.kill) {
    if (had) return { kind: 'retract', cause: causeOf(ch.state, c), match: had }
    return retraction(causeOf(ch.state, c), exposedView())
  }
  if (had) return { kind: 'retract', cause: ch.after ? 'left' : causeOf(ch.state, c), match: had }
  // Held back here by the release clock, the version before may have been released by another
  // process, which runs ahead, and shown to this reader there (a resume from there that joined the
  // live loop before this clock got to that embargo: red16): a change that hides the story from
  // it reaches it as a kill does, in a view some instance may have shown it in. Only a resumed
  // subscription can hold it: this process never sent it (a fresh one was told, by an earlier
  // version's exposure, of a hold of a story it never had: fanout-access.kafka.test.ts)
  if (ch.before === null && inherited && heldBack(ch.prior)) return retraction(ch.after ? 'left' : causeOf(ch.state, c), exposedView())
  return null
}

/** A version whose embargo this instance has not released yet (a kill is never released). */
const heldBack = (s: Latest | undefined): boolean =>
  s !== undefined && !s.released && !isKill(s.event) && s.event.article.embargoedUntil !== null

/** A retraction in the view `seen` (unsure unless this instance showed it), or null. */
export function retraction(cause: Cause, seen: { view: ArticleView; sure: boolean } | null): Decision | null {
  if (seen === null) return null
  return seen.sure ? { kind: 'retract', cause, match: seen.view } : { kind: 'retract', cause, match: seen.view, unsure: true }
}

/**
 * How far ahead of a fan-out's clock ingest's may run (the skew tolerated between instances). A
 * time read from an event (`ingestedAt`) proves an embargo passed on every server only this long
 * after it: an ingest 30 s ahead stamps a draft held by every fan-out, and replaced 8 s before its
 * embargo, as written after it (red6 attack run, 2026-12-04).
 */
export const INGEST_LEAD_MS = 60_000

/**
 * Whether a version's embargo had surely passed when it was ingested: then every server that read
 * it found it released. Only for versions older than this server's record (Kafka replays);
 * `leadMs` 0 asks whether some server may have (an estimate).
 */
export function releasedOnArrival(e: Pick<ArticleEvent, 'article' | 'ingestedAt'>, leadMs = INGEST_LEAD_MS): boolean {
  const at = e.article.embargoedUntil
  return at === null || at <= e.ingestedAt - leadMs
}
