// Latest state per article id and per live-story entry, rebuilt from news.articles and kept
// current by our own commits and by the tail. Versions only move forward, so replays and our own
// echoes are harmless.
import {
  bothShown,
  EARLIER_STATUSES_HEADER,
  entryStateKey,
  ProblemError,
  EARLIER_VIEWS_HEADER,
  earlierStatusesOf,
  earlierViewsOf,
  earlierViewOf,
  isEntryEvent,
  mergeEarlierViews,
  NONE_EARLIER,
  NONE_SHOWN,
  shownOf,
  storyOfStateKey,
  UNKNOWN_EARLIER,
  UNKNOWN_SHOWN,
  withEarlierView,
} from '@newswire/shared'
import type {
  Article,
  ArticleEvent,
  EarlierStatuses,
  IHeaders,
  EarlierViews,
  EntryEvent,
  NewswireEvent,
  StoryEntry,
} from '@newswire/shared'
import { entryWithoutContent, withoutContent } from './erasure.ts'

export interface Stored {
  article: Article
  eventId: string
  type: ArticleEvent['type']
  /** Who wrote this version (the event's source): imports may only update their own articles. */
  source: string
  /** Views of the versions before this one (carried in news.articles, earlier-views.ts). */
  earlier: EarlierViews
}

/** The latest state of one entry of a live story. */
export interface StoredEntry {
  storyId: string
  entry: StoryEntry
  eventId: string
  type: EntryEvent['type']
  source: string
  /** What the versions before this one showed (carried in news.articles, earlier-views.ts). */
  earlier: EarlierStatuses
}

/** What a news.articles record carried of the versions before it (its headers, read by the tail). */
export interface Carried {
  views?: EarlierViews
  statuses?: EarlierStatuses
}

/** What a record's headers carry (absent or unreadable: nothing). */
export function carriedBy(headers: IHeaders | undefined): Carried {
  const views = earlierViewsOf(headers?.[EARLIER_VIEWS_HEADER]) ?? undefined
  const statuses = earlierStatusesOf(headers?.[EARLIER_STATUSES_HEADER]) ?? undefined
  return { ...(views && { views }), ...(statuses && { statuses }) }
}

/**
 * The state after `event` and the views of the versions before it. A record's header (`carried`,
 * a state read from news.articles) holds them all, each replaced when it really was; what this
 * state held adds to it. Without one (our own commits, records older than the header), they are
 * the previous state's plus the previous version's own; a state that came with neither is a first
 * version (CREATED) or one whose earlier versions nobody recorded.
 */
export function storedOf(event: ArticleEvent, prev: Stored | undefined, carried?: EarlierViews): Stored {
  let earlier: EarlierViews
  if (carried !== undefined)
    earlier = prev === undefined ? carried : { views: mergeEarlierViews(carried.views, prev.earlier.views), complete: carried.complete }
  else if (prev !== undefined)
    earlier = { views: withEarlierView(prev.earlier.views, earlierViewOf(prev.article, event.ingestedAt)), complete: prev.earlier.complete }
  else earlier = event.type === 'CREATED' ? NONE_EARLIER : UNKNOWN_EARLIER
  return { article: event.article, eventId: event.eventId, type: event.type, source: event.source, earlier }
}

/** The entry's state after `event`, with what the versions before it showed (as storedOf). */
export function storedEntryOf(event: EntryEvent, prev: StoredEntry | undefined, carried?: EarlierStatuses): StoredEntry {
  let earlier: EarlierStatuses
  if (carried !== undefined) earlier = prev === undefined ? carried : { ...bothShown(carried, prev.earlier), complete: carried.complete }
  else if (prev !== undefined)
    earlier = { ...bothShown(prev.earlier, shownOf(prev.entry, event.ingestedAt)), complete: prev.earlier.complete }
  else earlier = event.type === 'ENTRY_CREATED' ? NONE_SHOWN : UNKNOWN_SHOWN
  return { storyId: event.article.id, entry: event.entry, eventId: event.eventId, type: event.type, source: event.source, earlier }
}

/** Who an erasure known only by its tombstone reads as having been written by. */
export const ERASED_SOURCE = 'tombstone'

/**
 * An article erased with nothing left of it but its tombstone (compaction removed the records
 * before it): killed, version 0 (its versions are unknown; a record after the tombstone, whatever
 * its version, is the id's latest state, as it is once compaction removes the tombstone), no content.
 */
export function erasedArticle(id: string, eventId: string): Stored {
  const article: Article = {
    id,
    version: 0,
    url: null,
    language: 'und',
    headline: '',
    summary: null,
    body: [],
    category: null,
    categoryLabel: null,
    subjects: [],
    authors: [],
    publishedAt: null,
    updatedAt: null,
    urgency: 9,
    pubStatus: 'canceled',
    embargoedUntil: null,
    breaking: false,
    dateline: null,
    timeZone: null,
    related: [],
    live: false,
    corrections: [],
  }
  return { article, eventId, type: 'WITHDRAWN', source: ERASED_SOURCE, earlier: UNKNOWN_EARLIER }
}

/** An entry erased with nothing left of it but its tombstone: deleted, version 0, seq unknown (0), no content. */
export function erasedEntry(storyId: string, id: string, eventId: string): StoredEntry {
  const entry: StoryEntry = {
    id,
    seq: 0,
    version: 0,
    headline: null,
    body: [],
    authors: [],
    pinned: false,
    keyEvent: false,
    publishedAt: 0,
    updatedAt: 0,
    pubStatus: 'canceled',
    embargoedUntil: null,
    corrections: [],
  }
  return { storyId, entry, eventId, type: 'ENTRY_DELETED', source: ERASED_SOURCE, earlier: UNKNOWN_SHOWN }
}

/** A held article killed by a tombstone: its next version, canceled, without its content (erasure.ts). */
function killedArticle(prev: Stored, eventId: string): Stored {
  const article = { ...withoutContent(prev.article), version: prev.article.version + 1, pubStatus: 'canceled' as const }
  return { ...prev, article, eventId, type: 'WITHDRAWN' }
}

/** A held entry deleted by a tombstone: its next version, canceled, without its content (erasure.ts). */
function deletedEntry(prev: StoredEntry, eventId: string): StoredEntry {
  const entry = { ...entryWithoutContent(prev.entry), version: prev.entry.version + 1, pubStatus: 'canceled' as const }
  return { ...prev, entry, eventId, type: 'ENTRY_DELETED' }
}

/** The version of a held state (0 for none). */
function versionOf(held: Stored | StoredEntry | undefined): number {
  if (held === undefined) return 0
  return 'article' in held ? held.article.version : held.entry.version
}

/** What a plan reads: the latest article and entry states, as the state or a batch overlay sees them. */
export interface StateView {
  article(id: string): Stored | undefined
  entry(storyId: string, entryId: string): StoredEntry | undefined
  /** The `seq` the next entry created in this story gets (1 for the first). */
  nextSeq(storyId: string): number
}

/** The entries of one story, and the highest seq it has given out. */
interface Story {
  entries: Map<string, StoredEntry>
  maxSeq: number
}

/**
 * A state this instance cannot read (a newer ingest wrote it with a schema this release lacks: a
 * deploy in the wrong order): any version decided over the last one it could read may repeat one
 * already written, which readers take as old news (a kill above all). Refused until a record it
 * can read follows; another instance may be able to.
 */
export function unreadableState(key: string): ProblemError {
  return new ProblemError(
    'not_ready',
    `this instance cannot read the latest state of ${key} (written with a schema it does not know); retry, on another instance if you can`,
    {},
    { 'Retry-After': '5' },
  )
}

/** What `get` returns, or nothing where the state could not be read (an event of ours after it goes over it). */
export function ifReadable<T>(get: () => T | undefined): T | undefined {
  try {
    return get()
  } catch (err) {
    if (err instanceof ProblemError && err.code === 'not_ready') return undefined
    throw err
  }
}

export class ArticleState implements StateView {
  readonly #byId = new Map<string, Stored>()
  readonly #stories = new Map<string, Story>()
  /** Keys of news.articles (an article id, or entryStateKey) whose latest record could not be decoded. */
  readonly #unreadable = new Set<string>()
  /**
   * Keys erased by a tombstone not followed on its partition by a record of the key: the
   * partitions holding them, and the version of the records' state the kill stands over.
   */
  readonly #erasures = new Map<string, { on: Set<number>; eventId: string; over: number }>()
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

  /** Throws `not_ready` (unreadableState) when its latest record could not be read. */
  article(id: string): Stored | undefined {
    if (this.#unreadable.has(id)) throw unreadableState(id)
    return this.#byId.get(id)
  }

  /** Throws `not_ready` (unreadableState) when its latest record, or its story's, could not be read. */
  entry(storyId: string, entryId: string): StoredEntry | undefined {
    const key = entryStateKey(storyId, entryId)
    if (this.#unreadable.has(storyId) || this.#unreadable.has(key)) throw unreadableState(key)
    return this.#stories.get(storyId)?.entries.get(entryId)
  }

  /** The tail read the record of `key` (news.articles' key) in log order: whether it could decode it. */
  readable(key: string, readable: boolean): void {
    // erased whatever its records say (recordOn: a tombstone still stands on another partition)
    if (!readable && this.#erasures.has(key)) return
    // a change too: an answer decided before an undecodable record (unchanged, not found) must not be confirmed
    if (!readable) this.#unreadable.add(key)
    if (!readable || this.#unreadable.delete(key)) this.#changes++
  }

  /**
   * A tombstone of `key` in news.articles: a kill of its article, or of the entry it names
   * (schemas/README.md; the fan-out stands it in the same way). What is held becomes its next
   * version, killed, so nothing is written over it. With nothing held (compaction removed the
   * records before it, and left it alone) it is an erasure all the same: the key is held as killed
   * with nothing known of it (erasedArticle, erasedEntry), and an erased entry counts towards its
   * story's next seq (nextSeq).
   *
   * The tombstone may sit on another `partition` than the key's records (an operator's tool
   * places it by the hash of its key, ingest an entry's record on its story's partition), and the
   * partitions are read in any order: records are ordered against it only on its own partition
   * (recordOn). Until one follows it there, a record read of the key on another partition is taken
   * as written before it, and killed (apply): the erasure wins whatever the order. Ingest writes
   * nothing over an erased key (409), so no later write of its is hidden by this.
   */
  erase(key: string, eventId: string, partition: number): void {
    const storyId = storyOfStateKey(key)
    if (storyId === key) {
      const held = this.#byId.get(key)
      this.#noteErasure(key, eventId, partition, versionOf(held))
      // killed already (withdrawn, or erased): it stays as it is, without its content
      if (held?.article.pubStatus === 'canceled') {
        this.#byId.set(key, { ...held, article: withoutContent(held.article) })
        return
      }
      this.#byId.set(key, held === undefined ? erasedArticle(key, eventId) : killedArticle(held, eventId))
    } else {
      const story = this.#storyOf(storyId)
      const entryId = key.slice(entryStateKey(storyId, '').length)
      const held = story.entries.get(entryId)
      this.#noteErasure(key, eventId, partition, versionOf(held))
      if (held?.entry.pubStatus === 'canceled') {
        story.entries.set(entryId, { ...held, entry: entryWithoutContent(held.entry) })
        return
      }
      story.entries.set(entryId, held === undefined ? erasedEntry(storyId, entryId, eventId) : deletedEntry(held, eventId))
    }
    this.#unreadable.delete(key)
    this.#changes++
  }

  /** A tombstone of `key` on `partition`; `over`: the version of the state it kills, at its first tombstone. */
  #noteErasure(key: string, eventId: string, partition: number, over: number): void {
    const erasure = this.#erasures.get(key) ?? { on: new Set<number>(), eventId, over }
    this.#erasures.set(key, erasure)
    erasure.on.add(partition)
  }

  /**
   * The tail read a record of `key` on `partition` (before applying it): after a tombstone there,
   * it is the key's latest state (as once compaction removes the tombstone), written over the
   * kill held as any record; a tombstone on another partition still stands.
   */
  recordOn(key: string, partition: number): void {
    const erasure = this.#erasures.get(key)
    if (erasure?.on.delete(partition) && erasure.on.size === 0) this.#erasures.delete(key)
  }

  #storyOf(storyId: string): Story {
    let story = this.#stories.get(storyId)
    if (story === undefined) {
      story = { entries: new Map(), maxSeq: 0 }
      this.#stories.set(storyId, story)
    }
    return story
  }

  /** How many keys' latest records could not be read. */
  get unreadable(): number {
    return this.#unreadable.size
  }

  /**
   * Throws `not_ready` when an entry of the story could not be read: it may hold the next seq.
   * Seqs are given without gaps (one is taken only by a committed record), so a story's entry keys
   * number its highest seq: an entry erased with nothing left of it but its tombstone (its seq
   * unknown, maybe the highest) is counted, and its seq not given out again.
   */
  nextSeq(storyId: string): number {
    this.#entriesReadable(storyId)
    const story = this.#stories.get(storyId)
    return Math.max(story?.maxSeq ?? 0, story?.entries.size ?? 0) + 1
  }

  #entriesReadable(storyId: string): void {
    for (const key of this.#unreadable) if (storyOfStateKey(key) === storyId) throw unreadableState(key)
  }

  /**
   * The news.articles keys of every entry of a story, readable here or not (an erasure tombstones
   * them all: it decides nothing over them, so an entry a newer instance wrote does not hold it
   * up; red12b attack run). An entry known by its tombstone alone is erased already: left out.
   */
  entryKeys(storyId: string): string[] {
    const keys = new Set<string>()
    for (const [id, e] of this.#stories.get(storyId)?.entries ?? []) if (e.entry.version > 0) keys.add(entryStateKey(storyId, id))
    for (const key of this.#unreadable) if (key !== storyId && storyOfStateKey(key) === storyId) keys.add(key)
    return [...keys]
  }

  /**
   * Stories whose own key is erased while some entry key has no tombstone standing: an erasure
   * cut short (erasure-completion.ts). Erased again, every key gets one (as a retry does).
   */
  unfinishedErasures(): string[] {
    const stories: string[] = []
    for (const key of this.#erasures.keys())
      if (storyOfStateKey(key) === key && this.entryKeys(key).some((k) => !this.#erasures.has(k))) stories.push(key)
    return stories
  }

  /**
   * Every entry of a story, in creation order (deleted ones included, as deleted). Throws
   * `not_ready` when one could not be read: the list would show it as it was (a killed one live).
   */
  entries(storyId: string): StoredEntry[] {
    this.#entriesReadable(storyId)
    const story = this.#stories.get(storyId)
    if (story === undefined) return []
    // an entry erased with nothing known of it (not even its seq) is not listed
    return [...story.entries.values()].filter((e) => e.entry.version > 0).sort((a, b) => a.entry.seq - b.entry.seq)
  }

  /**
   * Takes a committed event (with what its news.articles record carried of earlier versions);
   * older versions than the one held are only remembered as committed.
   */
  apply(event: NewswireEvent, carried: Carried = {}): void {
    this.#remember(event.eventId)
    if (isEntryEvent(event)) {
      this.#applyEntry(event, carried.statuses)
      return
    }
    const id = event.article.id
    const prev = this.#byId.get(id)
    // erased (a tombstone on another partition, not ordered against this record): the record
    // counts as written before it, newer than what the kill stands over or not, and stays killed
    const erasure = this.#erasures.get(id)
    if ((erasure ? erasure.over : versionOf(prev)) >= event.article.version) return
    const next = storedOf(event, prev, carried.views)
    if (erasure) erasure.over = event.article.version
    this.#byId.set(id, erasure && next.article.pubStatus !== 'canceled' ? killedArticle(next, erasure.eventId) : next)
    this.#changes++
  }

  #applyEntry(event: EntryEvent, carried: EarlierStatuses | undefined): void {
    const story = this.#storyOf(event.article.id)
    const prev = story.entries.get(event.entry.id)
    const erasure = this.#erasures.get(entryStateKey(event.article.id, event.entry.id))
    if ((erasure ? erasure.over : versionOf(prev)) >= event.entry.version) return
    const next = storedEntryOf(event, prev, carried)
    if (erasure) erasure.over = event.entry.version
    story.entries.set(event.entry.id, erasure && next.entry.pubStatus !== 'canceled' ? deletedEntry(next, erasure.eventId) : next)
    story.maxSeq = Math.max(story.maxSeq, event.entry.seq)
    this.#changes++
  }

  /** Counts the versions taken and the states that turned (un)readable: unchanged between two reads, neither happened in between. */
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

/**
 * A batch's view: the state plus the events planned earlier in the same batch, so two writes to
 * one article or entry in one transaction see each other.
 */
export class Overlay implements StateView {
  readonly #base: StateView
  readonly #articles = new Map<string, Stored>()
  readonly #entries = new Map<string, StoredEntry>()
  readonly #seqs = new Map<string, number>()

  constructor(base: StateView) {
    this.#base = base
  }

  article(id: string): Stored | undefined {
    return this.#articles.get(id) ?? this.#base.article(id)
  }

  entry(storyId: string, entryId: string): StoredEntry | undefined {
    return this.#entries.get(`${storyId}\u0000${entryId}`) ?? this.#base.entry(storyId, entryId)
  }

  nextSeq(storyId: string): number {
    return this.#seqs.get(storyId) ?? this.#base.nextSeq(storyId)
  }

  apply(event: NewswireEvent): void {
    if (!isEntryEvent(event)) {
      this.#articles.set(
        event.article.id,
        storedOf(
          event,
          ifReadable(() => this.article(event.article.id)),
        ),
      )
      return
    }
    const storyId = event.article.id
    this.#entries.set(
      `${storyId}\u0000${event.entry.id}`,
      storedEntryOf(
        event,
        ifReadable(() => this.entry(storyId, event.entry.id)),
      ),
    )
    // an unreadable entry of the story may hold a later seq: creations there stay refused
    const next = ifReadable(() => this.nextSeq(storyId))
    if (next !== undefined) this.#seqs.set(storyId, Math.max(next, event.entry.seq + 1))
  }
}

// Tests and older imports name it here
export { IdempotencyCache } from './idempotency-cache.ts'
