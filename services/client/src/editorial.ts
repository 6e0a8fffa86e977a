// The editorial state of what a message says about an article, the one thing a newsroom tool must
// never get wrong. Pure.
//
// - `live`: running (usable, no embargo pending).
// - `embargoed`: usable but held until `embargoedUntil` (the newsroom sees it flagged).
// - `withheld`: held back for now (pubStatus withheld); it may still run.
// - `withdrawn`: killed, must never run: a withdrawal, or pubStatus canceled.
// The server's `states` filter (StreamFilter.states) uses the same words and precedence, decided
// from its own record and clock (services/fanout/src/states.ts).
import type { EditorialState, NewsEventMessage, WithdrawnMessage } from './types.ts'

export type { EditorialState }

/**
 * The hold a `withdrawn` message puts the story under, else null. A hold is not a kill: the story
 * may run again. `left` says nothing of its state, only that it is no longer this view's, so it
 * reads as not running here; an older server's (no cause), as a kill.
 */
function holdOf(m: WithdrawnMessage): 'withheld' | 'embargoed' | null {
  return m.cause === 'withheld' || m.cause === 'embargoed' ? m.cause : null
}

/**
 * The state of the article version a message carries. An `embargoed` version stays embargoed until
 * the server's `released` message, whatever the clock says: the server releases a story only once
 * it knows no kill was written before its embargo (it may hold a release back), and an editor's
 * clock running ahead read a story as running before the public could see it. `_now` is not read
 * any more (callers pass it).
 */
export function editorialState(m: NewsEventMessage | WithdrawnMessage, _now?: number): EditorialState {
  if (m.type === 'withdrawn') return holdOf(m) ?? 'withdrawn'
  const { event } = m
  const a = event.article
  if (event.type === 'WITHDRAWN' || a.pubStatus === 'canceled') return 'withdrawn'
  if (a.pubStatus === 'withheld') return 'withheld'
  if (m.embargoed) return 'embargoed'
  return 'live'
}

/** When the embargo of the version ends, epoch ms; NaN when it has none or it cannot be read. */
export function embargoEnd(m: NewsEventMessage): number {
  const until = m.event.article.embargoedUntil
  return typeof until === 'string' ? Date.parse(until) : Number.NaN
}

/** Why the article is not running, for `withheld` and `withdrawn` (the server's reason, else the status). */
export function stateReason(m: NewsEventMessage | WithdrawnMessage): string | null {
  if (m.type === 'withdrawn') return m.reason ?? holdOf(m) ?? 'withdrawn'
  const { event } = m
  const status = event.type === 'WITHDRAWN' ? 'withdrawn' : event.article.pubStatus
  if (status !== 'withdrawn' && status !== 'canceled' && status !== 'withheld') return null
  return typeof event.reason === 'string' && event.reason !== '' ? event.reason : status
}
