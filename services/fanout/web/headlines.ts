// What the ticker holds: the newest version of each breaking story it was sent, newest first by
// first publication (a correction does not jump the queue), at most `max`. Pure, no DOM.
import type { Article, NewsEventMessage } from '@newswire/client'
import { toMs } from './format.ts'

export interface Headline {
  id: string
  article: Article
  /** First published (else updated, else ingested), epoch ms: the order. */
  at: number
  seq: number
}

export class Headlines {
  readonly max: number
  #items = new Map<string, Headline>()
  #seq = 0

  constructor(max: number) {
    this.max = max
  }

  /** Takes a new version; true when the story is new to this ticker. */
  apply(m: NewsEventMessage): boolean {
    const e = m.event
    const prev = this.#items.get(e.article.id)
    // tickerFieldsOnly leaves unchanged fields out: keep what we knew
    const article: Article = prev ? { ...prev.article, ...e.article } : e.article
    const at = toMs(article.publishedAt) ?? toMs(article.updatedAt) ?? toMs(e.ingestedAt) ?? 0
    this.#items.set(article.id, { id: article.id, article, at, seq: prev?.seq ?? ++this.#seq })
    for (const old of this.list().slice(this.max)) this.#items.delete(old.id)
    return !prev && this.#items.has(article.id)
  }

  remove(id: string): void {
    this.#items.delete(id)
  }

  reset(items: NewsEventMessage[]): void {
    this.#items.clear()
    for (const m of items) this.apply(m)
  }

  list(): Headline[] {
    return [...this.#items.values()].sort((a, b) => b.at - a.at || b.seq - a.seq)
  }
}
