// A small reference model of who may know what, written apart from the service's own rules
// (visibility.ts, ledger.ts) so the model-based test compares two implementations. Time is the
// server's clock: embargoes pass when the clock reaches them, never by a client's word.
//
// Per article: its versions in order, whether the latest one's embargo has passed on the server's
// clock, and which versions each clearance could see at some moment. Per clearance and time:
// the latest version if visible, else nothing. Per entry of a live story the same, seen through its
// story: nothing of an entry while its story is hidden from the clearance or killed.
import type { Article, ArticleEvent, EntryEvent, StoryEntry } from '@newswire/shared'

export type Clearance = 'public' | 'released' | 'all'

export interface ModelScope {
  desks: string[] | null
  languages: string[] | null
  embargo: boolean
}

export type ModelState = 'live' | 'embargoed' | 'withheld' | 'withdrawn'

export interface ModelView {
  channels: string[]
  filter: { languages: string[] | null; categories: string[] | null; maxUrgency: number | null; states?: ModelState[] | null }
}

interface ModelArticle {
  latest: ArticleEvent
  released: boolean
  /** Versions each clearance could see at some moment. */
  seen: Record<Clearance, Set<number>>
  /** A hide or kill came within the race window of an embargo this server had not released yet. */
  maybe: boolean
  /** Per clearance: visible after the last step (`Model.step`), and the step it was last hidden at. */
  showing: Record<Clearance, boolean>
  hiddenAt: Record<Clearance, number>
}

interface ModelEntry {
  latest: EntryEvent
  released: boolean
  seen: Record<Clearance, Set<number>>
  /** The story's category and language whenever a version of the entry was visible to a clearance: who may have it is the token scopes one of these allows (red14). */
  seenIn: Record<Clearance, (Pick<Article, 'category' | 'language'> & { version: number })[]>
  maybe: boolean
}

const RACE_WINDOW_MS = 60_000
const CLEARANCES = ['public', 'released', 'all'] as const

export const isKilled = (e: Pick<ArticleEvent, 'type' | 'article'>) => e.type === 'WITHDRAWN' || e.article.pubStatus === 'canceled'

export class Model {
  readonly articles = new Map<string, ModelArticle>()
  /** Per story, its entries by id. */
  readonly entries = new Map<string, Map<string, ModelEntry>>()
  now: number
  /** Counts the changes applied (events, time): a client notes it when it subscribes. */
  step = 0

  constructor(now: number) {
    this.now = now
  }

  /** The server applies an event at the current server time. */
  apply(e: ArticleEvent): void {
    this.step++
    const prev = this.articles.get(e.article.id)
    const at = e.type === 'WITHDRAWN' ? null : e.article.embargoedUntil
    const next: ModelArticle = {
      latest: e,
      released: at === null || at <= this.now,
      seen: prev?.seen ?? { public: new Set(), released: new Set(), all: new Set() },
      maybe: prev?.maybe ?? false,
      showing: prev?.showing ?? { public: false, released: false, all: false },
      hiddenAt: prev?.hiddenAt ?? { public: -1, released: -1, all: -1 },
    }
    if (
      prev &&
      !prev.released &&
      prev.latest.article.embargoedUntil !== null &&
      prev.latest.article.embargoedUntil - this.now < RACE_WINDOW_MS
    ) {
      next.maybe = true
    }
    this.articles.set(e.article.id, next)
    this.#note(next)
    this.#noteEntries(e.article.id)
  }

  /** The server applies an entry event at the current server time. */
  applyEntry(e: EntryEvent): void {
    this.step++
    let story = this.entries.get(e.article.id)
    if (!story) {
      story = new Map()
      this.entries.set(e.article.id, story)
    }
    const prev = story.get(e.entry.id)
    const deleted = e.type === 'ENTRY_DELETED'
    const at = deleted ? null : e.entry.embargoedUntil
    const next: ModelEntry = {
      latest: e,
      released: at === null || at <= this.now,
      seen: prev?.seen ?? { public: new Set(), released: new Set(), all: new Set() },
      seenIn: prev?.seenIn ?? { public: [], released: [], all: [] },
      maybe: prev?.maybe ?? false,
    }
    const pat = prev?.latest.entry.embargoedUntil ?? null
    if (prev && !prev.released && pat !== null && pat - this.now < RACE_WINDOW_MS) next.maybe = true
    // ...or within the race window of its story's unreleased embargo: another instance, its clock
    // ahead, may have released the story and shown the version replaced here (README "The race
    // allowance": for an entry, its own embargo's or its story's; entries.ts maybeMask, rev33
    // review). The model knew only the entry's own, and failed a resumed public reader told (in
    // default words) of the deletion of an entry held 1 ms before its story's embargo (red29e)
    const art = this.articles.get(e.article.id)
    const sat = art && !isKilled(art.latest) ? art.latest.article.embargoedUntil : null
    if (prev && art && !art.released && sat !== null && sat - this.now < RACE_WINDOW_MS) next.maybe = true
    story.set(e.entry.id, next)
    this.#noteEntries(e.article.id)
  }

  #noteEntries(storyId: string): void {
    for (const [id, en] of this.entries.get(storyId) ?? []) {
      for (const c of CLEARANCES) {
        const v = this.visibleEntry(storyId, id, c)
        if (!v) continue
        en.seen[c].add(v.version)
        const story = this.articles.get(storyId)?.latest.article
        if (story && !en.seenIn[c].some((w) => w.version === v.version && w.category === story.category && w.language === story.language))
          en.seenIn[c].push({ version: v.version, category: story.category, language: story.language })
      }
    }
  }

  /** An entry is seen through its story: never while the story is hidden or killed; then by its own state. */
  visibleEntry(storyId: string, entryId: string, c: Clearance): StoryEntry | null {
    const en = this.entries.get(storyId)?.get(entryId)
    if (!en || this.killed(storyId) || this.visible(storyId, c) === null) return null
    if (en.latest.type === 'ENTRY_DELETED') return null
    if (c === 'all') return en.latest.entry
    if (!en.released) return null
    if (c === 'released') return en.latest.entry
    return en.latest.entry.pubStatus === 'usable' ? en.latest.entry : null
  }

  /** Every entry of the story `c` may see now: entry id → version. */
  visibleEntries(storyId: string, c: Clearance): Map<string, number> {
    const out = new Map<string, number>()
    for (const id of this.entries.get(storyId)?.keys() ?? []) {
      const v = this.visibleEntry(storyId, id, c)
      if (v) out.set(id, v.version)
    }
    return out
  }

  /** Version `version` of the entry was visible to clearance `c` at some moment, its story then in `scope` (when given). */
  entryWasVisible(storyId: string, entryId: string, version: number, c: Clearance, scope?: ModelScope): boolean {
    const en = this.entries.get(storyId)?.get(entryId)
    if (!en?.seen[c].has(version)) return false
    return scope === undefined || en.seenIn[c].some((w) => w.version === version && inScope(scope, w))
  }

  /** The entry was visible to clearance `c` at some moment, its story then in `scope` (when given). */
  entryEverVisible(storyId: string, entryId: string, c: Clearance, scope?: ModelScope): boolean {
    const en = this.entries.get(storyId)?.get(entryId)
    if (!en || en.seen[c].size === 0) return false
    return scope === undefined || en.seenIn[c].some((w) => inScope(scope, w))
  }

  entryMaybe(storyId: string, entryId: string): boolean {
    return this.entries.get(storyId)?.get(entryId)?.maybe ?? false
  }

  /** The entry's own embargo (if any) has passed on the server's clock. */
  entryReleased(storyId: string, entryId: string): boolean {
    return this.entries.get(storyId)?.get(entryId)?.released ?? false
  }

  /** Server time moves on; embargoes that passed are released. */
  advance(ms: number): void {
    this.step++
    this.now += ms
    for (const a of this.articles.values()) {
      const at = a.latest.article.embargoedUntil
      if (!a.released && at !== null && at <= this.now) {
        a.released = true
        this.#note(a)
      }
    }
    for (const [storyId, story] of this.entries) {
      for (const en of story.values()) {
        const at = en.latest.entry.embargoedUntil
        if (!en.released && at !== null && at <= this.now) en.released = true
      }
      this.#noteEntries(storyId)
    }
  }

  #note(a: ModelArticle): void {
    for (const c of ['public', 'released', 'all'] as const) {
      const v = this.visible(a.latest.article.id, c)
      if (v) a.seen[c].add(v.version)
      else if (a.showing[c]) a.hiddenAt[c] = this.step
      a.showing[c] = v !== null
    }
  }

  /** The newsroom (`all`) keeps a killed story, as killed; everyone else loses it. */
  visible(id: string, c: Clearance): Article | null {
    const a = this.articles.get(id)
    if (!a) return null
    const art = a.latest.article
    if (c === 'all') return art
    if (isKilled(a.latest)) return null
    if (!a.released) return null
    if (c === 'released') return art
    return art.pubStatus === 'usable' ? art : null
  }

  /** The version was visible to `c` at some moment. */
  wasVisible(id: string, version: number, c: Clearance): boolean {
    return this.articles.get(id)?.seen[c].has(version) ?? false
  }

  /** The story was visible to `c` at some moment since step `mark` (it is now, or was hidden after it). */
  visibleSince(id: string, c: Clearance, mark: number): boolean {
    const a = this.articles.get(id)
    return a !== undefined && (this.visible(id, c) !== null || a.hiddenAt[c] > mark)
  }

  everVisible(id: string, c: Clearance): boolean {
    return (this.articles.get(id)?.seen[c].size ?? 0) > 0
  }

  /** The latest version's embargo (if any) has passed on the server's clock. */
  released(id: string): boolean {
    return this.articles.get(id)?.released ?? false
  }

  maybeVisible(id: string): boolean {
    return this.articles.get(id)?.maybe ?? false
  }

  killed(id: string): boolean {
    const a = this.articles.get(id)
    return a !== undefined && isKilled(a.latest)
  }

  latest(id: string): ArticleEvent | undefined {
    return this.articles.get(id)?.latest
  }

  /** Killed, else held back, else under embargo by the server's clock, else running. */
  state(id: string): ModelState | null {
    const a = this.articles.get(id)
    if (!a) return null
    if (isKilled(a.latest)) return 'withdrawn'
    if (a.latest.article.pubStatus === 'withheld') return 'withheld'
    return a.released ? 'live' : 'embargoed'
  }

  /** What a subscription should show now: article id → version, or `killed` (the newsroom's killed stories). */
  view(c: Clearance, scope: ModelScope, view: ModelView): Map<string, string> {
    const out = new Map<string, string>()
    for (const id of this.articles.keys()) {
      const a = this.visible(id, c)
      const states = view.filter.states ?? null
      if (states && !states.includes(this.state(id) as ModelState)) continue
      if (a && inScope(scope, a) && inView(view, a)) out.set(id, this.killed(id) ? 'killed' : String(a.version))
    }
    return out
  }
}

/** The state a message says its version is in (the newsroom's flag tells an embargo). */
export function messageState(e: Pick<ArticleEvent, 'type' | 'article'>, embargoed: boolean): ModelState {
  if (isKilled(e)) return 'withdrawn'
  if (e.article.pubStatus === 'withheld') return 'withheld'
  return embargoed ? 'embargoed' : 'live'
}

const langMatches = (wanted: string, tag: string) => tag.toLowerCase() === wanted || tag.toLowerCase().startsWith(`${wanted}-`)
const breaking = (a: Pick<Article, 'urgency' | 'breaking'>) => a.breaking || a.urgency <= 2

export function inScope(s: ModelScope, a: Pick<Article, 'category' | 'language'>): boolean {
  if (s.desks && (a.category === null || !s.desks.includes(a.category))) return false
  if (s.languages && !s.languages.some((l) => langMatches(l, a.language))) return false
  return true
}

export function inView(v: ModelView, a: Article): boolean {
  const f = v.filter
  if (f.languages && !f.languages.some((l) => langMatches(l, a.language))) return false
  if (f.categories && (a.category === null || !f.categories.includes(a.category))) return false
  if (f.maxUrgency !== null && a.urgency > f.maxUrgency) return false
  if (v.channels.length === 0) return true
  return v.channels.some((ch) => {
    if (ch === 'all') return true
    if (ch === 'breaking') return breaking(a)
    if (ch.startsWith('category:')) return a.category === ch.slice(9)
    if (ch.startsWith('lang:')) return langMatches(ch.slice(5), a.language)
    if (ch.startsWith('article:')) return a.id === ch.slice(8)
    if (ch.startsWith('story:')) return a.id === ch.slice(6)
    return false
  })
}
