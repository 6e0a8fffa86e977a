// The server's record of the entries of live stories: per story, every entry's latest version (a
// deleted one too: it is never revived, and older events of it change nothing), whether its own
// embargo has been released by this server's clock, and to which clearances a version of it was
// visible (so a deletion reaches every reader who may show it). Ordered by the entry's `seq` for
// snapshots and pages. The ledger (ledger.ts) drives it in log order and clock order, with the
// story's state of the moment. Pure: no I/O; time is passed in.
import type { EntryEvent } from '@newswire/shared'
import type { EntryLatest } from './entry-visibility.ts'
import { entryMask, isEntryDeleted } from './entry-visibility.ts'
import type { EntryEventRecord } from './history.ts'
import { numberIsAGuess } from './late-hold.ts'
import { givesWayToHistory } from './loaded-state.ts'
import type { Loaded } from './loaded-state.ts'
import { INGEST_LEAD_MS, type Latest } from './visibility.ts'

/** `offset` and `before` (loaded-state.ts): where the state came from. */
export interface EntryState extends EntryLatest, Loaded {
  event: EntryEvent
  partition: number
  /** History seq of the event, when it came through history. */
  seq: number | null
  /** Clearances (bits, entry-visibility.ts) a version of the entry was visible to on this instance. */
  sure: number
  /** Clearances some instance may have shown it to (states from news.articles, embargo races). */
  maybe: number
  /** JSON of the entry (entryToJson), cached for snapshots, pages and messages. */
  text: string | null
}

/** A version whose own embargo is still to be released (a deleted entry is never released). */
export function hasEntryEmbargo(e: Pick<EntryEvent, 'type' | 'entry'>): boolean {
  return !isEntryDeleted(e) && e.entry.embargoedUntil !== null
}

/** The entries of one story, by id and in `seq` order. */
export class StoryEntries {
  readonly #byId = new Map<string, EntryState>()
  /** Ascending `entry.seq`. */
  readonly #bySeq: EntryState[] = []
  /** Latest versions that are pinned and not deleted (snapshots hold every visible one). */
  readonly #pinned = new Set<EntryState>()

  get size(): number {
    return this.#byId.size
  }

  get(entryId: string): EntryState | undefined {
    return this.#byId.get(entryId)
  }

  /** Every entry, oldest seq first. */
  all(): readonly EntryState[] {
    return this.#bySeq
  }

  pinned(): Iterable<EntryState> {
    return this.#pinned
  }

  /** Index of the first entry whose seq is at or above `seq` (all(): the order). */
  lowerBound(seq: number): number {
    const a = this.#bySeq
    let lo = 0
    let hi = a.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((a[mid] as EntryState).event.entry.seq < seq) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  put(s: EntryState): void {
    const id = s.event.entry.id
    const prev = this.#byId.get(id)
    this.#byId.set(id, s)
    if (prev) {
      this.#pinned.delete(prev)
      const i = this.#bySeq.indexOf(prev, this.lowerBound(prev.event.entry.seq))
      if (i >= 0) this.#bySeq.splice(i, 1)
    }
    if (s.event.entry.pinned && !isEntryDeleted(s.event)) this.#pinned.add(s)
    // entries arrive in seq order: almost always an append
    const seq = s.event.entry.seq
    const last = this.#bySeq.at(-1)
    if (last === undefined || last.event.entry.seq <= seq) this.#bySeq.push(s)
    else this.#bySeq.splice(this.lowerBound(seq), 0, s)
  }
}

export class Entries {
  readonly #stories = new Map<string, StoryEntries>()
  #count = 0

  /** Entries known, deleted ones included (metric). */
  get size(): number {
    return this.#count
  }

  of(storyId: string): StoryEntries | undefined {
    return this.#stories.get(storyId)
  }

  get(storyId: string, entryId: string): EntryState | undefined {
    return this.#stories.get(storyId)?.get(entryId)
  }

  /**
   * A latest state from news.articles (at start). Unless it is the entry's first version, it may
   * have been visible before to the clearances in `seen` (bits; the ledger works them out).
   */
  load(partition: number, event: EntryEvent, story: Latest | undefined, now: number, seen: number): EntryState {
    const s = this.#state(event, partition, null, null, story, now, 0, 0)
    if (event.type !== 'ENTRY_CREATED') s.maybe = seen
    this.#put(event.article.id, s)
    return s
  }

  /**
   * Applies one entry event in log order at the ledger's time `now`, noting on `rec` what it
   * replaced and the story's state then. Returns the new state, or null when the event is not
   * newer than the entry's latest version (a duplicate or an older version: old news). `raceWindowMs`: a
   * hide or deletion this close to an unreleased embargo may lose the race on another instance.
   * While catching up `now` is ingest's clock: an embargo surely passed only INGEST_LEAD_MS after it.
   * `mayAt`: the time by which some instance may have released an embargo (Ledger #mayAt).
   */
  apply(
    rec: EntryEventRecord,
    story: Latest | undefined,
    now: number,
    raceWindowMs: number,
    catchingUp: boolean,
    mayAt = now,
  ): EntryState | null {
    const e = rec.event
    const prev = this.get(e.article.id, e.entry.id)
    rec.story = story ? { event: story.event, released: story.released } : undefined
    if (prev && givesWayToHistory(prev, catchingUp) && prev.event.entry.version >= e.entry.version) {
      // A state from news.articles stands in only until history replays the entry's versions
      rec.prev = undefined
      return this.#applied(rec, story, now, catchingUp, prev.sure, prev.maybe, mayAt)
    }
    rec.prev = prev ? { event: prev.event, released: prev.released } : undefined
    // a stand-in hold's version is a guess (unreadable.ts, late-hold.ts): the next record read is newer, whatever its number
    const stale = prev !== undefined && prev.event.entry.version >= e.entry.version && !numberIsAGuess(prev.event)
    // a deletion is final, as a kill is (Ledger.apply), one loaded from news.articles too
    const afterDeletion = prev !== undefined && isEntryDeleted(prev.event) && !isEntryDeleted(e)
    if (prev && (stale || afterDeletion)) {
      // old news, shown to nobody: it adds nothing to who may have seen the entry (Ledger.apply)
      rec.applied = false
      return null
    }
    let maybe = prev?.maybe ?? 0
    // Another instance, its clock up to the race allowance ahead (while catching up `now` is
    // ingest's), may have passed an embargo this one has not, the entry's own or its story's
    // (rev33 review), and shown the version this one replaces: its readers must hear of a deletion too
    if (prev) maybe |= maybeMask(story, prev, mayAt + raceWindowMs - 1)
    return this.#applied(rec, story, now, catchingUp, prev?.sure ?? 0, maybe, mayAt)
  }

  /** A state from news.articles back, with who may have seen it then (Ledger.restoreEntry). */
  restore(loaded: EntryState, sure: number, maybe: number): EntryState {
    const s: EntryState = { ...loaded, sure, maybe, text: null, before: true }
    this.#put(loaded.event.article.id, s)
    return s
  }

  /** The entry's embargo passed on the server's clock; null when its latest version has none pending. */
  release(storyId: string, entryId: string, story: Latest | undefined): EntryState | null {
    const s = this.get(storyId, entryId)
    if (!s || s.released) return null
    s.released = true
    s.sure |= entryMask(story, s)
    return s
  }

  /**
   * The story changed (a new version, a release): its entries may be visible to more clearances
   * now. While catching up (`maybeAt`: ingest's clock) also to those some server may have shown them.
   */
  storyChanged(storyId: string, story: Latest, maybeAt: number | null = null): void {
    const entries = this.#stories.get(storyId)
    if (!entries) return
    for (const s of entries.all()) {
      s.sure |= entryMask(story, s)
      if (maybeAt !== null) s.maybe |= maybeMask(story, s, maybeAt)
    }
  }

  /** Catching up: the entry's own embargo passed on ingest's clock `at`, so some server may have released it. */
  mayRelease(storyId: string, entryId: string, story: Latest | undefined, at: number): void {
    const s = this.get(storyId, entryId)
    if (s && !s.released) s.maybe |= maybeMask(story, s, at)
  }

  /** The new version at `now`; while catching up (`now` is ingest's clock) released only INGEST_LEAD_MS after. */
  #applied(
    rec: EntryEventRecord,
    story: Latest | undefined,
    now: number,
    catchingUp: boolean,
    sure: number,
    maybe: number,
    mayAt = now,
  ): EntryState {
    const s = this.#state(rec.event, rec.partition, rec.offset, rec.seq, story, catchingUp ? now - INGEST_LEAD_MS : now, sure, maybe)
    // ...but some server may have released it by `now` (live: by the host's clock, `mayAt`)
    if (catchingUp || mayAt > now) s.maybe |= maybeMask(story, s, mayAt)
    rec.applied = true
    rec.released = s.released
    this.#put(rec.event.article.id, s)
    return s
  }

  #state(
    event: EntryEvent,
    partition: number,
    offset: number | null,
    seq: number | null,
    story: Latest | undefined,
    now: number,
    sure: number,
    maybe: number,
  ): EntryState {
    const at = hasEntryEmbargo(event) ? event.entry.embargoedUntil : null
    const s: EntryState = { event, partition, offset, seq, released: at === null || at <= now, sure, maybe, text: null }
    s.sure |= entryMask(story, s)
    return s
  }

  #put(storyId: string, s: EntryState): void {
    let entries = this.#stories.get(storyId)
    if (!entries) {
      entries = new StoryEntries()
      this.#stories.set(storyId, entries)
    }
    const before = entries.size
    entries.put(s)
    this.#count += entries.size - before
  }
}

/** Clearances some server may have shown `s` to, with every embargo (the story's, its own) due by `at` taken as released. */
function maybeMask(story: Latest | undefined, s: EntryLatest, at: number): number {
  const due = (until: number | null) => until !== null && until <= at
  const st = story && !story.released && due(story.event.article.embargoedUntil) ? { event: story.event, released: true } : story
  const en = !s.released && due(s.event.entry.embargoedUntil) ? { event: s.event, released: true } : s
  return entryMask(st, en)
}
