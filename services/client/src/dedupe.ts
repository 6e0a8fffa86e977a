// Duplicate filter: an event is dropped when its eventId was seen, or when its article already
// reached that version (newest version wins). Bounded: the oldest entries are forgotten first.
import type { ArticleEvent } from './types.ts'

interface ArticleMark {
  version: number
  /** The delivered version was flagged embargoed (newsroom): its release may still come. */
  embargoed: boolean
  /** A `withdrawn` was delivered after that version. */
  withdrawn: boolean
}

export class Dedupe {
  readonly capacity: number
  #eventIds = new Set<string>()
  #articles = new Map<string, ArticleMark>()

  constructor(capacity: number) {
    this.capacity = capacity
  }

  /** true when the event is new and must be delivered; records it. */
  acceptEvent(event: ArticleEvent, flags: { embargoed: boolean; released: boolean }): boolean {
    // A release repeats the held event's eventId; give it a key of its own
    const key = flags.released ? `${event.eventId}\u0000released` : event.eventId
    if (this.#eventIds.has(key)) return false
    const { id, version } = event.article
    const mark = this.#articles.get(id)
    if (mark) {
      if (version < mark.version) return false
      if (version === mark.version && !(flags.released && mark.embargoed)) return false
    }
    this.#remember(key)
    this.#mark(id, { version, embargoed: flags.embargoed && !flags.released, withdrawn: false })
    return true
  }

  /** true unless the article was already withdrawn and nothing newer came since. */
  acceptWithdrawn(articleId: string): boolean {
    const mark = this.#articles.get(articleId)
    if (mark?.withdrawn) return false
    this.#mark(articleId, { version: mark?.version ?? Number.NEGATIVE_INFINITY, embargoed: false, withdrawn: true })
    return true
  }

  /** Forget everything (after a `reset`). */
  clear(): void {
    this.#eventIds.clear()
    this.#articles.clear()
  }

  get size(): { eventIds: number; articles: number } {
    return { eventIds: this.#eventIds.size, articles: this.#articles.size }
  }

  #remember(key: string): void {
    this.#eventIds.add(key)
    if (this.#eventIds.size > this.capacity) {
      const oldest = this.#eventIds.values().next()
      if (!oldest.done) this.#eventIds.delete(oldest.value)
    }
  }

  #mark(articleId: string, mark: ArticleMark): void {
    // delete + set moves the article to the young end of the Map's insertion order
    this.#articles.delete(articleId)
    this.#articles.set(articleId, mark)
    if (this.#articles.size > this.capacity) {
      const oldest = this.#articles.keys().next()
      if (!oldest.done) this.#articles.delete(oldest.value)
    }
  }
}
