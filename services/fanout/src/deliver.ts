// What one subscription gets for one event, release or replayed event, and its framed message.
// Decisions come from the ledger's record and the server's clock (visibility.ts), never from a
// client's position. Pure apart from framing through the connection's transport.
import type { Article, ArticleEvent } from '@newswire/shared'
import { scopeAllows } from './audience.ts'
import { matchChannel, passesTickerFilter } from './channels.ts'
import type { ArticleView } from './channels.ts'
import type { Lane } from './lanes.ts'
import { laneOfEvent } from './lanes.ts'
import { everyClearance, expose, exposedView } from './exposure.ts'
import type { Exposure } from './exposure.ts'
import type { ArticleState, Ledger } from './ledger.ts'
import { eventJson, eventMessage, withdrawnMessage } from './messages.ts'
import type { ServerMessageType } from './messages.ts'
import type { Conn, Framed, Sub, Transport } from './model.ts'
import { narrowChange, statesAllow } from './states.ts'
import type { Cause, Change, Decision } from './visibility.ts'
import { isHoldStandIn } from './unreadable.ts'
import { causeOf, decide, isErasure, isKill, releasedOnArrival, retraction, visibleVersion } from './visibility.ts'

/** What matching reads of a subscription: its channels, its filter and its connection's token scope. */
export type SubView = Pick<Sub, 'channels' | 'filter'> & { conn: Pick<Conn, 'scope'> }

/**
 * The channel through which `a` reaches `sub` (channels, filter and token scope), or null. The
 * filter's `states` need the ledger's record of the version: statesAllow (states.ts) checks them.
 */
export function channelFor(sub: SubView, a: ArticleView): string | null {
  if (!scopeAllows(sub.conn.scope, a)) return null
  return matchChannel(sub.channels, sub.filter, a)
}

const inViewOf = (sub: Sub) => (a: ArticleView) => channelFor(sub, a) !== null

/** Live: one change of an article for one live subscription. */
export function decideLive(sub: Sub, change: Change, state: ArticleState, e: ArticleEvent): Decision | null {
  const c = sub.conn.clearance
  const inView = inViewOf(sub)
  const ch = narrowChange(change, sub.filter.states)
  const d = decide(ch, c, inView, () => exposedView(state.exposure, c, inView, sub.inherited), sub.inherited)
  if (d?.kind === 'event' && ch.before !== null && inView(ch.before) && !passesTickerFilter(sub.filter, e)) return null
  return d
}

/**
 * An embargo release for one subscription: the version it may see now, flagged `released`; for a
 * newsroom subscription filtered to states the story leaves (`embargoed`), a retraction.
 */
export function decideRelease(sub: Sub, state: ArticleState): Decision | null {
  const c = sub.conn.clearance
  const a = visibleVersion(state, c)
  if (a === null || channelFor(sub, a) === null) return null
  const states = sub.filter.states
  if (!statesAllow(states, state)) {
    const held = { event: state.event, released: false }
    return c === 'all' && statesAllow(states, held) ? { kind: 'retract', cause: 'left', match: a } : null
  }
  return { kind: 'event', article: a, embargoed: false }
}

/**
 * The framed release of `state` for one subscription (live or resuming), or null when it gets
 * none or had it already. `position` is asked for only when a message is made.
 */
export function frameRelease(sub: Sub, state: ArticleState, position: () => string): Framed | null {
  const d = decideRelease(sub, state)
  const channel = d === null ? null : channelOf(sub, d)
  const { id, version } = state.event.article
  // a newsroom client had the version already, flagged embargoed: its release is a message of its own
  if (d === null || channel === null || !sub.versions.admit(`${id}\u0000released`, version)) return null
  sub.versions.admit(id, version)
  state.text ??= eventJson(state.event)
  const text = state.text
  return frameDecision(sub, d, channel, position(), state.event, () => text, true)
}

/** What a replay judges an event by: its article's latest version, whether released, who saw it. */
export type ReplayLatest = Pick<ArticleState, 'event' | 'released' | 'exposure'>

/**
 * The state a replay judges `e` by: the ledger's; for a story a news.articles tombstone erased
 * while this instance knew nothing of it (history held none of its records: Ledger.erasedUnknown),
 * its kill as a replay from the log reads it (the erasure ingest wrote, or the withdrawal before a
 * tombstone by hand): final, nothing of the story comes after it. Who saw the story is not known
 * here, so it may have been public before in the view it was killed in, as where history brings
 * the kill alone (store.ts goLive). Judged by no state, a reader shown the story on an instance
 * that had not read the erasure, resuming here, was never told of the kill (red29d, 2026-12-07).
 */
export function replayState(ledger: Pick<Ledger, 'latest' | 'erasedUnknown'>, e: ArticleEvent): ReplayLatest | undefined {
  const s = ledger.latest(e.article.id)
  if (s !== undefined || !isKill(e) || !ledger.erasedUnknown(e.article.id)) return s
  const exposure: Exposure = []
  expose(exposure, e.article, everyClearance, false)
  return { event: e, released: true, exposure }
}

/**
 * Replay (memory or Kafka): one event a resuming subscription's cursor passes. `record` is what
 * the ledger noted when it applied the event (null when it is older than memory). Intermediate
 * versions are sent only while the article is visible now and only if they were visible once;
 * the article's latest event brings the client to what it may see now: that version, or a
 * retraction if the client may hold the article.
 */
export function decideReplay(
  sub: Sub,
  e: ArticleEvent,
  record: { applied: boolean; released: boolean } | null,
  latest: ReplayLatest | undefined,
): Decision | null {
  if (!latest) return null
  const c = sub.conn.clearance
  const inView = inViewOf(sub)
  if (latest.event.eventId !== e.eventId) {
    if (sub.catchUp === 'latest' || latest.event.article.version <= e.article.version) return null
    if (visibleVersion(latest, c) === null) return null
    // erased: no earlier version's text is sent again, to the newsroom either (its kill follows)
    if (isErasure(latest.event)) return null
    if (record !== null && !record.applied) return null
    const released = record ? record.released : releasedOnArrival(e)
    const seen = visibleVersion({ event: e, released }, c)
    if (seen === null || !inView(seen) || !passesTickerFilter(sub.filter, e)) return null
    if (!statesAllow(sub.filter.states, { event: e, released })) return null
    return { kind: 'event', article: seen, embargoed: c === 'all' && !released }
  }
  const after = visibleVersion(latest, c)
  if (after !== null && inView(after) && statesAllow(sub.filter.states, latest)) {
    if (latest.event.type === 'WITHDRAWN') return { kind: 'retract', cause: 'withdrawn', match: after }
    return { kind: 'event', article: after, embargoed: c === 'all' && !latest.released }
  }
  // a view the client may hold it in: what this replay sent is in the exposure too
  return retraction(
    after !== null && !isKill(latest.event) ? 'left' : causeOf(latest, c),
    exposedView(latest.exposure, c, inView, sub.inherited),
  )
}

const defaultReason: Record<Cause, string> = {
  withdrawn: 'withdrawn',
  canceled: 'canceled',
  withheld: 'withheld',
  embargoed: 'under embargo again',
  left: "no longer in this subscription's channels, filter or scope",
}

/** The `reason` of a `withdrawn` message: the newsroom's own words for kills and holds. */
export function reasonOf(cause: Cause, e: Pick<ArticleEvent, 'reason'>): string {
  return (cause === 'withdrawn' || cause === 'canceled' || cause === 'withheld' ? e.reason : null) ?? defaultReason[cause]
}

/** Frames a message once; it can be re-framed with another position when lanes reorder a write (lanes.ts). */
export function framed(transport: Transport, type: ServerMessageType, json: string, position: string, lane: Lane): Framed {
  const data = transport.frame(type, json, position)
  const at = json.indexOf(`"position":${JSON.stringify(position)}`)
  const reframe = (other: string) => {
    const moved = `${json.slice(0, at)}"position":${JSON.stringify(other)}${json.slice(at + position.length + 13)}`
    return transport.frame(type, moved, other)
  }
  return { data, lane, position, reframe: at < 0 ? undefined : reframe }
}

/** The framed message of a decision (the event's JSON made only when needed). */
export function frameDecision(
  sub: Sub,
  d: Decision,
  channel: string,
  position: string,
  e: Pick<ArticleEvent, 'eventId' | 'reason' | 'type'> & { article: Pick<Article, 'id' | 'version' | 'headline'> },
  text: () => string,
  released = false,
): Framed {
  const transport = sub.conn.transport
  if (d.kind === 'retract') {
    // an event says it by its id (unreadable.ts isHoldStandIn), a retraction by this flag
    const json = withdrawnMessage({
      sub: sub.id,
      channel,
      position,
      articleId: e.article.id,
      version: e.article.version,
      cause: d.cause,
      // only possibly shown (an estimate): the newsroom's words go to who surely saw it
      reason: reasonOf(d.cause, d.unsure ? { reason: null } : e),
      guess: isHoldStandIn(e),
      // a desk showing the story keeps its headline, struck through, unless told (red21d's report)
      erased: isErasure(e),
    })
    return framed(transport, 'withdrawn', json, position, 'priority')
  }
  const json = eventMessage({ sub: sub.id, channel, position, embargoed: d.embargoed, released }, text())
  return framed(transport, 'event', json, position, laneOfEvent(d.article, d.embargoed))
}

/**
 * A decision as a short constant, for frame keys: readers whose decisions differ (a sure and an
 * unsure retraction differ in their reason) never share a frame.
 */
export function decisionTag(d: Decision): string {
  if (d.kind === 'event') return d.embargoed ? 'e!' : 'e'
  return d.unsure ? `${d.cause}?` : d.cause
}

/** The channel a decision is reported on. */
export function channelOf(sub: Sub, d: Decision): string | null {
  return channelFor(sub, d.kind === 'event' ? d.article : d.match)
}
