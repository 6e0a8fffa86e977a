// A hold (pubStatus withheld) or an embargo still to come, read with a number no higher than the
// live version it meets, of a story or entry someone outside the newsroom sees. By its number it
// is old news (ledger.ts apply, entries.ts apply), and dropped it left the story public (red12
// attack run: a writer that is not ingest, or an ingest deciding on a stale state). Unlike a kill
// (late-kill.ts) a hold is not final: numbered as the next version for good, it would make its
// writer's own next record look old. It fails closed as an undecodable record does (unreadable.ts):
// it stands in as the next version, withheld or embargoed as it says, with the content already
// known, and its reason; its event id is the record's under the stand-in holds' prefix (lateHoldId:
// a replay of the record from the log meets it as the latest event, Store.replayed, and SDKs take
// it as a guess); the stand-in's number is a guess (numberIsAGuess), so the next record read decides
// again, whatever its number (a stand-in is replaced, never renumbered over). A record that takes
// the story from nobody outside the newsroom, or the live version's own record read again (the
// same event id), stays old news. Pure.
import type { ArticleEvent, EntryEvent, PubStatus } from '@newswire/shared'
import { entryMask, isEntryDeleted } from './entry-visibility.ts'
import type { EntryLatest } from './entry-visibility.ts'
import { givesWayToHistory } from './loaded-state.ts'
import type { Loaded } from './loaded-state.ts'
import { isHoldStandIn, lateHoldId } from './unreadable.ts'
import { isKill, visibleVersion } from './visibility.ts'
import type { Latest } from './visibility.ts'

/** A latest version whose number is a guess (a stand-in hold, of either kind): the next record read is newer, whatever its number. */
export const numberIsAGuess = isHoldStandIn

/**
 * A stand-in's status: the record's, but a hold it meets stays (a record numbered as old as the
 * version it meets is a guess too: usable under a new embargo over a story the desk withheld, it
 * stood in usable, and the public was shown the story at the embargo: red16c attack run).
 */
const heldStatus = (prev: PubStatus, record: PubStatus): PubStatus => (prev === 'withheld' ? prev : record)

/** Clearances outside the newsroom (public, released) that see `s`, as bits. */
const outside = (s: Latest): number => (visibleVersion(s, 'public') ? 1 : 0) | (visibleVersion(s, 'released') ? 2 : 0)

/** A latest state as the ledger holds it, and where it came from (loaded-state.ts). */
interface Held<E> extends Loaded {
  event: E
  released: boolean
}

const due = (until: number | null, now: number): boolean => until !== null && until <= now

const fields = (a: { pubStatus: unknown; embargoedUntil: unknown }, b: { pubStatus: unknown; embargoedUntil: unknown }) =>
  (['pubStatus', 'embargoedUntil'] as const).filter((f) => a[f] !== b[f])

/**
 * `e` as the next version of `latest`'s article, marked a stand-in, when it is numbered as high or
 * lower and would hide the article from someone outside the newsroom who sees it (at `now`, the
 * ledger's clock); else `e` itself. While catching up a state from news.articles gives way to
 * history's first record (Ledger.apply), so it is not met, unless its own record is known to be
 * older than history (`before`: Store undoes what history brought over it, and judges it again).
 */
export function holdAsNext(e: ArticleEvent, latest: Held<ArticleEvent> | undefined, now: number, catchingUp: boolean): ArticleEvent {
  // the number first: nearly every record read is newer than the live version
  if (latest === undefined || e.article.version > latest.event.article.version) return e
  if (isKill(e) || e.eventId === latest.event.eventId || numberIsAGuess(latest.event) || givesWayToHistory(latest, catchingUp)) return e
  const prev = latest.event.article
  const { embargoedUntil } = e.article
  const pubStatus = heldStatus(prev.pubStatus, e.article.pubStatus)
  const article = { ...prev, version: prev.version + 1, pubStatus, embargoedUntil, updatedAt: e.article.updatedAt ?? prev.updatedAt }
  const next: ArticleEvent = {
    ...e,
    eventId: lateHoldId(e),
    type: 'UPDATED',
    changedFields: fields(article, prev),
    correction: null,
    article,
  }
  const released = embargoedUntil === null || due(embargoedUntil, now)
  // catching up, a version whose embargo passed by `now` may have been released on some server (INGEST_LEAD_MS)
  const was = { event: latest.event, released: latest.released || (catchingUp && due(prev.embargoedUntil, now)) }
  if ((outside(was) & ~outside({ event: next, released })) === 0) return e
  return next
}

/** The same for an entry's event, with its story's state `story`: seen through its story only. */
export function entryHoldAsNext(
  e: EntryEvent,
  latest: Held<EntryEvent> | undefined,
  story: Latest | undefined,
  now: number,
  catchingUp: boolean,
): EntryEvent {
  if (latest === undefined || e.entry.version > latest.event.entry.version) return e
  if (isEntryDeleted(e) || e.eventId === latest.event.eventId || numberIsAGuess(latest.event) || givesWayToHistory(latest, catchingUp))
    return e
  const prev = latest.event.entry
  const { embargoedUntil } = e.entry
  const pubStatus = heldStatus(prev.pubStatus, e.entry.pubStatus)
  const entry = { ...prev, version: prev.version + 1, pubStatus, embargoedUntil, updatedAt: Math.max(prev.updatedAt, e.entry.updatedAt) }
  const article = story?.event.article ?? e.article
  const next: EntryEvent = {
    ...e,
    eventId: lateHoldId(e),
    type: 'ENTRY_UPDATED',
    changedFields: fields(entry, prev),
    correction: null,
    article,
    entry,
  }
  const released = embargoedUntil === null || due(embargoedUntil, now)
  const seen = (s: EntryLatest) => entryMask(story, s) & 3
  const was = { event: latest.event, released: latest.released || (catchingUp && due(prev.embargoedUntil, now)) }
  if ((seen(was) & ~seen({ event: next, released })) === 0) return e
  return next
}
