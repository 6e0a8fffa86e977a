// Stories per category over the last hour by editorial time, for the whole desk: seeded from the
// server's count of everything it holds (client.counts(), not only what this page loaded), then
// kept from the stream (a new story or an update moves it, a kill takes it out) and aged by the
// clock. Pure (time is passed in), no DOM.
import type { RecentCounts, WithdrawnMessage } from '@newswire/client'
import { isKillCause } from './causes.ts'
import { toMs } from './format.ts'

export interface CategoryCount {
  category: string
  label: string | null
  count: number
}

/** What counting needs to know of a story. */
export interface Counted {
  id: string
  version: number
  category: string | null
  label: string | null
  /** Editorial time, epoch ms. */
  at: number
  killed: boolean
}

export const HOUR_MS = 3_600_000

/** Per category, the stories whose editorial time is within the window before `now` (or ahead), kills left out; most first. */
export function countByCategory(stories: Iterable<Counted>, now: number, windowMs = HOUR_MS): CategoryCount[] {
  const counts = new Map<string, CategoryCount>()
  for (const s of stories) {
    if (s.killed || now - s.at > windowMs) continue
    const category = s.category ?? 'uncategorized'
    const c = counts.get(category) ?? { category, label: s.label, count: 0 }
    c.label ??= s.label
    c.count++
    counts.set(category, c)
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.category.localeCompare(b.category))
}

export class DeskCounts {
  readonly #stories = new Map<string, Counted>()
  /**
   * Stories the stream last took out of this view without a kill (held, embargoed again, left): a
   * count made before that lists them still, and arrives after it (red19). Only the stream brings
   * them back, as an `event` (note).
   */
  readonly #hidden = new Set<string>()
  /** Bumped by a reset: a count asked before it answers for what the reset replaced. */
  #generation = 0

  /** What to pass to seed() with the count asked now. */
  asked(): number {
    return this.#generation
  }

  /**
   * The server's count: what it lists joins what the stream told, the newer version winning. A
   * count asked before the last reset is dropped: it may list what the reset no longer holds.
   */
  seed(c: RecentCounts, asked = this.#generation): void {
    if (asked !== this.#generation) return
    const labels = new Map(c.categories.map((x) => [x.category, x.label]))
    for (const a of c.articles) {
      const at = toMs(a.at)
      if (at === null || this.#hidden.has(a.id)) continue
      this.note({ id: a.id, version: a.version, category: a.category, label: labels.get(a.category) ?? null, at, killed: false })
    }
  }

  /** A story as the stream or a page has it now. A kill is final; an older version changes nothing. */
  note(s: Counted): void {
    const had = this.#stories.get(s.id)
    if (had && (had.killed || had.version > s.version)) return
    this.#hidden.delete(s.id)
    this.#stories.set(s.id, s)
  }

  /**
   * Killed: it stays out of the counts, held or not yet (the server's count may have been made
   * before the kill, and arrive after it: red10).
   */
  kill(id: string): void {
    const had = this.#stories.get(id)
    if (had) had.killed = true
    else this.#stories.set(id, { id, version: Number.MAX_SAFE_INTEGER, category: null, label: null, at: 0, killed: true })
  }

  /**
   * A `withdrawn`: a kill keeps the story out for good; a hold or a move out of the view forgets
   * it (the server's count leaves out what this token cannot see now), so its return counts again.
   */
  withdrawn(m: Pick<WithdrawnMessage, 'articleId' | 'cause'>): void {
    if (isKillCause(m.cause)) this.kill(m.articleId)
    else {
      this.forget(m.articleId)
      this.#hidden.add(m.articleId)
    }
  }

  /** No longer this desk's (it left the view): forgotten. */
  forget(id: string): void {
    this.#stories.delete(id)
  }

  /**
   * Another token's session starts, or the stream's `reset` replaces what it told: nothing of the
   * last one's counts. A reset told nothing of what it left out (a story that left the desk, or
   * killed for an `embargo: false` token, while the page was away: red19), so the stories counted
   * before stayed counted in their old category.
   */
  clear(): void {
    this.#stories.clear()
    this.#hidden.clear()
    this.#generation++
  }

  list(now: number): CategoryCount[] {
    return countByCategory(this.#stories.values(), now)
  }
}
