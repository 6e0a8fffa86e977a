// What a client may see of a live story now: the story's visible version (as on every channel:
// visibility.ts, in the view's channel, filter and token scope), its pinned entries and its latest
// entries, and older entries page by page. Every entry is decided by entry-visibility.ts against
// the ledger's record now. Pages hold unpinned entries only: every visible pinned entry is in the
// snapshot, and pinning or unpinning comes live, so snapshot, pages and the stream hold an entry
// once. Pure: no I/O.
import { entryToJson } from '@newswire/shared'
import type { ArticleEvent } from '@newswire/shared'
import { hasEntryEmbargo } from './entries.ts'
import type { EntryState, StoryEntries } from './entries.ts'
import { visibleEntry } from './entry-visibility.ts'
import type { ArticleState, Ledger } from './ledger.ts'
import type { SnapshotItem } from './messages.ts'
import type { PageQuery, ReaderStream, Watermark } from './snapshot.ts'
import { releasedSince, visibleIn } from './snapshot.ts'
import { isHoldStandIn } from './unreadable.ts'
import type { Clearance } from './visibility.ts'
import { isKill } from './visibility.ts'

/** Who asks: the clearance and the view (a `story:<id>` channel, the filter, the token scope). */
export type StoryQuery = Pick<PageQuery, 'clearance' | 'view' | 'releasedBy'>

export interface StoryNow {
  state: ArticleState | undefined
  /** The story's item for this query, or null when it may not see the story now. */
  item: SnapshotItem | null
  /** Its entries may be shown: the story is in view and not killed. */
  entries: StoryEntries | null
}

/** The story as `q` may see it now. `text` serializes an event (cached on the ledger's state). */
export function storyNow(ledger: Ledger, id: string, q: StoryQuery, text: (e: ArticleEvent) => string): StoryNow {
  const state = ledger.latest(id)
  if (!state || visibleIn(state, q) === null) return { state, item: null, entries: null }
  state.text ??= text(state.event)
  const item = { embargoed: q.clearance === 'all' && !state.released, text: state.text }
  return { state, item, entries: isKill(state.event) ? null : (ledger.entries.of(id) ?? null) }
}

/** The JSON of an entry (cached on its state). */
export function entryText(s: EntryState): string {
  s.text ??= JSON.stringify(entryToJson(s.event.entry))
  return s.text
}

/** An entry as a snapshot or page item for clearance `c`: the newsroom's embargoed ones, and stand-ins, flagged. */
export function entryItem(s: EntryState, c: Clearance): SnapshotItem {
  return { embargoed: c === 'all' && !s.released, text: entryText(s), guess: isHoldStandIn(s.event) }
}

export interface EntryList {
  /** Newest seq first. */
  items: EntryState[]
  /** The seq below which older (unpinned) entries may be paged in; null when there are none. */
  more: number | null
}

/** Visible to `c`, and (`w`: a page for a reader's stream) not released by this process after its watermark (snapshot.ts releasedSince). */
const visible = (story: ArticleState, s: EntryState, c: Clearance, w: Watermark | null = null) =>
  visibleEntry(story, s, c) !== null &&
  (c === 'all' || !releasedSince(s, hasEntryEmbargo(s.event) ? s.event.entry.embargoedUntil : null, w))
const unpinned = (s: EntryState) => !s.event.entry.pinned

/** An entry a page holds at an index below `from` (inclusive), scanning down. */
function anyBelow(all: readonly EntryState[], from: number, onPage: (s: EntryState) => boolean): boolean {
  for (let i = from; i >= 0; i--) if (onPage(all[i] as EntryState)) return true
  return false
}

/** The snapshot's entries: the latest `limit` visible ones and every visible pinned one, each once. */
export function latestEntries(entries: StoryEntries | null, story: ArticleState, c: Clearance, limit: number): EntryList {
  if (entries === null) return { items: [], more: null }
  const all = entries.all()
  const items: EntryState[] = []
  let i = all.length - 1
  for (; i >= 0 && items.length < limit; i--) if (visible(story, all[i] as EntryState, c)) items.push(all[i] as EntryState)
  const lowest = items.at(-1)?.event.entry.seq ?? Number.POSITIVE_INFINITY
  const more = items.length === limit && anyBelow(all, i, (s) => unpinned(s) && visible(story, s, c)) ? lowest : null
  for (const s of entries.pinned()) if (s.event.entry.seq < lowest && visible(story, s, c)) items.push(s)
  items.sort((a, b) => b.event.entry.seq - a.event.entry.seq)
  return { items, more }
}

/**
 * Read at or after the stream's offsets (snapshot.ts changedAfter, for entries): the stream's to
 * bring, and a page with it would give a version the stream then delivers again (stop 48's CI,
 * seed 223094996).
 */
const readAfter = (s: EntryState, o: readonly number[] | null) => o !== null && s.offset !== null && s.offset >= (o[s.partition] ?? 0)

/** Older unpinned visible entries: seq below `before`, newest first, at most `limit`, none the reader's stream is still to bring. */
export function olderEntries(
  entries: StoryEntries | null,
  story: ArticleState,
  c: Clearance,
  before: number,
  limit: number,
  stream: ReaderStream = { releasedBy: null, readTo: null },
): EntryList {
  if (entries === null) return { items: [], more: null }
  const all = entries.all()
  const onPage = (s: EntryState) => unpinned(s) && visible(story, s, c, stream.releasedBy) && !readAfter(s, stream.readTo)
  const items: EntryState[] = []
  let i = entries.lowerBound(before) - 1
  for (; i >= 0 && items.length < limit; i--) if (onPage(all[i] as EntryState)) items.push(all[i] as EntryState)
  const more = items.length === limit && anyBelow(all, i, onPage) ? (items.at(-1) as EntryState).event.entry.seq : null
  return { items, more }
}
