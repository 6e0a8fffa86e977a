// Duplicate filter: an event is dropped when its eventId was seen, or when its article already
// reached that version (newest version wins), or was withdrawn at a newer version (a page answered
// just before a kill and read after it), or, a page's item, at that very version (red27a). A
// withdrawal is dropped only when it repeats one: a kill after a hold is news. A kill is never dropped for its version: nothing follows a kill, and an
// instance that could not decode an edit stands in for an unreadable kill at the version it
// knows, which may be one the client already has. A stand-in hold's version is a guess too (one for
// a record the fan-out could not decode, or for a hold numbered as the live version it changes):
// the next record on the stream decides again, whatever its number, and one of that version (a
// page too) replaces it. A reset (clear) forgets all but kills: a kill is final (ingest never revives
// a story), and a reset made by a process that has not read it yet must not bring the story back
// (red14 attack run; `afterKill`: a version of a story killed since, not its kill, which
// delivery.ts leaves out of a reset). Bounded: the oldest entries are forgotten first. Kills have a
// memory of their own that only kills fill: among every article's marks, a big news day (or anyone
// publishing that many stories into the view) pushed a kill out, and a lagging process's reset
// brought the killed story back (red24b attack run).
import { touch } from './lru.ts'
import type { ArticleEvent, WithdrawnCause } from './types.ts'

interface ArticleMark {
  version: number
  /** That version (or withdrawal) was a fan-out's stand-in hold: a guess. */
  standIn: boolean
  /** The delivered version was flagged embargoed (newsroom): its release may still come. */
  embargoed: boolean
  /** The cause of the `withdrawn` delivered after that version (null: none; 'unknown' from older servers). */
  withdrawn: WithdrawnCause | 'unknown' | null
  /** The version the last withdrawal was decided on: older versions are stale. */
  withdrawnAt: number
  /** The duplicate key (event id) of `version`'s event, when an event set it. */
  key?: string
}

export const isKill = (c: WithdrawnCause | 'unknown' | null) => c === 'withdrawn' || c === 'canceled'

/** A fan-out's stand-in hold (services/fanout unreadable.ts isHoldStandIn: both kinds). */
const isStandIn = (e: ArticleEvent): boolean => e.eventId.startsWith('unreadable-hold:')

export const killOf = (e: ArticleEvent) => e.type === 'WITHDRAWN' || e.article.pubStatus === 'canceled'

const NO_VERSION = Number.NEGATIVE_INFINITY

export class Dedupe {
  readonly capacity: number
  /** Event ids (and release keys) delivered, oldest first. */
  #eventIds = new Map<string, true>()
  #articles = new Map<string, ArticleMark>()
  /** Articles killed (true: by a legal erasure's `withdrawn`): final, kept across resets, forgotten only for `capacity` later kills. */
  #killed = new Map<string, boolean>()

  constructor(capacity: number) {
    this.capacity = capacity
  }

  /** true when the event is new and must be delivered; records it. */
  acceptEvent(event: ArticleEvent, flags: { embargoed: boolean; released: boolean; snapshot?: boolean; page?: boolean }): boolean {
    const { id, version } = event.article
    const mark = this.#articles.get(id)
    // A page or snapshot item no longer flagged embargoed, of the version delivered under embargo,
    // is the server's release of it: the stream's own release may have been shed in a gap (the
    // routine lane), and the newest page asked after it was dropped as a duplicate, the story
    // kept as embargoed while the public read it (red21d attack run)
    const released = flags.released || (flags.snapshot && !flags.embargoed && mark?.embargoed && version === mark.version)
    // A release repeats the held event's eventId; give it a key of its own
    const key = released ? `${event.eventId}\u0000released` : event.eventId
    if (this.#eventIds.has(key)) return false
    const kill = killOf(event)
    // a real record after a stand-in hold: of its version, its word replaces the guess; on the
    // stream (not a page, answered maybe before the hold), it decides again whatever its number
    const real = mark?.standIn && !isStandIn(event)
    if (this.#killed.has(id)) return false
    if (mark) {
      // a release lifts an embargo told at that very version (a page from a process whose clock ran
      // ahead showed it, the stream's process took it back: red21c), as it lifts the newsroom's flag;
      // and brings back into a view a version told `left` it at that very version: a newsroom view of
      // states without `embargoed` that a page from such a process had shown it in, live there, and
      // the stream's process took out of, under embargo here (red28a attack run)
      const toldAt = mark.withdrawnAt === version && (mark.withdrawn === 'embargoed' || mark.withdrawn === 'left')
      const lifts = released && (mark.embargoed || toldAt)
      // a page's item at the very version a withdrawal was told at was answered before it (an
      // embargo passed, a newsroom `embargoed` view's story left it meanwhile): whatever brings it
      // back comes on the stream (red27a attack run); but of a stand-in's guessed version, a real
      // record decides (red18), and an embargo told at it, a public page's item (never flagged)
      // may be its release (red21c, red21d)
      const told = mark.withdrawn !== null && mark.withdrawn !== 'embargoed'
      const stale = flags.page === true && told && version === mark.withdrawnAt && !lifts && !real
      if (!kill && !(real && !flags.snapshot) && (version < mark.version || version < mark.withdrawnAt || stale)) return false
      if (!kill && version === mark.version && !lifts && !real) return false
    }
    touch(this.#eventIds, key, true, this.capacity)
    if (kill) touch(this.#killed, id, false, this.capacity)
    touch(
      this.#articles,
      id,
      {
        version: real ? version : Math.max(version, mark?.version ?? NO_VERSION),
        standIn: isStandIn(event) && version >= (mark?.version ?? NO_VERSION),
        embargoed: flags.embargoed && !released,
        withdrawn: kill ? 'canceled' : null,
        withdrawnAt: kill ? Math.max(version, mark?.withdrawnAt ?? NO_VERSION) : real ? NO_VERSION : (mark?.withdrawnAt ?? NO_VERSION),
        key,
      },
      this.capacity,
    )
    return true
  }

  /**
   * true unless it repeats what the client was told since the last event of the article: a kill
   * (nothing follows one), or the same cause at no newer version. Decided on a version older than
   * one delivered, it forgets that one. `version`: what the server decided it on (null from older
   * servers); `guess`: that is a stand-in hold's; `erased`: a legal erasure's, taken once after a
   * kill (its text goes too).
   */
  acceptWithdrawn(
    articleId: string,
    version: number | null = null,
    cause: WithdrawnCause | null = null,
    guess = false,
    erased = false,
  ): boolean {
    const mark = this.#articles.get(articleId)
    const at = version ?? NO_VERSION
    // decided on a version older than one delivered (a page from a process ahead of the stream): the
    // stream brings the version that lifts it again, which must not pass for a duplicate (red18). A
    // stand-in's guess too: the stream of a process behind stands in for a hold that the version the
    // client has (from a page ahead) lifted, then brings that version, or the story stays down
    // (stop 56, article-feed-model.test.ts)
    const older = mark !== undefined && at > NO_VERSION && at < mark.version
    const killed = this.#killed.get(articleId)
    // A story withdrawn with its content, erased later: ingest writes its kill again without it
    // (red26a attack run). Dropped as a second kill, a desk that keeps killed stories kept the text
    if (killed !== undefined) {
      if (killed || !erased) return false
      touch(this.#killed, articleId, true, this.capacity)
      return true
    }
    if (mark?.withdrawn) {
      if ((cause ?? 'unknown') === mark.withdrawn && at <= mark.withdrawnAt) return false
    }
    if (older && mark.key !== undefined) this.#eventIds.delete(mark.key)
    if (isKill(cause)) touch(this.#killed, articleId, erased, this.capacity)
    touch(
      this.#articles,
      articleId,
      {
        version: older ? at : (mark?.version ?? NO_VERSION),
        standIn: guess || mark?.standIn === true,
        embargoed: false,
        withdrawn: cause ?? 'unknown',
        withdrawnAt: Math.max(at, mark?.withdrawnAt ?? NO_VERSION),
      },
      this.capacity,
    )
    return true
  }

  clear(): void {
    this.#eventIds.clear()
    this.#articles.clear()
  }

  afterKill(e: ArticleEvent): boolean {
    return this.#killed.has(e.article.id) && !killOf(e)
  }

  get size(): { eventIds: number; articles: number } {
    return { eventIds: this.#eventIds.size, articles: this.#articles.size }
  }
}
