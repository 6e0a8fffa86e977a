// Validation of what live stories add to the wire (docs/live-stories-protocol.md): entries, the
// `entry` and `entryWithdrawn` frames, and where a story's entries are paged from.
import { isObj, isStr, type Obj, setView } from './protocol.ts'
import type { Correction, EntryFrame, EntryWithdrawnCause, EntryWithdrawnFrame, StoryEntry } from './story-types.ts'
import type { StreamFilter } from './types.ts'

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v)

const withdrawnCauses: readonly string[] = ['deleted', 'withheld', 'embargoed'] satisfies EntryWithdrawnCause[]

export function asCorrection(raw: unknown): Correction | null {
  return isObj(raw) && isStr(raw.note) && isStr(raw.at) ? { note: raw.note, at: raw.at } : null
}

/**
 * An entry (entryToJson), with the newsroom's `"embargoed": true` and a stand-in's `"guess": true`
 * taken out of it and returned beside it (flags of this delivery, not part of the entry). null
 * when malformed.
 */
export function asEntry(raw: unknown): { entry: StoryEntry; embargoed: boolean; guess: boolean } | null {
  if (!isObj(raw) || !isStr(raw.id) || !isInt(raw.seq) || !isInt(raw.version)) return null
  const { embargoed, guess, ...rest } = raw
  const entry = rest as StoryEntry
  // What a renderer relies on, whatever the server left out
  if (!Array.isArray(entry.body)) entry.body = []
  if (!Array.isArray(entry.authors)) entry.authors = []
  if (!Array.isArray(entry.corrections)) entry.corrections = []
  entry.pinned = entry.pinned === true
  entry.keyEvent = entry.keyEvent === true
  return { entry, embargoed: embargoed === true, guess: guess === true }
}

/** `entry` and `entryWithdrawn` frames; a string says what is wrong; null: not an entry frame. */
export function parseEntryFrame(raw: Obj): EntryFrame | EntryWithdrawnFrame | string | null {
  if (raw.type === 'entry') {
    const parsed = asEntry(raw.entry)
    if (!isStr(raw.position) || !isStr(raw.storyId) || !parsed) return 'malformed entry'
    return {
      type: 'entry',
      channel: isStr(raw.channel) ? raw.channel : '',
      position: raw.position,
      storyId: raw.storyId,
      change: raw.change === 'created' ? 'created' : 'updated',
      correction: asCorrection(raw.correction),
      changedFields: Array.isArray(raw.changedFields) ? raw.changedFields.filter(isStr) : [],
      entry: parsed.entry,
      embargoed: raw.embargoed === true || parsed.embargoed,
      released: raw.released === true,
      guess: raw.guess === true,
    }
  }
  if (raw.type === 'entryWithdrawn') {
    if (!isStr(raw.position) || !isStr(raw.storyId) || !isStr(raw.entryId)) return 'malformed entryWithdrawn'
    return {
      type: 'entryWithdrawn',
      channel: isStr(raw.channel) ? raw.channel : '',
      position: raw.position,
      storyId: raw.storyId,
      entryId: raw.entryId,
      version: isInt(raw.version) ? raw.version : 0,
      cause: isStr(raw.cause) && withdrawnCauses.includes(raw.cause) ? (raw.cause as EntryWithdrawnCause) : null,
      reason: isStr(raw.reason) ? raw.reason : null,
      guess: raw.guess === true,
    }
  }
  return null
}

/** The story and entries of a `subscribed` or `reset` frame of a `story:` subscription. */
export function entriesOf(raw: Obj): { story?: string; entries?: unknown[]; entriesMore?: number | null } {
  const story = storyOfChannel(Array.isArray(raw.channels) && isStr(raw.channels[0]) ? raw.channels[0] : undefined)
  if (story === null) return {}
  return {
    story,
    ...(Array.isArray(raw.entries) ? { entries: raw.entries } : {}),
    ...('entriesMore' in raw ? { entriesMore: isInt(raw.entriesMore) ? raw.entriesMore : null } : {}),
  }
}

/** The story of a `story:<id>` channel (the id keeps its case), else null. */
export function storyOfChannel(channel: string | undefined): string | null {
  return channel?.startsWith('story:') && channel.length > 6 ? channel.slice(6) : null
}

/** GET /v1/stories/<id>/entries, beside `sse` (the /v1/sse endpoint), with the reader's filter as on the stream and its position (`at`). */
export function storyEntriesUrl(
  sse: string,
  storyId: string,
  filter: StreamFilter | undefined,
  before: number | null,
  limit?: number,
  at?: string | null,
): string {
  const u = new URL(`stories/${encodeURIComponent(storyId)}/entries`, sse)
  setView(u.searchParams, [], filter)
  if (before !== null) u.searchParams.set('before', String(before))
  if (limit !== undefined) u.searchParams.set('limit', String(limit))
  if (at) u.searchParams.set('at', at)
  return u.href
}
