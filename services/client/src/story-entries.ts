// The entries a live-story follower holds: the newest version of each, by id, listed by `seq`.
// Merging is by version, so the snapshot, pages and the stream can bring an entry in any order and
// it is held once, at its newest version. Pure, no I/O.
import type { StoryEntry } from './story-types.ts'

interface Held {
  entry: StoryEntry
  embargoed: boolean
}

export class StoryEntries {
  #byId = new Map<string, Held>()
  #sorted: StoryEntry[] | null = null

  /**
   * Holds this version unless a newer one is held (the same version again only to lift its
   * embargo flag); `live`: off the stream, where the duplicate filter (entry-dedupe.ts) decided,
   * also over a stand-in's guessed number. Returns what was held before (null for a new entry), or
   * undefined when nothing changed.
   */
  upsert(entry: StoryEntry, embargoed: boolean, live?: boolean): StoryEntry | null | undefined {
    const had = this.#byId.get(entry.id)
    if (had && !live && (entry.version < had.entry.version || (entry.version === had.entry.version && (embargoed || !had.embargoed)))) {
      return undefined
    }
    this.#byId.set(entry.id, { entry, embargoed })
    this.#sorted = null
    return had?.entry ?? null
  }

  /** Takes the entry off; returns it, or null when it was not held. */
  remove(id: string): StoryEntry | null {
    const had = this.#byId.get(id)
    if (!had) return null
    this.#byId.delete(id)
    this.#sorted = null
    return had.entry
  }

  /** Takes every entry off; returns them by seq. */
  clear(): StoryEntry[] {
    const all = [...this.list()]
    this.#byId.clear()
    this.#sorted = null
    return all
  }

  get(id: string): StoryEntry | null {
    return this.#byId.get(id)?.entry ?? null
  }

  /** Newsroom: the held version is still under its embargo. */
  isEmbargoed(id: string): boolean {
    return this.#byId.get(id)?.embargoed === true
  }

  get size(): number {
    return this.#byId.size
  }

  /** Every entry held, oldest first (by `seq`). */
  list(): readonly StoryEntry[] {
    this.#sorted ??= [...this.#byId.values()].map((h) => h.entry).sort((a, b) => a.seq - b.seq)
    return this.#sorted
  }

  /** The lowest `seq` held, null when none. */
  lowestSeq(): number | null {
    return this.list()[0]?.seq ?? null
  }
}
