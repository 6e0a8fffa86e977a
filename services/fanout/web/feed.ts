// What the dashboard knows about articles: the newest version of each, its editorial state (the
// SDK's editorialState: live, embargoed, withheld, withdrawn), how it last changed, and when.
// Pure (time is passed in), no DOM.
import {
  type Article,
  type ArticleEvent,
  type EditorialState,
  editorialState,
  embargoEnd,
  type NewsEventMessage,
  stateReason,
  type WithdrawnMessage,
} from '@newswire/client'
import { isKillCause } from './causes.ts'
import { type CategoryCount, type Counted, countByCategory } from './counts.ts'
import { toMs } from './format.ts'

export interface FeedItem {
  id: string
  article: Article
  /** The message that brought the newest version (its flags decide embargoed). */
  message: NewsEventMessage
  /** A `withdrawn` that killed the article after that version (final). */
  kill: WithdrawnMessage | null
  /**
   * A `withdrawn` that holds it for now (cause embargoed or withheld: a token with `embargo: false`
   * is not shown a story put under embargo again). It may come back as a new `event`.
   */
  hold: WithdrawnMessage | null
  /** `updated` when the newest version changed an earlier one; the fields it changed. */
  change: 'new' | 'updated'
  changed: string[]
  /** Epoch ms the embargo ends, NaN when there is none. */
  embargoEnd: number
  /**
   * The editorial time: when the article was last updated or published, as the newsroom's CMS says
   * (the same on every replay and reload, unlike arrival order); a kill counts from its arrival.
   */
  editorialAt: number
  /** ingestedAt of the newest event, epoch ms. */
  ingestedAt: number | null
  /** When this page received the newest message. */
  receivedAt: number
  /** receivedAt − ingestedAt for live events; null for snapshot items (they are not news to us). */
  latencyMs: number | null
  /** Arrival order, the tie-break. */
  seq: number
  /** Set by the view the first time it shows the item. */
  shownAt: number | null
}

export const isBreaking = (a: Article): boolean => a.breaking === true || (typeof a.urgency === 'number' && a.urgency <= 2)

/**
 * The state of an item as the server last told it: a kill, else a hold, else what its newest
 * version says (embargoed until the server's `released`, whatever the editor's clock says).
 */
export function stateOf(item: FeedItem): EditorialState {
  if (item.kill) return 'withdrawn'
  // a hold has no end the page knows of: it lasts until the story's next event
  if (item.hold) return editorialState(item.hold)
  return editorialState(item.message)
}

/** Why it is not running (withheld, withdrawn, held), else null. */
export function reasonOf(item: FeedItem): string | null {
  if (item.kill) return stateReason(item.kill)
  if (item.hold) return item.hold.reason
  return stateReason(item.message)
}

const newestFirst = (a: FeedItem, b: FeedItem) => b.editorialAt - a.editorialAt || b.seq - a.seq

export function editorialTime(e: ArticleEvent, fallback: number): number {
  return toMs(e.article.updatedAt) ?? toMs(e.article.publishedAt) ?? toMs(e.ingestedAt) ?? fallback
}

export type { CategoryCount }

export class Feed {
  readonly items = new Map<string, FeedItem>()
  private seq = 0
  private readonly maxItems: number

  /** Older pages add to what the stream brought: room for a desk's day and its backfill. */
  constructor(maxItems = 5000) {
    this.maxItems = maxItems
  }

  /** A new version (live, snapshot or release). Returns the item. */
  applyEvent(m: NewsEventMessage, now: number): FeedItem {
    const e = m.event
    const prev = this.items.get(e.article.id)
    // With tickerFieldsOnly the server leaves fields out: keep what we knew
    const article: Article = prev ? { ...prev.article, ...e.article } : e.article
    const ingestedAt = toMs(e.ingestedAt)
    const item: FeedItem = {
      id: article.id,
      article,
      message: { ...m, event: { ...e, article } },
      kill: null,
      hold: null,
      change: e.type === 'UPDATED' ? 'updated' : 'new',
      changed: e.type === 'UPDATED' ? [...(e.changedFields ?? [])] : [],
      embargoEnd: embargoEnd(m),
      editorialAt: editorialTime(e, now),
      ingestedAt,
      receivedAt: now,
      latencyMs: !m.snapshot && ingestedAt !== null ? Math.max(0, now - ingestedAt) : null,
      seq: ++this.seq,
      shownAt: prev?.shownAt ?? null,
    }
    // A release only lifts the embargo: the item keeps how it last changed
    if (m.released && prev && prev.article.version === article.version) {
      item.change = prev.change
      item.changed = prev.changed
    }
    this.items.set(item.id, item)
    this.trim()
    return item
  }

  /**
   * The article was killed: it stays, marked withdrawn, so the desk sees what went. One held for
   * now (embargoed again, withheld) stays marked held, never killed: its next `event` shows it
   * again. One that only left this view (`cause: left`, e.g. moved out of the token's desks) is
   * taken off. A kill or a hold moves the story up: it counts from its arrival.
   */
  applyWithdrawn(m: WithdrawnMessage, now: number): FeedItem | null {
    const prev = this.items.get(m.articleId)
    if (!prev) return null
    if (m.cause === 'left') {
      this.items.delete(m.articleId)
      return null
    }
    const kill = isKillCause(m.cause)
    // A kill is final: nothing after it makes it a hold
    if (prev.kill && !kill) return prev
    const marks = kill ? { kill: m, hold: null } : { kill: null, hold: m }
    // a legal erasure takes the text back from the desk too, as a reload shows it (titleOf)
    const article = kill && m.erased ? withoutText(prev.article) : prev.article
    const item: FeedItem = { ...prev, ...marks, article, receivedAt: now, editorialAt: Math.max(prev.editorialAt, now), seq: ++this.seq }
    this.items.set(item.id, item)
    return item
  }

  /** The server could not resume: start over from its snapshot. */
  reset(items: NewsEventMessage[], now: number): void {
    this.items.clear()
    for (const m of items) this.applyEvent(m, now)
  }

  /** Newest editorial time first. */
  list(pred: (item: FeedItem) => boolean = () => true): FeedItem[] {
    return [...this.items.values()].filter(pred).sort(newestFirst)
  }

  /** The soonest embargo end after `now` among items still embargoed (for a timer), else null. */
  nextEmbargoEnd(now: number): number | null {
    let next: number | null = null
    for (const item of this.items.values()) {
      // A hold's end is not known here: its release comes as an event
      if (item.hold) continue
      if (item.embargoEnd > now && stateOf(item) === 'embargoed' && (next === null || item.embargoEnd < next)) next = item.embargoEnd
    }
    return next
  }

  /** Articles per category whose editorial time is in the last hour (or ahead); withdrawn ones left out. */
  countsLastHour(now: number): CategoryCount[] {
    return countByCategory(
      [...this.items.values()].map((i) => countedOf(i)),
      now,
    )
  }

  private trim(): void {
    if (this.items.size <= this.maxItems) return
    for (const i of this.list().slice(this.maxItems)) this.items.delete(i.id)
  }
}

/** What the counts need of an item. */
export function countedOf(item: FeedItem): Counted {
  return {
    id: item.id,
    version: item.article.version,
    category: item.article.category ?? null,
    label: item.article.categoryLabel ?? null,
    at: item.editorialAt,
    killed: stateOf(item) === 'withdrawn',
  }
}

/** An article as ingest's erasure writes it (erasure.ts withoutContent, copied: the page bundles no server code): identity, times and editorial state, no text. */
function withoutText(a: Article): Article {
  return {
    ...a,
    url: null,
    headline: '',
    summary: null,
    body: [],
    categoryLabel: null,
    subjects: [],
    authors: [],
    dateline: null,
    related: [],
    corrections: [],
  }
}
