// Who sees an entry of a live story, and what a `story:` subscription is told when that changes.
// An entry is seen only through its story: never when the story is hidden from the clearance or
// killed, and then by the entry's own editorial state (deleted, withheld, its own embargo released
// by the server's clock). Pure: no I/O, no clock.
import type { EntryEvent, StoryEntry } from '@newswire/shared'
import type { Clearance, Latest } from './visibility.ts'
import { clearances, isKill, visibleVersion } from './visibility.ts'

/** The ledger's view of one entry's latest version. */
export interface EntryLatest {
  event: Pick<EntryEvent, 'type' | 'entry'>
  /** No embargo of its own, or its time has passed on the server's clock. */
  released: boolean
}

/** A deletion is final, like a kill: ENTRY_DELETED (its last content, canceled). */
export const isEntryDeleted = (e: Pick<EntryEvent, 'type' | 'entry'>): boolean =>
  e.type === 'ENTRY_DELETED' || e.entry.pubStatus === 'canceled'

/** Bit per clearance, as in exposure.ts. */
const bit: Record<Clearance, number> = { public: 1, released: 2, all: 4 }

/**
 * The entry version a clearance may know now: none when the story is invisible to it or killed
 * (a kill takes every entry with it, for the newsroom too), none when the entry is deleted; the
 * newsroom sees the rest (its own embargo flagged), `released` what is past its embargo, the
 * public what is also usable.
 */
export function visibleEntry(story: Latest | undefined, s: EntryLatest | undefined, c: Clearance): StoryEntry | null {
  if (!story || !s || isKill(story.event) || isEntryDeleted(s.event) || visibleVersion(story, c) === null) return null
  const entry = s.event.entry
  if (c === 'all') return entry
  if (!s.released) return null
  if (c === 'released') return entry
  return entry.pubStatus === 'usable' ? entry : null
}

/** The entry is hidden from the clearance by its own state, whatever its story's: deleted, withheld, its embargo to come. */
export function hiddenByItself(s: EntryLatest, c: Clearance): boolean {
  if (isEntryDeleted(s.event)) return true
  if (c === 'all') return false
  return !s.released || (c === 'public' && s.event.entry.pubStatus !== 'usable')
}

/** Clearances (bits) that see the entry under this story state. */
export function entryMask(story: Latest | undefined, s: EntryLatest): number {
  let mask = 0
  for (const c of clearances) if (visibleEntry(story, s, c) !== null) mask |= bit[c]
  return mask
}

export const hasEntryBit = (mask: number, c: Clearance): boolean => (mask & bit[c]) !== 0

/** Why a subscription is told to remove an entry (`entryWithdrawn.cause`). */
export type EntryCause = 'deleted' | 'withheld' | 'embargoed'

/** The cause of `s` hiding an entry that was in view. */
export function entryCauseOf(s: EntryLatest | undefined, c: Clearance): EntryCause {
  if (!s || isEntryDeleted(s.event)) return 'deleted'
  if (c !== 'all' && !s.released) return 'embargoed'
  return 'withheld'
}

export type EntryDecision =
  /** An `entry` message; `created` when the subscription did not have the entry (`change`). */
  | { kind: 'entry'; entry: StoryEntry; embargoed: boolean; created: boolean }
  /**
   * An `entryWithdrawn` message; `unsure` when the subscription only may have shown the entry (an
   * estimate after a restart, which can count a reader who never saw it): it then gets the
   * cause's default reason, not the newsroom's words.
   */
  | { kind: 'retract'; cause: EntryCause; unsure?: true }

/** One change of one entry as a clearance sees it. */
export interface EntryChange {
  before: StoryEntry | null
  after: StoryEntry | null
  /** The change deletes the entry. */
  deletion: boolean
  /** The version before was held back here by the release clock: its own embargo not released yet (decideEntry). */
  heldBack: boolean
  state: EntryLatest
}

export function entryChangeFor(story: Latest | undefined, prev: EntryLatest | undefined, next: EntryLatest, c: Clearance): EntryChange {
  return {
    before: visibleEntry(story, prev, c),
    after: visibleEntry(story, next, c),
    deletion: isEntryDeleted(next.event) && (prev === undefined || !isEntryDeleted(prev.event)),
    heldBack: prev !== undefined && !prev.released && !isEntryDeleted(prev.event) && prev.event.entry.embargoedUntil !== null,
    state: next,
  }
}

/**
 * What one `story:` subscription gets for one change of an entry. `storyInView`: the story is
 * visible to the subscription (clearance, channel, filter, token scope) under the same story
 * state; when it is not, the subscription was told to drop the story and every entry with it.
 * `exposed` tells whether the subscription may show the entry though the change's `before` says
 * it could not (it saw it before it was withheld; a position from another instance): a deletion
 * reaches it too, and a hold of a version this instance's release clock held back (red16).
 */
export function decideEntry(
  ch: EntryChange,
  c: Clearance,
  storyInView: boolean,
  exposed: () => 'sure' | 'maybe' | null,
  inherited = false,
): EntryDecision | null {
  if (!storyInView) return null
  if (ch.after) return { kind: 'entry', entry: ch.after, embargoed: c === 'all' && !ch.state.released, created: ch.before === null }
  if (ch.before) return { kind: 'retract', cause: entryCauseOf(ch.state, c) }
  if (ch.deletion) return retractionOf(exposed(), 'deleted')
  // held back here by the release clock, the version before may have been released and shown to
  // this reader by a process ahead (a resume from there, live here before this clock got to that
  // embargo: red16): a hold reaches it as a deletion does; only a resumed subscription can hold it
  return ch.heldBack && inherited ? retractionOf(exposed(), entryCauseOf(ch.state, c)) : null
}

/** A retraction for an entry the subscription may show (`unsure` when only some instance may have). */
export function retractionOf(exposure: 'sure' | 'maybe' | null, cause: EntryCause): EntryDecision | null {
  if (exposure === null) return null
  return exposure === 'sure' ? { kind: 'retract', cause } : { kind: 'retract', cause, unsure: true }
}
