// The messages of a `story:<id>` subscription beyond every channel's: `entry` and
// `entryWithdrawn`, and the entries a snapshot (`subscribed`, `reset`) adds. The entry's JSON is
// made once per version and spliced into each message. Pure: no I/O.
import { correctionToJson } from '@newswire/shared'
import type { EntryEvent } from '@newswire/shared'
import type { EntryCause } from './entry-visibility.ts'
import type { SnapshotItem } from './messages.ts'
import { snapshotArray } from './messages.ts'

const q = JSON.stringify

export interface EntryMessageParts {
  sub: string
  channel: string
  position: string
  storyId: string
  /** `created`: the subscription did not have this entry; `updated`: a new version of one it had. */
  created: boolean
  embargoed: boolean
  released: boolean
  /** The entry's version is a stand-in hold's (a guess): the next record decides again, whatever its number. */
  guess?: boolean
}

/** An `entry` message up to the entry: what differs between subscriptions and positions. */
export function entryMessageHead(p: EntryMessageParts): string {
  let s = `{"type":"entry","id":${q(p.sub)},"channel":${q(p.channel)},"position":${q(p.position)},"storyId":${q(p.storyId)},"change":"${p.created ? 'created' : 'updated'}"`
  if (p.embargoed) s += ',"embargoed":true'
  if (p.released) s += ',"released":true'
  if (p.guess) s += ',"guess":true'
  return s
}

/** The rest of an `entry` message, the same for every subscription: what changed, the correction it makes, the entry. */
export function entryMessageTail(e: Pick<EntryEvent, 'changedFields' | 'correction'>, entryText: string): string {
  const correction = e.correction ? `,"correction":${q(correctionToJson(e.correction))}` : ''
  return `,"changedFields":${q(e.changedFields)}${correction},"entry":${entryText}}`
}

export interface EntryWithdrawnParts {
  sub: string
  channel: string
  position: string
  storyId: string
  entryId: string
  version: number
  cause: EntryCause
  reason: string
  /** `version` is a stand-in hold's (a guess), as in an `entry` message. */
  guess?: boolean
}

export function entryWithdrawnMessage(p: EntryWithdrawnParts): string {
  return q({
    type: 'entryWithdrawn',
    id: p.sub,
    channel: p.channel,
    position: p.position,
    storyId: p.storyId,
    entryId: p.entryId,
    version: p.version,
    cause: p.cause,
    reason: p.reason,
    ...(p.guess ? { guess: true } : {}),
  })
}

const defaultReason: Record<EntryCause, string> = { deleted: 'deleted', withheld: 'withheld', embargoed: 'under embargo again' }

/** The `reason` of an `entryWithdrawn`: the newsroom's own words for deletions and holds. */
export function entryReasonOf(cause: EntryCause, e: Pick<EntryEvent, 'reason'>): string {
  return (cause === 'embargoed' ? null : e.reason) ?? defaultReason[cause]
}

/**
 * A `subscribed` or `reset` message of a `story:` subscription (messages.ts made it) with the
 * entries of its snapshot and where older ones page from (`entriesMore`). A resumed subscription
 * gets neither: the client keeps what it had.
 */
export function withEntries(json: string, entries: readonly SnapshotItem[], more: number | null): string {
  return `${json.slice(0, -1)},"entries":${snapshotArray(entries)},"entriesMore":${q(more)}}`
}
