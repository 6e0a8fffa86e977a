// What the pages know about articles: the newest version of each, how it last changed, whether it
// is withdrawn or embargoed, and when it arrived. Pure (time is passed in), no DOM.
import type { Article, ArticleEvent, NewsEventMessage, WithdrawnMessage } from '@newswire/client'
import { toMs } from './format.ts'

export type ItemStatus = 'new' | 'updated' | 'withdrawn'

export interface FeedItem {
  id: string
  article: Article
  status: ItemStatus
  /** Fields the last update changed (UPDATED events). */
  changed: string[]
  /** Newsroom: this version is still under embargo. */
  embargoed: boolean
  embargoedUntil: number | null
  withdrawnReason: string | null
  /** ingestedAt of the newest event, epoch ms. */
  ingestedAt: number | null
  /** When this page received the newest event. */
  receivedAt: number
  /** receivedAt − ingestedAt for live events; null for snapshot items (they are not news to us). */
  latencyMs: number | null
  /**
   * When the article last changed: the event's ingestedAt (the same on every replay, so a catch-up
   * after a reconnect sorts like the live stream would have), or when a withdrawal arrived.
   */
  changedAt: number
  /** Arrival order, the tie-break. */
  seq: number
  /** Set by the view the first time it shows the item. */
  shownAt: number | null
}

const newestFirst = (a: FeedItem, b: FeedItem) => b.changedAt - a.changedAt || b.seq - a.seq

export const isBreaking = (a: Article): boolean => a.breaking === true || (typeof a.urgency === 'number' && a.urgency <= 2)

export class Feed {
  readonly items = new Map<string, FeedItem>()
  private seq = 0
  private readonly maxItems: number

  constructor(maxItems = 500) {
    this.maxItems = maxItems
  }

  /** A new version (live or snapshot). Returns the item. */
  applyEvent(m: NewsEventMessage, now: number): FeedItem {
    const e: ArticleEvent = m.event
    const prev = this.items.get(e.article.id)
    // With tickerFieldsOnly the server leaves fields out: keep what we knew
    const article: Article = prev ? { ...prev.article, ...e.article } : e.article
    const ingestedAt = toMs(e.ingestedAt)
    const withdrawn = e.type === 'WITHDRAWN' || article.pubStatus === 'canceled' || article.pubStatus === 'withheld'
    const item: FeedItem = {
      id: article.id,
      article,
      status: withdrawn ? 'withdrawn' : e.type === 'UPDATED' ? 'updated' : 'new',
      changed: e.type === 'UPDATED' ? [...(e.changedFields ?? [])] : [],
      embargoed: m.embargoed,
      embargoedUntil: toMs(article.embargoedUntil),
      withdrawnReason: withdrawn ? (e.reason ?? article.pubStatus ?? 'withdrawn') : null,
      ingestedAt,
      receivedAt: now,
      latencyMs: !m.snapshot && ingestedAt !== null ? Math.max(0, now - ingestedAt) : null,
      changedAt: ingestedAt ?? now,
      seq: ++this.seq,
      shownAt: prev?.shownAt ?? null,
    }
    // A release keeps the item's "new/updated" story; it only lifts the embargo
    if (m.released && prev) {
      item.status = prev.status
      item.changed = prev.changed
    }
    this.items.set(item.id, item)
    this.trim()
    return item
  }

  /** Marks the article withdrawn (the dashboard strikes it through; the ticker drops it). */
  applyWithdrawn(m: WithdrawnMessage, now: number): FeedItem | null {
    const prev = this.items.get(m.articleId)
    if (!prev) return null
    const item: FeedItem = {
      ...prev,
      status: 'withdrawn',
      withdrawnReason: m.reason ?? 'withdrawn',
      embargoed: false,
      receivedAt: now,
      changedAt: Math.max(prev.changedAt, now),
      seq: ++this.seq,
    }
    this.items.set(item.id, item)
    return item
  }

  remove(id: string): boolean {
    return this.items.delete(id)
  }

  /** The server could not resume: start over from its snapshot. */
  reset(snapshot: ArticleEvent[], now: number): void {
    this.items.clear()
    for (const event of snapshot) {
      this.applyEvent({ type: 'event', channel: null, position: '', event, embargoed: false, released: false, snapshot: true }, now)
    }
  }

  /** Newest change first. */
  list(pred: (item: FeedItem) => boolean = () => true): FeedItem[] {
    return [...this.items.values()].filter(pred).sort(newestFirst)
  }

  /** Articles per category that were created or changed in the last hour (by ingestedAt), withdrawn ones excluded. */
  countsLastHour(now: number): { category: string; label: string | null; count: number }[] {
    const counts = new Map<string, { category: string; label: string | null; count: number }>()
    for (const item of this.items.values()) {
      const at = item.ingestedAt ?? item.receivedAt
      if (item.status === 'withdrawn' || now - at > 3600_000) continue
      const category = item.article.category ?? 'uncategorized'
      const c = counts.get(category) ?? { category, label: item.article.categoryLabel ?? null, count: 0 }
      c.count++
      counts.set(category, c)
    }
    return [...counts.values()].sort((a, b) => b.count - a.count || a.category.localeCompare(b.category))
  }

  private trim(): void {
    if (this.items.size <= this.maxItems) return
    const oldest = [...this.items.values()].sort(newestFirst).slice(this.maxItems)
    for (const i of oldest) this.items.delete(i.id)
  }
}
