// Latest state per article id, rebuilt from news.articles and kept current by our own commits
// and by the tail. Versions only move forward, so replays and our own echoes are harmless.
import type { Article, ArticleEvent } from '@newswire/shared'

export interface Stored {
  article: Article
  eventId: string
  type: ArticleEvent['type']
  /** Who wrote this version (the event's source): imports may only update their own articles. */
  source: string
}

export function storedOf(event: ArticleEvent): Stored {
  return { article: event.article, eventId: event.eventId, type: event.type, source: event.source }
}

export class ArticleState {
  readonly #byId = new Map<string, Stored>()
  // Event ids recently known to be committed, oldest first: lets a writer whose commit failed
  // ambiguously learn whether it landed, and the tail skip records it already holds. Bounded;
  // forgetting one only costs a decode (tail) or an `unchanged` answer (a very late retry).
  readonly #recent = new Set<string>()
  readonly #recentMax: number
  #changes = 0

  constructor(recentEvents = 50_000) {
    this.#recentMax = recentEvents
  }

  get(id: string): Stored | undefined {
    return this.#byId.get(id)
  }

  /** Takes a committed event; older versions than the one held are only remembered as committed. */
  apply(event: ArticleEvent): void {
    this.#remember(event.eventId)
    const prev = this.#byId.get(event.article.id)
    if (prev !== undefined && prev.article.version >= event.article.version) return
    this.#byId.set(event.article.id, storedOf(event))
    this.#changes++
  }

  /** Counts the versions taken: unchanged between two reads, nothing was applied in between. */
  get changes(): number {
    return this.#changes
  }

  /** True when this event was applied recently (it is committed in Kafka). */
  hasEvent(eventId: string): boolean {
    return this.#recent.has(eventId)
  }

  #remember(eventId: string): void {
    this.#recent.add(eventId)
    if (this.#recent.size > this.#recentMax) {
      const oldest = this.#recent.values().next().value
      if (oldest !== undefined) this.#recent.delete(oldest)
    }
  }

  get size(): number {
    return this.#byId.size
  }
}

/** Answers remembered per (API key, Idempotency-Key), for a limited time and number. */
export class IdempotencyCache<T> {
  readonly #entries = new Map<string, { value: T; expires: number }>()
  readonly #ttlMs: number
  readonly #max: number
  constructor(ttlMs: number, max = 100_000) {
    this.#ttlMs = ttlMs
    this.#max = max
  }

  get(key: string, now = Date.now()): T | undefined {
    const e = this.#entries.get(key)
    if (e === undefined) return undefined
    if (e.expires <= now) {
      this.#entries.delete(key)
      return undefined
    }
    return e.value
  }

  set(key: string, value: T, now = Date.now()): void {
    this.#entries.delete(key)
    this.#entries.set(key, { value, expires: now + this.#ttlMs })
    // Map keeps insertion order: the first entries are the oldest
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value
      if (oldest === undefined) break
      this.#entries.delete(oldest)
    }
  }
}
