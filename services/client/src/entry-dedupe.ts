// Duplicate filter for live-story entries: per (story, entry), the newest version delivered and
// whether it was taken off since. Like the article filter (dedupe.ts), a fan-out's stand-in hold's
// version is a guess: the next version on the stream decides again, whatever its number. A
// deletion is final: neither a reset (`clear()`) nor the story coming down (`clear(prefix)`)
// forgets it, since a reset or a page made by a process that has not read it must not bring the
// entry back (red14 attack run). Bounded: the entries heard of longest ago are forgotten first;
// deletions have a memory of their own that only deletions fill (among every entry's marks, a busy
// live story pushed a deletion out and a lagging process's reset brought the entry back: red24b).
import { touch } from './lru.ts'
import type { EntryWithdrawnCause } from './story-types.ts'

interface EntryMark {
  version: number
  /** The delivered version was flagged embargoed (newsroom): its release may still come. */
  embargoed: boolean
  /** Taken off after that version, and why. */
  withdrawn: EntryWithdrawnCause | 'unknown' | null
  /** That version was a stand-in hold's (the frame's `guess`). */
  guess?: boolean
  /** The highest guess the writer's own record replaced: a page's stand-in at or below it is stale. */
  over?: number
}

export class EntryDedupe {
  readonly capacity: number
  #marks = new Map<string, EntryMark>()
  /** Entries deleted: final, kept across resets, forgotten only for `capacity` later deletions. */
  #deleted = new Map<string, true>()

  constructor(capacity: number) {
    this.capacity = capacity
  }

  /** true when this version of the entry is new and must be delivered; records it. */
  acceptEntry(
    storyId: string,
    entryId: string,
    version: number,
    flags: { embargoed: boolean; released: boolean; snapshot?: boolean; guess?: boolean },
  ): boolean {
    const key = keyOf(storyId, entryId)
    const mark = this.#marks.get(key)
    // after a stand-in's guess, the next version on the stream (not a page) decides, whatever its number
    const real = mark?.guess === true && !flags.guess && !flags.snapshot
    if (this.#deleted.has(key)) return false
    if (mark) {
      // The same version again is news only as a release: of an embargo the newsroom saw, or of
      // one that took the entry off for this reader (its time passed on the server's clock)
      // (a page's item no longer flagged embargoed is the server's release: the stream's may have
      // been shed in a gap, red21d)
      const release = ((flags.released || (flags.snapshot && !flags.embargoed)) && mark.embargoed) || mark.withdrawn === 'embargoed'
      if (!real && (version < mark.version || (version === mark.version && !release))) return false
      // a page answered while a stand-in stood, read after the writer's record replaced it (red18)
      if (flags.snapshot && flags.guess && version <= (mark.over ?? 0)) return false
    }
    const over = real ? mark.version : mark?.over
    touch(
      this.#marks,
      key,
      { version, embargoed: flags.embargoed && !flags.released, withdrawn: null, guess: flags.guess, over },
      this.capacity,
    )
    return true
  }

  /**
   * true unless it is stale (a deletion never is, unless it repeats one): the entry was already
   * taken off at this version or later, or a newer version than the one that took it off was
   * delivered since (a replay of an old withdrawal).
   */
  acceptWithdrawn(storyId: string, entryId: string, version: number, cause: EntryWithdrawnCause | null, guess?: boolean): boolean {
    const key = keyOf(storyId, entryId)
    const mark = this.#marks.get(key)
    // A deletion is final and taken whatever its version (once): an instance standing in for an
    // undecodable deletion numbers it after the version it knows, which may be older than one an
    // upgraded instance delivered (unreadable.ts deletionOf)
    if (this.#deleted.has(key)) return false
    // after a stand-in's guess (a released embargo's delivered as an entry), the writer's next record
    // decides whatever its number, a hold too: dropped as stale below the guess, the entry stayed
    // on the public's page while withheld (red18 attack run)
    const real = mark?.guess === true && !guess
    if (cause !== 'deleted' && mark && !real && (mark.withdrawn ? mark.version >= version : mark.version > version)) return false
    const next: EntryMark = {
      version: real ? version : Math.max(version, mark?.version ?? 0),
      embargoed: false,
      withdrawn: cause ?? 'unknown',
      guess,
      over: real ? mark.version : mark?.over,
    }
    if (cause === 'deleted') touch(this.#deleted, key, true, this.capacity)
    touch(this.#marks, key, next, this.capacity)
    return true
  }

  /** Forget a story's entries: it came down and took them with it, so they may come back as they were. */
  forgetStory(storyId: string): void {
    this.clear(keyOf(storyId, ''))
  }

  clear(prefix = ''): void {
    for (const key of this.#marks.keys()) if (key.startsWith(prefix)) this.#marks.delete(key)
  }

  get size(): number {
    return this.#marks.size
  }
}

// An entry id never contains NUL, so the pair cannot collide
const keyOf = (storyId: string, entryId: string) => `${storyId}\u0000${entryId}`
