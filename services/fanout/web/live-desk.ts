// The live stories on the newsroom dashboard. Each one the desk shows is followed on its own
// `story:<id>` subscription with the newsroom's token (followStory), every entry paged in, so the
// dashboard knows how many entries each has and in which editorial state, and an editor can open
// one and watch it. The newsroom sees embargoed (flagged) and withheld entries as entries; deleted
// ones come only as a removal, so the desk keeps those it saw deleted, marked, while it is open
// (the server keeps no deleted entry to send after a reload). An entry reaches readers only through
// its story: while the story is withheld or under embargo, none of its entries runs, and each reads
// as held with it (red17c attack run: they read `live`).
import {
  type Article,
  connect,
  type EditorialState,
  editorialState,
  embargoEnd,
  followStory,
  type StoryEntry,
  type StoryFollower,
} from '@newswire/client'
import { toMs } from './format.ts'
import { keepTrying } from './staying.ts'

export type EntryState = 'live' | 'embargoed' | 'withheld' | 'deleted'

export const entryStates: readonly EntryState[] = ['live', 'embargoed', 'withheld', 'deleted']

export interface DeskEntry {
  entry: StoryEntry
  state: EntryState
  /** Epoch ms its embargo ends (NaN: none). */
  embargoEnd: number
  /** The newsroom's reason, for a deletion. */
  reason: string | null
}

/** How the story itself stands (the desk's word for it, stateOf) and when its embargo ends (NaN: not known). */
export interface StoryRun {
  state: EditorialState
  embargoEnd: number
}

export const RUNNING: StoryRun = { state: 'live', embargoEnd: Number.NaN }

/**
 * An entry's state: deleted, held back, under embargo (until the server's release comes), or live,
 * by its own state and its story's (a kill wins over a hold, a hold over an embargo): an entry of a
 * story that does not run does not run either (the fan-out's visibleEntry).
 */
export function entryState(e: StoryEntry, embargoed: boolean, story: EditorialState = 'live'): EntryState {
  if (e.pubStatus === 'canceled' || story === 'withdrawn') return 'deleted'
  if (e.pubStatus === 'withheld' || story === 'withheld') return 'withheld'
  // until the server's release, whatever the editor's clock says (editorialState)
  return embargoed || story === 'embargoed' ? 'embargoed' : 'live'
}

const storyReason: Record<EditorialState, string | null> = {
  live: null,
  embargoed: 'its story is under embargo',
  withheld: 'its story is withheld',
  withdrawn: 'its story was withdrawn',
}

/** An entry of the story as the desk shows it: its state, when its embargo ends, and why, when its story holds it. */
export function deskEntry(entry: StoryEntry, embargoed: boolean, story: StoryRun = RUNNING): DeskEntry {
  const own = entryState(entry, embargoed)
  const state = entryState(entry, embargoed, story.state)
  const ownEnd = own === 'embargoed' ? (toMs(entry.embargoedUntil) ?? Number.NaN) : Number.NaN
  // under both embargoes it runs at the later end; under its story's alone, at the story's
  const end = story.state !== 'embargoed' ? ownEnd : Number.isNaN(ownEnd) ? story.embargoEnd : Math.max(ownEnd, story.embargoEnd)
  return {
    entry,
    state,
    embargoEnd: state === 'embargoed' ? end : (toMs(entry.embargoedUntil) ?? Number.NaN),
    reason: state === own ? null : storyReason[story.state],
  }
}

/** Newest first, by seq. */
const newest = (a: DeskEntry, b: DeskEntry) => b.entry.seq - a.entry.seq

export class DeskStory {
  readonly id: string
  /** Still paging its entries in. */
  loading = true
  /**
   * Its older entries could not all be paged in (the page failed: a process behind, a timeout):
   * the counts are of those it has, and say so. They read as the story's whole ("100 entries: 100
   * live" of 250, a withheld one among the rest; red21d attack run). The next subscribe pages again.
   */
  partial = false
  #follower: StoryFollower
  #close: () => Promise<void>
  #deleted = new Map<string, { entry: StoryEntry; reason: string | null }>()
  #run: StoryRun | null = null

  constructor(id: string, token: string, changed: () => void) {
    this.id = id
    const client = connect('/', { channels: [`story:${id}`], token, entries: 100, ...keepTrying })
    this.#close = () => client.close()
    const f = followStory(client, id, {
      entry: changed,
      story: (u) => {
        const state = editorialState(u.message)
        this.#run = { state, embargoEnd: state === 'embargoed' ? embargoEnd(u.message) : Number.NaN }
        changed()
      },
      entryRemoved: (r) => {
        if (r.cause === 'deleted') this.#deleted.set(r.entryId, { entry: r.entry, reason: r.reason })
        if (r.cause === 'story' || r.cause === 'reset') this.#deleted.clear()
        changed()
      },
      gone: () => {
        this.#run = null
        this.#deleted.clear()
        changed()
      },
    })
    this.#follower = f
    // The snapshot holds the latest 100 and the pinned ones: the rest a page at a time
    client.on('subscribed', () =>
      queueMicrotask(async () => {
        try {
          while (f.hasOlder) await f.older(100)
          this.partial = false
        } catch {
          // counts stay as far as they got, said to be partial; the next subscribe pages again
          this.partial = true
        }
        this.loading = false
        changed()
      }),
    )
  }

  /**
   * How the story stands on its own subscription (null: not known yet, or gone), for when the
   * desk's list does not hold it: a `reset` of the desk's stream whose snapshot left it out (red19:
   * the open story then read as running, and the entries of a held story `live`).
   */
  get run(): StoryRun | null {
    return this.#run
  }

  /** The story's newest version on its own subscription (null: not known yet, or gone). */
  get article(): Article | null {
    return this.#follower.story
  }

  /** Every entry the desk knows, newest first, each in its state under its story's (`story`: how the desk shows the story). */
  entries(story: StoryRun = RUNNING): DeskEntry[] {
    const f = this.#follower
    const held = f.entries.map((entry) => deskEntry(entry, f.isEmbargoed(entry.id), story))
    const deleted = [...this.#deleted.values()].map(({ entry, reason }) => ({
      entry,
      state: 'deleted' as const,
      embargoEnd: Number.NaN,
      reason,
    }))
    return [...held, ...deleted].sort(newest)
  }

  counts(story: StoryRun = RUNNING): Record<EntryState, number> {
    const c: Record<EntryState, number> = { live: 0, embargoed: 0, withheld: 0, deleted: 0 }
    for (const e of this.entries(story)) c[e.state]++
    return c
  }

  /** The soonest end of an entry embargo after `now`, else null. */
  nextEmbargoEnd(now: number): number | null {
    let next: number | null = null
    for (const e of this.entries())
      if (e.state === 'embargoed' && e.embargoEnd > now && (next === null || e.embargoEnd < next)) next = e.embargoEnd
    return next
  }

  close(): void {
    void this.#close()
  }
}

/** The live stories the desk follows, at most `max` at a time. */
export class LiveDesk {
  #stories = new Map<string, DeskStory>()
  #token: string
  #changed: (id: string) => void
  #max: number

  constructor(token: string, changed: (id: string) => void, max = 12) {
    this.#token = token
    this.#changed = changed
    this.#max = max
  }

  /** Follows these stories (the first `max`), and no others. */
  sync(ids: readonly string[]): void {
    const wanted = new Set(ids.slice(0, this.#max))
    for (const [id, s] of this.#stories) {
      if (wanted.has(id)) continue
      s.close()
      this.#stories.delete(id)
    }
    for (const id of wanted) if (!this.#stories.has(id)) this.#stories.set(id, new DeskStory(id, this.#token, () => this.#changed(id)))
  }

  get(id: string): DeskStory | undefined {
    return this.#stories.get(id)
  }

  nextEmbargoEnd(now: number): number | null {
    let next: number | null = null
    for (const s of this.#stories.values()) {
      const at = s.nextEmbargoEnd(now)
      if (at !== null && (next === null || at < next)) next = at
    }
    return next
  }

  close(): void {
    this.sync([])
  }
}
