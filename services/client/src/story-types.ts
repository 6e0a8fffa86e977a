// Public types of live stories on the stream (docs/live-stories-protocol.md): entries, the frames
// that carry them and the messages the client delivers. A leaf module: types.ts imports it.

/** What an update corrected (IPTC signal sig:correction with its note). */
export interface Correction {
  note: string
  /** ISO 8601 instant */
  at: string
}

/** One entry of a live story, as the stream and `GET /v1/stories/<id>/entries` carry it. */
export interface StoryEntry {
  id: string
  /** Creation order within the story (1, 2, 3…); never changes. */
  seq: number
  /** Grows with every change of this entry. */
  version: number
  headline: string | null
  /** Paragraphs. */
  body: string[]
  authors: string[]
  pinned: boolean
  keyEvent: boolean
  /** ISO 8601 instant: the time readers see on the entry. */
  publishedAt: string
  /** ISO 8601 instant */
  updatedAt: string
  pubStatus: 'usable' | 'withheld' | 'canceled'
  /** ISO 8601 instant */
  embargoedUntil: string | null
  /** Every correction of the entry, oldest first. */
  corrections: Correction[]
  [field: string]: unknown
}

/** Why an entry must be taken off: deleted for good, or held back (withheld, under embargo again) for now. */
export type EntryWithdrawnCause = 'deleted' | 'withheld' | 'embargoed'

// ---- wire frames, server → client ----

export interface EntryFrame {
  type: 'entry'
  channel: string
  position: string
  storyId: string
  change: 'created' | 'updated'
  correction: Correction | null
  changedFields: string[]
  entry: StoryEntry
  embargoed: boolean
  released: boolean
  /** The version is a fan-out's stand-in hold's: a guess (entry-dedupe.ts). */
  guess: boolean
}

export interface EntryWithdrawnFrame {
  type: 'entryWithdrawn'
  channel: string
  position: string
  storyId: string
  entryId: string
  version: number
  cause: EntryWithdrawnCause | null
  reason: string | null
  guess: boolean
}

// ---- what the client delivers ----

/**
 * A new visible version of an entry: created, edited, corrected, its flags changed, or released
 * from its embargo (`released`). Each `(storyId, entry.id, entry.version)` is delivered at most
 * once. `snapshot: true` marks entries of the `subscribed` snapshot and of pages (`channel` null,
 * `position` the subscription's).
 */
export interface EntryMessage {
  type: 'entry'
  channel: string | null
  /** A Position. */
  position: string
  storyId: string
  change: 'created' | 'updated'
  /** Set when this version corrects the entry. */
  correction: Correction | null
  changedFields: string[]
  entry: StoryEntry
  /** Newsroom only: the entry is still under its own embargo. */
  embargoed: boolean
  /** The entry's embargo has just been lifted. */
  released: boolean
  snapshot: boolean
  /** A fan-out's stand-in hold: its version is a guess, and the entry's next version may carry any number. */
  guess?: boolean
}

/** Take the entry off: `cause` says whether for good (`deleted`) or for now. */
export interface EntryWithdrawnMessage {
  type: 'entryWithdrawn'
  /** A Position. */
  position: string
  storyId: string
  entryId: string
  version: number
  cause: EntryWithdrawnCause | null
  reason: string | null
  /** As on `entry`: the version is a stand-in hold's guess. */
  guess?: boolean
}

/** A page of older entries (`storyEntries()`), newest first. */
export interface EntryPage {
  storyId: string
  /** As snapshot entries (`snapshot: true`); versions the client already had are left out. */
  items: EntryMessage[]
  /** The `before` of the next page (an entry `seq`); null at the end. */
  next: number | null
}
