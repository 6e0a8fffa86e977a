// The server's record of every article: its latest version, whether that version's embargo has
// been released by this server's clock, where the article has been seen (exposure.ts), and the
// embargo schedule (embargo-schedule.ts); and the entries of live stories (entries.ts), whose
// embargoes share the schedule. The hub advances it in log order and clock order, so what was
// delivered live, what a resume replays and what a snapshot shows all come from one record. Pure:
// no I/O; time is passed in.
import { entryStateKey } from '@newswire/shared'
import { articleState, hasEmbargo, maskIfReleased, visibleMask } from './article-state.ts'
import type { ArticleState } from './article-state.ts'
import type { AudienceScope } from './audience.ts'
import type { ArticleEvent, EarlierStatuses, EarlierViews, EntryEvent, Shown } from '@newswire/shared'
import { EmbargoSchedule } from './embargo-schedule.ts'
import type { Release } from './embargo-schedule.ts'
import { Entries, hasEntryEmbargo } from './entries.ts'
import type { EntryState } from './entries.ts'
import { isEntryDeleted } from './entry-visibility.ts'
import { clearanceBit, everyClearance, expose, seenBy } from './exposure.ts'
import type { Exposure } from './exposure.ts'
import type { Entry, EntryEventRecord, History } from './history.ts'
import { compareReleaseKeys } from './position.ts'
import { releaseShows, releaseWouldShow } from './release-view.ts'
import { numberIsAGuess } from './late-hold.ts'
import { givesWayToHistory } from './loaded-state.ts'
import { clearances, INGEST_LEAD_MS, isKill, sees } from './visibility.ts'
import type { Clearance } from './visibility.ts'

export type { ArticleState } from './article-state.ts'

export class Ledger {
  readonly #history: History
  /** A hide or kill this long before an embargo may lose the race on another instance's clock. */
  readonly #raceWindowMs: number
  readonly #states = new Map<string, ArticleState>()
  /** The entries of live stories. */
  readonly entries = new Entries()
  /**
   * Keys (article ids, entry keys) erased by a news.articles tombstone that this instance knew
   * nothing of at goLive: nothing read after is a version of them, as nothing after a kill is.
   */
  readonly #erased = new Set<string>()
  /** Latest versions that carry an embargo, in release order (past ones too, for resumes). */
  readonly #embargoes: EmbargoSchedule
  #now = 0
  /** The latest embargo instant of a release made: past the clock once it is stepped back (audience-watermark.ts). */
  #madeUntil = Number.NEGATIVE_INFINITY
  /** While catching up: each partition's clock, the ingest time of the last event read from it (catchUp). */
  readonly #clocks: number[] = []
  #changes = 0
  /** Story versions the ledger released (their embargo passed while they were the latest): stories.ts entry. */
  readonly #releasedEvents = new WeakSet<object>()

  constructor(history: History, raceWindowMs = 60_000) {
    this.#history = history
    this.#raceWindowMs = raceWindowMs
    this.#embargoes = new EmbargoSchedule((p) => history.memStart(p))
  }

  /** The server time of the last advance: every release at or before it has been made. */
  get now(): number {
    return this.#now
  }

  /** The latest embargo instant of a release made (made while the host clock ran ahead, it may lie past the clock). */
  get madeUntil(): number {
    return this.#madeUntil
  }

  get size(): number {
    return this.#states.size
  }

  latest(id: string): ArticleState | undefined {
    return this.#states.get(id)
  }

  /** Whether this version (the event a state held) was released by the clock after it was applied. */
  releasedLater(event: object): boolean {
    return this.#releasedEvents.has(event)
  }

  states(): Iterable<ArticleState> {
    return this.#states.values()
  }

  /**
   * A latest state read from news.articles at start, with the views of its earlier versions that
   * ingest carried there: some instance may have shown them (exposure `sure: false`). Where they
   * are not all known (`earlier` null: a record older than the header; or not `complete`), the
   * view it has now may also have been public before, unless it is the first version (CREATED,
   * whatever its number: a CMS may start at its own revision).
   */
  load(partition: number, event: ArticleEvent, earlier: EarlierViews | null, at: number): void {
    const s = articleState(event, partition, null, null, undefined, at)
    const id = event.article.id
    for (const v of earlier?.views ?? []) expose(s.exposure, { id, ...v }, this.#earlierMask(v), false)
    if (earlier?.complete !== true && event.type !== 'CREATED') expose(s.exposure, event.article, everyClearance, false)
    this.#set(s)
  }

  /**
   * Clearances that may have seen earlier versions that showed `v` (an article's in one view, or an
   * entry's): the newsroom always; outside it, a status's versions count as released unless
   * replaced well before their embargo (as in apply).
   */
  #earlierMask(v: Shown): number {
    let mask = clearanceBit.all
    for (const [status, left] of [
      ['usable', v.usableLeftMs],
      ['withheld', v.withheldLeftMs],
    ] as const) {
      if (left === null) continue
      for (const c of clearances) if (sees(c, false, status, left < this.#raceWindowMs)) mask |= clearanceBit[c]
    }
    return mask
  }

  /**
   * The state `loaded` from news.articles back, with the exposure it had then, over what history
   * brought of its article while catching up: its own record is older than history, so those
   * records were old news (Store, which judges them again against it, as if read after it). Its
   * entries are not told of it: those judged before history replaced it were judged under it,
   * and those judged since keep what they were judged under (README, Known limits); counted as
   * seen through it, an entry posted under a hold standing in was announced deleted to the public.
   */
  restore(loaded: ArticleState, exposure: Exposure): void {
    this.#set({ ...loaded, exposure, text: null, changed: 0, before: true })
  }

  /** The same for an entry's state from news.articles, with who may have seen it then. */
  restoreEntry(loaded: EntryState, sure: number, maybe: number): void {
    const now = this.entries.get(loaded.event.article.id, loaded.event.entry.id)
    if (now) this.#unscheduleEntry(now)
    this.#scheduleEntry(this.entries.restore(loaded, sure, maybe))
  }

  /**
   * The kill a news.articles tombstone stands for, over the article's state after history
   * replayed its events at start: known from news.articles only (no offset), where the article
   * was seen kept. False when the article is unknown or killed already.
   */
  erase(kill: ArticleEvent): boolean {
    const prev = this.#states.get(kill.article.id)
    if (!prev || isKill(prev.event)) return false
    const s = articleState(kill, prev.partition, null, null, prev.exposure, this.#now)
    this.#set(s)
    this.#changed(s, null)
    return true
  }

  /**
   * The deletion a news.articles tombstone stands for, over the entry's state after history
   * replayed its events at start: known from news.articles only (no offset), whoever may have
   * seen the entry kept. False when the entry is unknown or deleted already.
   */
  eraseEntry(deletion: EntryEvent): boolean {
    const prev = this.entries.get(deletion.article.id, deletion.entry.id)
    if (!prev || isEntryDeleted(prev.event)) return false
    this.#unscheduleEntry(prev)
    const s = this.entries.load(prev.partition, deletion, this.#states.get(deletion.article.id), this.#now, prev.maybe)
    s.sure |= prev.sure
    return true
  }

  /**
   * A news.articles tombstone erased `key` (an article id, or an entry's key) and this instance
   * knows nothing of it (history holds none of its events): whatever is read of it later (a
   * writer that is not ingest, an older ingest) is refused as after a kill, and shown to nobody.
   */
  eraseUnknown(key: string): void {
    this.#erased.add(key)
  }

  /** Whether a tombstone erased `key` while this instance knew nothing of it (eraseUnknown). */
  erasedUnknown(key: string): boolean {
    return this.#erased.has(key)
  }

  /**
   * An entry's latest state read from news.articles at start (after its story's), with what its
   * earlier versions showed when ingest carried it: seen through its story, so only by whoever may
   * have seen the story, and (when known) only by whom those versions could be shown to.
   */
  loadEntry(partition: number, event: EntryEvent, earlier: EarlierStatuses | null, at: number): void {
    const prev = this.entries.get(event.article.id, event.entry.id)
    if (prev) this.#unscheduleEntry(prev)
    const story = this.#states.get(event.article.id)
    let maybe = story === undefined ? 0 : seenBy(story.exposure)
    if (earlier?.complete === true) maybe &= this.#earlierMask(earlier)
    // its events sit in its story's partition (news.articles keys its state apart): that
    // partition's clock and offsets judge its releases
    this.#scheduleEntry(this.entries.load(story?.partition ?? partition, event, story, at, maybe))
  }

  /**
   * Applies one entry event in log order at the ledger's time, with its story's state now (see
   * Entries.apply). Returns the entry's new state, or null when the event is not newer. `hostNow`:
   * the host's clock, live (#mayAt).
   */
  applyEntry(rec: EntryEventRecord, catchingUp = false, hostNow = 0): EntryState | null {
    const e = rec.event
    const prev = this.entries.get(e.article.id, e.entry.id)
    if (prev === undefined && this.#erased.has(entryStateKey(e.article.id, e.entry.id))) {
      // erased while unknown here (eraseUnknown): no version of it, as after a deletion
      const story = this.#states.get(e.article.id)
      rec.story = story ? { event: story.event, released: story.released } : undefined
      rec.prev = undefined
      rec.applied = false
      return null
    }
    const now = catchingUp ? this.#clockOf(rec.partition) : this.#now
    const s = this.entries.apply(
      rec,
      this.#states.get(e.article.id),
      now,
      this.#raceWindowMs,
      catchingUp,
      this.#mayAt(now, catchingUp, hostNow),
    )
    if (!s) return null
    if (prev) this.#unscheduleEntry(prev)
    this.#scheduleEntry(s)
    return s
  }

  /**
   * Applies one event in log order at the ledger's time (advance first). Returns the new state, or
   * null when the event is not newer than what the ledger holds (a duplicate or an older version:
   * old news, shown to nobody). While catching up on history, an event replaces
   * a state loaded from news.articles whatever its version. `hostNow`: the host's clock, live
   * (#mayAt).
   */
  apply(entry: Entry, catchingUp = false, hostNow = 0): ArticleState | null {
    const e = entry.event
    const prev = this.#states.get(e.article.id)
    if (prev === undefined && this.#erased.has(e.article.id)) {
      // erased while unknown here (eraseUnknown): no version of it, as after a kill
      entry.prev = undefined
      entry.prevSeq = null
      entry.applied = false
      return null
    }
    const now = catchingUp ? this.#clockOf(entry.partition) : this.#now
    if (prev && givesWayToHistory(prev, catchingUp) && prev.event.article.version >= e.article.version) {
      // A state from news.articles stands in only until history replays the article's versions
      // in order: the first of them replaces it (keeping what it says of earlier exposure)
      entry.prev = undefined
      return this.#applied(entry, prev.exposure, now, catchingUp)
    }
    entry.prev = prev ? { event: prev.event, released: prev.released } : undefined
    entry.prevSeq = prev?.seq ?? null
    // a stand-in hold's version is a guess (unreadable.ts, late-hold.ts): the next record read is newer, whatever its number
    const stale = prev !== undefined && prev.event.article.version >= e.article.version && !numberIsAGuess(prev.event)
    // a kill is final: nothing after it in the log is a version of the story (ingest refuses to
    // write one). One loaded from news.articles gives way to history's versions before it (numbered
    // as it or lower, above), never to a record numbered higher: that came after it (a writer that
    // is not ingest), and a starting instance took it for the story (restart-after-kill.test.ts)
    const afterKill = prev !== undefined && isKill(prev.event) && !isKill(e)
    if (prev && (stale || afterKill)) {
      // old news: no reader is sent it (not live, nor in a snapshot, page or replay: Store.taken),
      // so it adds nothing to where the story was seen; counted, a reader resuming was told of the
      // hold or kill of a story it could never have seen (its id: old-news-unseen.test.ts)
      entry.applied = false
      return null
    }
    const mayAt = this.#mayAt(now, catchingUp, hostNow)
    if (prev && !prev.released && hasEmbargo(prev.event)) {
      // Another instance may have read this event after its clock passed the embargo, and
      // released the version this one replaces: its readers must hear of a kill too. Live, by
      // ingest's stamp on this event as well, when later: a host clock stepped back (an NTP step,
      // a VM restore) read a kill written a second before an embargo as one written an hour
      // before it, and a reader shown the draft on an instance whose clock was right, resuming
      // here, was never told (red21c attack run). Only the replaced version: the new one is judged
      // by the host clock (ingest's own may run a minute ahead: INGEST_LEAD_MS)
      const at = prev.event.article.embargoedUntil as number
      const raceAt = catchingUp ? mayAt : Math.max(mayAt, e.ingestedAt)
      if (at - raceAt < this.#raceWindowMs) expose(prev.exposure, prev.event.article, maskIfReleased(prev), false)
    }
    return this.#applied(entry, prev?.exposure, now, catchingUp, mayAt)
  }

  /**
   * The entry's version becomes the article's state at `now`. While catching up, `now` is ingest's
   * clock: an embargo surely passed only INGEST_LEAD_MS after it (whether this version is released);
   * the race window in apply reads it as it stands.
   */
  #applied(entry: Entry, exposure: Exposure | undefined, now: number, catchingUp: boolean, mayAt = now): ArticleState {
    const s = articleState(entry.event, entry.partition, entry.offset, entry.seq, exposure, catchingUp ? now - INGEST_LEAD_MS : now)
    entry.applied = true
    entry.released = s.released
    this.#set(s)
    // live, with releases waiting for the log, some instance may have released it by the host's clock
    this.#changed(s, catchingUp ? now : mayAt > now ? mayAt : null)
    return s
  }

  /**
   * The time by which some instance may have released an embargo, for the estimate of who may have
   * seen a version (exposure `sure: false`): while catching up the partition's (ingest's) clock;
   * live the host's, which runs ahead of the ledger's while this instance has not known the log
   * read up to it (Store.liveClock). Releases follow the log, this estimate follows the clock.
   */
  #mayAt(now: number, catchingUp: boolean, hostNow: number): number {
    return catchingUp ? now : Math.max(now, hostNow)
  }

  /**
   * A new state of the story, to its entries. While catching up (`maybeAt`: ingest's clock), a
   * version whose embargo passed by it is not yet surely released (INGEST_LEAD_MS), but some
   * server may have released it: the estimate of who may have seen it, and its entries, says so.
   */
  #changed(s: ArticleState, maybeAt: number | null): void {
    if (maybeAt !== null && !s.released && hasEmbargo(s.event) && (s.event.article.embargoedUntil as number) <= maybeAt)
      expose(s.exposure, s.event.article, maskIfReleased(s), false)
    this.entries.storyChanged(s.event.article.id, s, maybeAt)
  }

  /**
   * Catching up on history: partition `partition` has been read up to an event ingested at `t`.
   * An article's versions (and its entries') all sit in one partition, so whether a version was
   * released before it was replaced is judged by that partition's clock alone: partitions are
   * fetched a batch at a time, and a newer batch of another partition must not release what this
   * one's older events have yet to replace. The server's clock takes over at goLive (advance).
   */
  catchUp(partition: number, t: number): void {
    const from = this.#clockOf(partition)
    if (t <= from) return
    const ignored: Release[] = []
    this.#clocks[partition] = t
    // `t` is ingest's clock, which may run INGEST_LEAD_MS ahead of the servers' that held the
    // embargo: some server may have released what is due by `t` (an estimate of who saw it), every
    // server had only what was due INGEST_LEAD_MS before (red6 attack run)
    for (const r of this.#embargoes.due(from + 1, t)) {
      if (r.partition !== partition) continue
      const s = this.#states.get(r.id)
      if (r.entry !== null) this.entries.mayRelease(r.id, r.entry, s, t)
      else if (s) this.#changed(s, t)
    }
    for (const r of this.#embargoes.due(from - INGEST_LEAD_MS + 1, t - INGEST_LEAD_MS))
      if (r.partition === partition) this.#release(r, ignored)
  }

  /** The clock an event read now is judged by: the server's, or while catching up its partition's. */
  clockFor(partition: number, catchingUp: boolean): number {
    return catchingUp ? this.#clockOf(partition) : this.#now
  }

  #clockOf(partition: number): number {
    return this.#clocks[partition] ?? 0
  }

  /**
   * Moves the clock to `now`; returns the releases it made, in release order. The clock follows
   * the host's back too (an NTP step after a glitch ahead): what was released stays released, but
   * a version read from then on is judged by the corrected clock, not by the glitch's time, which
   * would release on arrival every embargo up to it (red7 attack run). `now` may stand behind the
   * host's clock (Store.liveClock: the log not known read up to it).
   */
  advance(now: number): Release[] {
    if (now < this.#now) this.#now = now
    if (now <= this.#now) return []
    const out: Release[] = []
    for (const r of this.#embargoes.due(this.#now + 1, now)) this.#release(r, out)
    this.#now = now
    return out.sort(compareReleaseKeys)
  }

  /** Releases `r` unless it was already (a partition's catch-up may have). */
  #release(r: Release, out: Release[]): void {
    if (r.entry !== null) {
      this.#releaseEntry(r, out)
      return
    }
    const s = this.#states.get(r.id)
    if (!s || s.released) return
    s.released = true
    this.#releasedEvents.add(s.event)
    s.changed = ++this.#changes
    expose(s.exposure, s.event.article, visibleMask(s), true)
    const entry = s.seq === null ? undefined : this.#history.get(s.seq)
    if (entry && entry.offset === s.offset && entry.partition === s.partition) entry.released = true
    this.entries.storyChanged(r.id, s)
    this.#madeUntil = Math.max(this.#madeUntil, r.at)
    out.push(this.#embargoes.made(r))
  }

  #releaseEntry(r: Release, out: Release[]): void {
    const s = this.entries.release(r.id, r.entry as string, this.#states.get(r.id))
    if (!s) return
    const rec = s.seq === null ? undefined : this.#history.get(s.seq)
    if (rec && rec.offset === s.offset && rec.partition === s.partition) rec.released = true
    this.#madeUntil = Math.max(this.#madeUntil, r.at)
    out.push(this.#embargoes.made(r))
  }

  /** Whether the release's article or entry has been released. */
  #released(r: Release): boolean {
    if (r.entry === null) return this.#states.get(r.id)?.released === true
    return this.entries.get(r.id, r.entry)?.released === true
  }

  /** Articles' releases made after watermark (t, r) and at or before `until`, in release order (resumes). */
  releases(t: number, r: readonly [number, number] | undefined, until: number): Release[] {
    return this.#releasesAfter(t, r, until, (e) => e.entry === null)
  }

  /** The releases of one live story and of its entries after watermark (t, r), up to `until`, in release order. */
  storyReleases(storyId: string, t: number, r: readonly [number, number] | undefined, until: number): Release[] {
    return this.#releasesAfter(t, r, until, (e) => e.id === storyId)
  }

  #releasesAfter(t: number, r: readonly [number, number] | undefined, until: number, which: (e: Release) => boolean): Release[] {
    return this.#embargoes.after(t, r, Math.min(until, this.#now), (e) => which(e) && this.#released(e))
  }

  /** The next embargo time after `t`, for the release timer. */
  nextReleaseAfter(t: number): number | null {
    return this.#embargoes.nextAfter(t)
  }

  /**
   * The last release made after watermark (t, r), up to the clock (or `until`: one made while the
   * host clock ran ahead, past the clock since a step back), that shows `c` with `scope` something
   * now: where that audience's positions stand (audience-watermark.ts); null: none.
   */
  lastReleaseShown(
    t: number,
    r: readonly [number, number] | undefined,
    c: Clearance,
    scope: AudienceScope,
    until = this.#now,
  ): Release | null {
    const made = this.#embargoes.after(t, r, until, (e) => this.#released(e))
    for (let i = made.length - 1; i >= 0; i--) if (releaseShows(this, made[i] as Release, c, scope)) return made[i] as Release
    return null
  }

  /**
   * The earliest release due after `from`, at or before `until`, not made yet, that would show `c`
   * with `scope` something (its instant; null: none): a watermark raised past the clock by a
   * release made while it ran ahead stops below it (audience-watermark.ts).
   */
  firstUnmadeShown(from: number, until: number, c: Clearance, scope: AudienceScope): number | null {
    for (const r of this.#embargoes.due(from + 1, until))
      if (!this.#released(r) && releaseWouldShow(this, r.id, r.entry, c, scope)) return r.at
    return null
  }

  /**
   * A release due after the ledger's clock, at or before `until`, not made yet, that would show `c`
   * with `scope` something: a page beside a stream whose process has made it waits (reader-at.ts).
   * `stream`, a signed position: also one due after `until`, by its watermark, of a record before
   * its offsets: its process had read it and its release clock had passed it (its host clock ahead
   * of this one: red17), so it made it.
   */
  owesRelease(until: number, c: Clearance, scope: AudienceScope, stream?: { o: readonly number[]; t: number }): boolean {
    for (const r of this.#embargoes.due(this.#now + 1, Math.max(until, stream?.t ?? until))) {
      if (r.at > until && r.offset >= (stream?.o[r.partition] ?? 0) && r.loaded !== true) continue
      if (!this.#released(r) && releaseWouldShow(this, r.id, r.entry, c, scope)) return true
    }
    return false
  }

  /** Latest versions still under embargo (metric). */
  heldCount(): number {
    return this.#embargoes.countAfter(this.#now)
  }

  #set(next: ArticleState): void {
    const id = next.event.article.id
    const prev = this.#states.get(id)
    if (prev) this.#unschedule(id, prev)
    next.changed = ++this.#changes
    this.#states.set(id, next)
    this.#schedule(next)
  }

  #schedule(s: ArticleState): void {
    const a = s.event.article
    if (hasEmbargo(s.event)) this.#embargoes.add(a.embargoedUntil as number, s.partition, s.offset, a.id, null)
  }

  #unschedule(id: string, s: ArticleState): void {
    if (hasEmbargo(s.event)) this.#embargoes.remove(s.event.article.embargoedUntil as number, id, null)
  }

  #scheduleEntry(s: EntryState): void {
    const { article, entry } = s.event
    if (hasEntryEmbargo(s.event)) this.#embargoes.add(entry.embargoedUntil as number, s.partition, s.offset, article.id, entry.id)
  }

  #unscheduleEntry(s: EntryState): void {
    const { article, entry } = s.event
    if (hasEntryEmbargo(s.event)) this.#embargoes.remove(entry.embargoedUntil as number, article.id, entry.id)
  }
}
