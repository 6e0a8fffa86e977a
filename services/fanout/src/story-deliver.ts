// What one `story:<id>` subscription gets for one entry event, entry release or replayed entry
// event, and its framed message. Decisions come from the ledger's record (entries.ts) and the
// server's clock (entry-visibility.ts), like deliver.ts for articles. Pure apart from framing
// through the connection's transport.
import type { EntryEvent, StoryEntry } from '@newswire/shared'
import { entryStateKey } from '@newswire/shared'
import { channelFor, framed } from './deliver.ts'
import { laneOfVersion } from './lanes.ts'
import type { EntryState } from './entries.ts'
import type { EntryDecision, EntryLatest } from './entry-visibility.ts'
import { entryCauseOf, hasEntryBit, hiddenByItself, retractionOf, visibleEntry } from './entry-visibility.ts'
import type { Framed, Sub } from './model.ts'
import { statesAllow } from './states.ts'
import { isHoldStandIn } from './unreadable.ts'
import { entryMessageHead, entryReasonOf, entryWithdrawnMessage } from './story-messages.ts'
import type { Clearance, Latest } from './visibility.ts'
import { visibleVersion } from './visibility.ts'

/** The key of an entry in version gates and queues: its state's key in news.articles (lanes.ts reads its story back). */
export const entryKey = entryStateKey

/** The story, in state `story`, is visible to the subscription: clearance, channel, filter and token scope. */
export function storyInView(sub: Sub, story: Latest | undefined): boolean {
  const a = visibleVersion(story, sub.conn.clearance)
  return a !== null && channelFor(sub, a) !== null && statesAllow(sub.filter.states, story as Latest)
}

/**
 * Whether the subscription may show the entry: `sure` when this instance showed it to its
 * clearance, `maybe` when (resumed) some instance may have, null when it cannot.
 */
export function entryExposure(s: Pick<EntryState, 'sure' | 'maybe'>, c: Clearance, inherited: boolean): 'sure' | 'maybe' | null {
  if (hasEntryBit(s.sure, c)) return 'sure'
  return inherited && hasEntryBit(s.maybe, c) ? 'maybe' : null
}

/**
 * Replay (memory or Kafka): one entry event a resuming subscription's cursor passes, judged now.
 * `record` is what the ledger noted when it applied the event (null: read from the log). An
 * intermediate version goes out only while the entry is visible now and only if it was visible
 * when it was written, through the story as it stood then (`record.story`): a version written and
 * replaced while the story was under embargo or withheld was never the public's, even once the
 * story is. Read from the log, the story's state then is not known, so no intermediate version
 * goes out. The entry's latest event brings the client to what it may see now: that version, or
 * a retraction if the client may hold the entry. While the story is out of the subscription's
 * view only a retraction of an entry hidden by its own state (the client may not have been told of
 * the story yet).
 */
export function decideEntryReplay(
  sub: Sub,
  e: EntryEvent,
  record: { applied: boolean; released: boolean; story: Latest | undefined } | null,
  story: Latest | undefined,
  latest: EntryState | undefined,
): EntryDecision | null {
  if (!latest) return null
  const c = sub.conn.clearance
  if (!storyInView(sub, story)) {
    // A replay may judge this while the story is out of view and pass the record that took it out
    // only once it is back (its embargo passed meanwhile), so the client is never told to drop the
    // story: an entry deleted or hidden by its own state is retracted now (red14b: a reader resuming
    // across a story's embargoed update kept a deleted entry)
    const own = latest.event.eventId === e.eventId && hiddenByItself(latest, c)
    return own ? retractionOf(entryExposure(latest, c, sub.inherited), entryCauseOf(latest, c)) : null
  }
  const created = e.type === 'ENTRY_CREATED'
  if (latest.event.eventId !== e.eventId) {
    if (sub.catchUp === 'latest' || latest.event.entry.version <= e.entry.version) return null
    if (visibleEntry(story, latest, c) === null) return null
    if (record === null || !record.applied) return null
    const version = { event: e, released: record.released }
    // through the story as it stood in this subscription's view then: its token scope too (a
    // version written while the story was on another desk, red14 attack run)
    if (visibleEntry(record.story, version, c) === null || !storyInView(sub, record.story)) return null
    const seen = visibleEntry(story, version, c)
    return seen === null ? null : { kind: 'entry', entry: seen, embargoed: c === 'all' && !record.released, created }
  }
  const after = visibleEntry(story, latest, c)
  if (after !== null) return { kind: 'entry', entry: after, embargoed: c === 'all' && !latest.released, created }
  return retractionOf(entryExposure(latest, c, sub.inherited), entryCauseOf(latest, c))
}

/**
 * An entry's release for one subscription that shows its story: the version it may see now,
 * flagged `released` (`change: created` for whoever could not see it before: all but the
 * newsroom, which had it flagged). Null when it gets none or had it already.
 */
export function decideEntryRelease(sub: Sub, story: Latest | undefined, s: EntryState): EntryDecision | null {
  const c = sub.conn.clearance
  const after = visibleEntry(story, s, c)
  if (after === null || !storyInView(sub, story)) return null
  const key = entryKey(s.event.article.id, after.id)
  if (!sub.versions.admit(`${key}\u0000released`, after.version)) return null
  sub.versions.admit(key, after.version)
  const held: EntryLatest = { event: s.event, released: false }
  return { kind: 'entry', entry: after, embargoed: false, created: visibleEntry(story, held, c) === null }
}

/** The framed message of an entry decision; `tail` is the `entry` message's shared end (story-messages.ts). */
export function frameEntryDecision(
  sub: Sub,
  d: EntryDecision,
  position: string,
  e: Pick<EntryEvent, 'eventId' | 'reason' | 'article'> & { entry: Pick<StoryEntry, 'id' | 'version'> },
  tail: () => string,
  released = false,
): Framed {
  const transport = sub.conn.transport
  const channel = sub.channels[0]?.name ?? ''
  const storyId = e.article.id
  if (d.kind === 'retract') {
    const json = entryWithdrawnMessage({
      sub: sub.id,
      channel,
      position,
      storyId,
      entryId: e.entry.id,
      version: e.entry.version,
      cause: d.cause,
      // only possibly seen (a restart's estimate): the newsroom's words go to who surely saw it
      reason: entryReasonOf(d.cause, d.unsure ? { reason: null } : e),
      guess: isHoldStandIn(e),
    })
    return framed(transport, 'entryWithdrawn', json, position, 'priority')
  }
  const head = entryMessageHead({
    sub: sub.id,
    channel,
    position,
    storyId,
    created: d.created,
    embargoed: d.embargoed,
    released,
    guess: isHoldStandIn(e),
  })
  // a hold or an embargo the reader learns of from the version itself is never shed (lanes.ts)
  return framed(transport, 'entry', head + tail(), position, laneOfVersion(d.entry, d.embargoed, false))
}
