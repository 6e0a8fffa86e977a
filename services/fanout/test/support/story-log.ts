// What ingest wrote of each live story, in log order, and what the public may see of it by what a
// fan-out process could hold at a moment: the reference of two-processes-story-model.test.ts.
// A process holds a prefix of each partition's log (a story's article and entry records are keyed
// by the story, so they sit in one partition, in order): the story's first k records. At server
// time t it may hold any prefix it could have read (records ingested by t), and at least every
// record ingested more than `maxLagMs` before t (the test has each process read those before the
// clock passes them: the race allowance assumes processes lag each other by under a minute).
// The public may see, by prefix k at time t: the story if its latest version is usable, not
// killed, and its embargo (if any) is at or before t; an entry if the story is public and the
// entry's latest version is usable, not deleted, and its own embargo is at or before t. A reader
// whose subscription has a filter (its categories) or whose token a desk sees the story only while
// it is in it (`inView`: a story moved out of the reader's category is out of its view as a held
// one is); a newsroom token held to embargoes (clearance `released`) sees withheld stories and
// entries too (`withheld`), as visibility.ts `sees` says.
import type { Article, ArticleEvent, EntryEvent, NewswireEvent } from '@newswire/shared'
import { isKilled } from './model.ts'

interface Logged {
  /** Its offset in the story's partition. */
  offset: number
  ingestedAt: number
  event: NewswireEvent
}

/** The story's public version and its public entries (id → version, seq, pinned), by some prefix at some time. */
export interface PublicView {
  story: number | null
  entries: Map<string, { version: number; seq: number; pinned: boolean }>
}

/**
 * Who reads: whether withheld versions show (clearance `released`), whether everything does
 * (`all`: the newsroom, embargoes and holds included, a killed story as killed without its
 * entries), and which versions are in its view (filter, desk).
 */
export interface Viewer {
  withheld: boolean
  all?: boolean
  inView: (a: Article) => boolean
}
export const everyVersion: Viewer = { withheld: false, inView: () => true }

const isEntry = (e: NewswireEvent): e is EntryEvent => 'entry' in e
const passed = (at: number | null, t: number) => at === null || at <= t

const runs = (pubStatus: string, v: Viewer) => pubStatus === 'usable' || (v.withheld && pubStatus === 'withheld')

function storyPublic(s: ArticleEvent | undefined, t: number, v: Viewer): boolean {
  if (v.all === true) return s !== undefined && v.inView(s.article)
  return s !== undefined && !isKilled(s) && runs(s.article.pubStatus, v) && passed(s.article.embargoedUntil, t) && v.inView(s.article)
}

function entryPublic(s: ArticleEvent | undefined, e: EntryEvent | undefined, t: number, v: Viewer): boolean {
  if (v.all === true)
    return (
      storyPublic(s, t, v) &&
      !isKilled(s as ArticleEvent) &&
      e !== undefined &&
      e.type !== 'ENTRY_DELETED' &&
      e.entry.pubStatus !== 'canceled'
    )
  return (
    storyPublic(s, t, v) && e !== undefined && e.type !== 'ENTRY_DELETED' && runs(e.entry.pubStatus, v) && passed(e.entry.embargoedUntil, t)
  )
}

/** A story's records folded up to a prefix: its latest version and each entry's. */
class Fold {
  story: ArticleEvent | undefined
  readonly entries = new Map<string, EntryEvent>()

  add(e: NewswireEvent): void {
    if (isEntry(e)) this.entries.set(e.entry.id, e)
    else this.story = e as ArticleEvent
  }

  view(t: number, inView: Viewer): PublicView {
    const entries: PublicView['entries'] = new Map()
    for (const [id, e] of this.entries)
      if (entryPublic(this.story, e, t, inView)) entries.set(id, { version: e.entry.version, seq: e.entry.seq, pinned: e.entry.pinned })
    return { story: storyPublic(this.story, t, inView) ? (this.story?.article.version ?? null) : null, entries }
  }
}

export class StoryLog {
  readonly #records = new Map<string, Logged[]>()
  readonly #maxLagMs: number

  constructor(maxLagMs: number) {
    this.#maxLagMs = maxLagMs
  }

  write(e: NewswireEvent, offset: number): void {
    const list = this.#records.get(e.article.id) ?? []
    list.push({ offset, ingestedAt: e.ingestedAt, event: e })
    this.#records.set(e.article.id, list)
  }

  /** The story's latest version as written, if any. */
  latest(id: string): ArticleEvent | undefined {
    const f = new Fold()
    for (const r of this.#records.get(id) ?? []) f.add(r.event)
    return f.story
  }

  /** What the public may see of the story at time t once everything written is read. */
  now(id: string, t: number, inView = everyVersion): PublicView {
    const list = this.#records.get(id) ?? []
    return this.#fold(id, list.length).view(t, inView)
  }

  /** How many of the story's records a process holds once it has read its partition to `o` (a position's offset). */
  prefixAt(id: string, o: number): number {
    return (this.#records.get(id) ?? []).filter((r) => r.offset < o).length
  }

  /**
   * The views a process that has read at least `minK` of the story's records (a position it gave
   * or was shown) may hold at time t, from the least it may have read to all written by then.
   */
  *views(id: string, t: number, minK: number, inView = everyVersion): Generator<[number, PublicView]> {
    const list = this.#records.get(id) ?? []
    const lo = Math.max(minK, list.filter((r) => r.ingestedAt <= t - this.#maxLagMs).length)
    const hi = list.filter((r) => r.ingestedAt <= t).length
    const f = this.#fold(id, lo)
    for (let k = lo; k <= hi; k++) {
      if (k > lo) f.add((list[k - 1] as Logged).event)
      yield [k, f.view(t, inView)]
    }
  }

  /**
   * Version `version` of the story (`entryId` null) or of one of its entries was public at some
   * moment up to t, by a prefix a process could hold then: some prefix whose latest version of it is
   * that one, at the latest moment (up to t) a process may still have held that prefix.
   */
  wasPublic(id: string, entryId: string | null, version: number, t: number, inView = everyVersion): boolean {
    const list = this.#records.get(id) ?? []
    const f = new Fold()
    for (let k = 1; k <= list.length; k++) {
      f.add((list[k - 1] as Logged).event)
      const next = list[k]
      const until = Math.min(t, next === undefined ? t : next.ingestedAt + this.#maxLagMs - 1)
      if ((list[k - 1] as Logged).ingestedAt > until) continue
      const e = entryId === null ? undefined : f.entries.get(entryId)
      const ok =
        entryId === null
          ? f.story?.article.version === version && storyPublic(f.story, until, inView)
          : e?.entry.version === version && entryPublic(f.story, e, until, inView)
      if (ok) return true
    }
    return false
  }

  /** Some version of entry `entryId` was public (in the view) at some moment up to t, by a prefix a process could hold then. */
  everPublic(id: string, entryId: string, t: number, inView = everyVersion): boolean {
    const versions = new Set<number>()
    for (const r of this.#records.get(id) ?? []) if (isEntry(r.event) && r.event.entry.id === entryId) versions.add(r.event.entry.version)
    return [...versions].some((v) => this.wasPublic(id, entryId, v, t, inView))
  }

  #fold(id: string, k: number): Fold {
    const f = new Fold()
    for (const r of (this.#records.get(id) ?? []).slice(0, k)) f.add(r.event)
    return f
  }
}
