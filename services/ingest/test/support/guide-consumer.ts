// A downstream consumer written from schemas/README.md alone (a partner's search indexer and push
// sender): it decodes with a reader schema of its choice (standard Avro resolution, as the guide's
// decoding examples do), takes news.articles as a snapshot and news.article-events after it, and
// keeps what its public index may show. Every rule here quotes the guide; `rules` switches the
// ones an attack run found missing, so a test can show what a consumer without them publishes.
import type { Article, Codec, StoryEntry } from '@newswire/shared'

/** A Kafka record as the consumer reads it: a null value is a tombstone (news.articles only). */
export interface ConsumedRecord {
  key: string
  value: Buffer | null
  headers?: Readonly<Record<string, string>>
}

export interface GuideRules {
  /**
   * "Removing a deleted entry, keep its id and version (a marker)": red16d found the guide asked it
   * of killed articles only, and a replay or a follow from an earlier offset brought a deleted
   * entry back as new.
   */
  deletedEntryMarkers: boolean
  /**
   * How long a marker is kept after its kill (ms): "for 15 days after the kill". red16d found the
   * guide said 7 days, while the broker may keep the kill's earlier events up to 14.
   */
  markerMs: number
  /**
   * A record it cannot decode (a schema it does not have yet) acts through its headers: a kill
   * kills, anything else holds the article or entry until a readable record follows. red16d found
   * the guide said only to park it, so a kill in a newer schema never reached the index.
   */
  undecodableByHeaders: boolean
  /**
   * "An embargo passes for you once you have read what was written before it": embargoes are
   * judged by the time it last knew the log read to its end (`caughtUp`), not by its clock. red18b
   * found the guide said only "do not show before this instant": a consumer behind the log (lag,
   * a restart, a replay, a snapshot) released a draft whose kill, hold or new embargo, written
   * before the instant, it had not read yet. Left out: the clock (the guide before red18b).
   */
  releaseClock?: boolean
  /**
   * "Send no push notification while you catch up": no push until it has read up to the ends it
   * noted when it started (or restarted). A story public once and killed further on in the backlog
   * was pushed by a new consumer, a replay or a restart reading its way to the kill (red18b's open
   * item). Left out: a push whenever a key becomes public.
   */
  quietCatchUp?: boolean
}

interface DecodedEvent {
  eventId: string
  type: string
  ingestedAt: number
  article: Article
  entry?: StoryEntry | null
}

interface HeldArticle {
  version: number
  /** null: a marker (killed, or erased by a tombstone: no version then). */
  article: Article | null
  erased: boolean
  /** A marker's kill (its ingestedAt). */
  killedAt?: number
  /** Held from the public by a record it could not read, until a readable one follows. */
  unread?: boolean
}

interface HeldEntry {
  version: number
  /** null: a marker of a deleted entry. */
  entry: StoryEntry | null
  erased: boolean
  killedAt?: number
  unread?: boolean
}

const ENTRY_KEY = '/entries/'

export class GuideConsumer {
  readonly #codec: Codec
  readonly #reader: number
  readonly #rules: GuideRules
  readonly #now: () => number
  readonly #seen = new Set<string>()
  readonly #articles = new Map<string, HeldArticle>()
  readonly #entries = new Map<string, HeldEntry>()
  /** What became public, in order (a push each): `article:<id>` or `entry:<id>/<entry id>`, with the text shown. */
  readonly pushes: string[] = []
  /** Keys shown again after it read their kill or deletion: a killed article or deleted entry is never revived. */
  readonly revived: string[] = []
  readonly #removed = new Set<string>()
  /** Records it could not decode, parked ("send it to your own dead letter queue"). */
  readonly parked: ConsumedRecord[] = []
  /** Everything the public index ever showed (its text), to search for what must never appear. */
  readonly everShown: string[] = []
  #public = new Set<string>()
  /** What each public key shows now. */
  readonly #texts = new Map<string, string>()
  /** The latest time at which it noted where the log ends and has read up to there since (releaseClock). */
  #readUpTo = Number.NEGATIVE_INFINITY
  /** It has read up to the ends it noted since it started or restarted (quietCatchUp). */
  #current = false

  constructor(codec: Codec, reader: number, rules: GuideRules, now: () => number = Date.now) {
    this.#codec = codec
    this.#reader = reader
    this.#rules = rules
    this.#now = now
  }

  /** A record of news.articles (the snapshot) or news.article-events (the follow). */
  read(r: ConsumedRecord): void {
    this.#expire()
    if (r.value === null) this.#tombstone(r.key)
    else {
      let decoded: DecodedEvent
      try {
        decoded = this.#codec.decodeWith(this.#reader, r.value) as DecodedEvent
      } catch {
        // "park it, do not skip"
        this.parked.push(r)
        if (this.#rules.undecodableByHeaders) this.#byHeaders(r)
        this.#publish()
        return
      }
      this.#event(decoded)
    }
    this.#publish()
  }

  /**
   * A restart: the index (and its markers) is stored, the event ids seen were in memory. Kafka
   * then redelivers from the last committed offset (at-least-once).
   */
  restart(): void {
    this.#seen.clear()
    this.#current = false
  }

  /**
   * Its position reached the ends of news.article-events it noted at `at` (after a snapshot: the
   * ends noted before it, once news.articles is read to its end): everything acknowledged before
   * `at` is read.
   */
  caughtUp(at: number): void {
    this.#readUpTo = Math.max(this.#readUpTo, at)
    this.#publish()
    this.#current = true
  }

  /** Time passes with no record read: a push sender's timer at an embargo (or a marker's end). */
  tick(): void {
    this.#expire()
    this.#publish()
  }

  /** The public index now: article ids and `<id>/<entry id>` keys. */
  get shown(): ReadonlySet<string> {
    return this.#public
  }

  // A marker goes once its time is up: the id then reads as new again.
  #expire(): void {
    const due = (h: { erased: boolean; killedAt?: number }) =>
      !h.erased && h.killedAt !== undefined && h.killedAt + this.#rules.markerMs <= this.#now()
    for (const [id, h] of this.#articles) if (h.article === null && due(h)) this.#articles.delete(id)
    for (const [key, h] of this.#entries) if (h.entry === null && due(h)) this.#entries.delete(key)
  }

  // "On news.articles, accept a null value (tombstone) for a key too, and treat it like a
  // WITHDRAWN event for that article (under an entry's key, that entry's deletion) ... whatever
  // news.article-events still holds of it is erased too."
  #tombstone(key: string): void {
    const at = key.indexOf(ENTRY_KEY)
    if (at >= 0) {
      const entryKey = `${key.slice(0, at)}/${key.slice(at + ENTRY_KEY.length)}`
      this.#entries.set(entryKey, { version: Infinity, entry: null, erased: true })
      this.#removed.add(entryKey)
      return
    }
    this.#kill(key, Infinity, true)
  }

  // "Meanwhile act on its headers": a kill kills, an entry's deletion deletes it, anything else
  // holds the story (or the entry) until a record of it you can read follows.
  #byHeaders(r: ConsumedRecord): void {
    const type = r.headers?.['event-type']
    const entryId = r.headers?.['entry-id']
    // in news.articles an entry's key names its story too
    const at = r.key.indexOf(ENTRY_KEY)
    const storyId = at >= 0 ? r.key.slice(0, at) : r.key
    if (type === 'WITHDRAWN') {
      this.#kill(storyId, Infinity, false)
      return
    }
    if (entryId !== undefined) {
      const key = `${storyId}/${entryId}`
      const held = this.#entries.get(key)
      if (type === 'ENTRY_DELETED') this.#entries.set(key, { version: Infinity, entry: null, erased: false })
      else if (held !== undefined) held.unread = true
      return
    }
    const held = this.#articles.get(storyId)
    if (held !== undefined) held.unread = true
    else this.#articles.set(storyId, { version: 0, article: null, erased: false, unread: true })
  }

  #event(e: DecodedEvent): void {
    // "De-duplicate on eventId"
    if (this.#seen.has(e.eventId)) return
    this.#seen.add(e.eventId)
    // "Switch on type and skip what you do not handle"; "Skip (and log) UNKNOWN events"
    if (e.type === 'CREATED' || e.type === 'UPDATED' || e.type === 'WITHDRAWN') this.#articleEvent(e)
    else if (e.type === 'ENTRY_CREATED' || e.type === 'ENTRY_UPDATED' || e.type === 'ENTRY_DELETED') this.#entryEvent(e)
  }

  #articleEvent(e: DecodedEvent): void {
    const id = e.article.id
    const held = this.#articles.get(id)
    if (held?.erased) return
    // "Always apply a WITHDRAWN event."
    if (e.type === 'WITHDRAWN') {
      this.#kill(id, e.article.version, false, e.ingestedAt)
      return
    }
    // "ignore an event whose article.version is lower than the one you already hold"
    if (held !== undefined && e.article.version < held.version) return
    // a marker stays a marker: nothing of a story follows its WITHDRAWN
    if (held !== undefined && held.article === null && !held.unread) return
    this.#articles.set(id, { version: e.article.version, article: e.article, erased: false })
  }

  // "A story's WITHDRAWN removes the story and every entry of it." "Removing a killed article,
  // keep its id and version (a marker)".
  #kill(id: string, version: number, erased: boolean, killedAt?: number): void {
    const held = this.#articles.get(id)
    const marker = { version: Math.max(version, held?.version ?? 0), article: null, erased: erased || (held?.erased ?? false) }
    this.#articles.set(id, killedAt === undefined ? marker : { ...marker, killedAt })
    this.#removed.add(id)
    for (const key of [...this.#entries.keys()]) {
      if (!key.startsWith(`${id}/`)) continue
      this.#entries.delete(key)
      this.#removed.add(key)
    }
  }

  #entryEvent(e: DecodedEvent): void {
    const entry = e.entry
    if (entry === null || entry === undefined) return
    const key = `${e.article.id}/${entry.id}`
    const held = this.#entries.get(key)
    if (held?.erased) return
    // "for an entry event, compare entry.version with what you hold for (article.id, entry.id)"
    if (held !== undefined && entry.version < held.version) return
    if (held !== undefined && held.entry === null && !held.unread) return
    if (e.type === 'ENTRY_DELETED') {
      this.#removed.add(key)
      // "ENTRY_DELETED means: remove the entry everywhere"
      if (this.#rules.deletedEntryMarkers)
        this.#entries.set(key, { version: entry.version, entry: null, erased: false, killedAt: e.ingestedAt })
      else this.#entries.delete(key)
      return
    }
    this.#entries.set(key, { version: entry.version, entry, erased: false })
  }

  // "usable = may be published"; "embargoedUntil: if set, do not show the article to the public
  // before this instant" (releaseClock: "nor before you have read what was written before it");
  // an entry "only when both the story and the entry may be shown".
  #mayShow(x: { pubStatus: string; embargoedUntil: number | null }): boolean {
    const passed = this.#rules.releaseClock === true ? this.#readUpTo : this.#now()
    return x.pubStatus === 'usable' && (x.embargoedUntil === null || x.embargoedUntil <= passed)
  }

  #publish(): void {
    const now = new Set<string>()
    for (const [id, held] of this.#articles) {
      const a = held.article
      if (a === null || held.unread === true || !this.#mayShow(a)) continue
      now.add(id)
      this.#show(id, `article:${id}`, [a.headline, ...a.body])
    }
    for (const [key, held] of this.#entries) {
      const e = held.entry
      const story = key.slice(0, key.lastIndexOf('/'))
      if (e === null || held.unread === true || !now.has(story) || !this.#mayShow(e)) continue
      now.add(key)
      this.#show(key, `entry:${key}`, [e.headline ?? '', ...e.body])
    }
    this.#public = now
    for (const key of this.#texts.keys()) if (!now.has(key)) this.#texts.delete(key)
  }

  /** A push when `key` becomes public; its text recorded whenever what is shown changes. */
  #show(key: string, what: string, text: string[]): void {
    if (!this.#public.has(key) && (this.#current || this.#rules.quietCatchUp !== true)) this.pushes.push(what)
    if (this.#removed.has(key)) this.revived.push(what)
    const shown = `${what} ${text.join(' ')}`
    if (this.#texts.get(key) === shown) return
    this.#texts.set(key, shown)
    this.everShown.push(shown)
  }
}
