// Duplicate filter for live-story entries: per (story, entry), the newest version delivered and
// whether it was taken off since. Like the article filter (dedupe.ts), bounded: the entries heard
// of longest ago are forgotten first.
import type { EntryWithdrawnCause } from './story-types.ts'

interface EntryMark {
  version: number
  /** The delivered version was flagged embargoed (newsroom): its release may still come. */
  embargoed: boolean
  /** Taken off after that version, and why. */
  withdrawn: EntryWithdrawnCause | 'unknown' | null
}

export class EntryDedupe {
  readonly capacity: number
  #marks = new Map<string, EntryMark>()

  constructor(capacity: number) {
    this.capacity = capacity
  }

  /** true when this version of the entry is new and must be delivered; records it. */
  acceptEntry(storyId: string, entryId: string, version: number, flags: { embargoed: boolean; released: boolean }): boolean {
    const key = keyOf(storyId, entryId)
    const mark = this.#marks.get(key)
    if (mark) {
      if (version < mark.version || mark.withdrawn === 'deleted') return false
      // The same version again is news only as a release: of an embargo the newsroom saw, or of
      // one that took the entry off for this reader (its time passed on the server's clock)
      const release = (flags.released && mark.embargoed) || mark.withdrawn === 'embargoed'
      if (version === mark.version && !release) return false
    }
    this.#mark(key, { version, embargoed: flags.embargoed && !flags.released, withdrawn: null })
    return true
  }

  /**
   * true unless it is stale (a deletion never is, unless it repeats one): the entry was already
   * taken off at this version or later, or a newer version than the one that took it off was
   * delivered since (a replay of an old withdrawal).
   */
  acceptWithdrawn(storyId: string, entryId: string, version: number, cause: EntryWithdrawnCause | null): boolean {
    const key = keyOf(storyId, entryId)
    const mark = this.#marks.get(key)
    // A deletion is final and taken whatever its version (once): an instance standing in for an
    // undecodable deletion numbers it after the version it knows, which may be older than one an
    // upgraded instance delivered (unreadable.ts deletionOf)
    if (mark?.withdrawn === 'deleted') return false
    if (cause === 'deleted') {
      this.#mark(key, { version: Math.max(version, mark?.version ?? 0), embargoed: false, withdrawn: 'deleted' })
      return true
    }
    if (mark && (mark.withdrawn ? mark.version >= version : mark.version > version)) return false
    this.#mark(key, { version: Math.max(version, mark?.version ?? 0), embargoed: false, withdrawn: cause ?? 'unknown' })
    return true
  }

  /** Forget a story's entries: it came down and took them with it, so they may come back as they were. */
  forgetStory(storyId: string): void {
    const prefix = keyOf(storyId, '')
    for (const key of this.#marks.keys()) if (key.startsWith(prefix)) this.#marks.delete(key)
  }

  /** Forget everything (after a `reset`). */
  clear(): void {
    this.#marks.clear()
  }

  get size(): number {
    return this.#marks.size
  }

  #mark(key: string, mark: EntryMark): void {
    // delete + set moves the entry to the young end of the Map's insertion order
    this.#marks.delete(key)
    this.#marks.set(key, mark)
    if (this.#marks.size > this.capacity) {
      const oldest = this.#marks.keys().next()
      if (!oldest.done) this.#marks.delete(oldest.value)
    }
  }
}

// An entry id never contains NUL, so the pair cannot collide
const keyOf = (storyId: string, entryId: string) => `${storyId}\u0000${entryId}`
