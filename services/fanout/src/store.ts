// What the fan-out knows of the log: the in-memory history of news.article-events (events in
// arrival order), how far each partition has been read, and the ledger (latest state per article,
// releases, exposure), which applies every event as it is read. feed.ts fills it from Kafka;
// tests fill it directly. Pure: no I/O.
//
// Until `goLive`, the store is catching up on history nobody is served from: each partition's
// clock then follows its own events' ingest times (never beyond the server's clock), so which
// versions were released before they were replaced is reconstructed from the log as every
// instance would, not from today's clock nor from another partition's newer events.
import { entryStateKey, isEntryEvent, storyOfStateKey } from '@newswire/shared'
import type { ArticleEvent, EarlierStatuses, EarlierViews, EntryEvent, NewswireEvent } from '@newswire/shared'
import { DeskIndex } from './desk-index.ts'
import { History, isEntryRecord } from './history.ts'
import type { HistoryRecord } from './history.ts'
import { Ledger } from './ledger.ts'
import type { ArticleState } from './ledger.ts'
import type { EntryState } from './entries.ts'
import { everyClearance, expose } from './exposure.ts'
import type { Exposure } from './exposure.ts'
import { entryHoldAsNext, holdAsNext } from './late-hold.ts'
import { givesWayToHistory } from './loaded-state.ts'
import { deletionAsNext, killAsNext } from './late-kill.ts'
import { deletionOf, entryHoldOf, holdOf, isHoldStandIn, isStandIn, killOf, lateHoldId } from './unreadable.ts'
import type { RecordAt, Unreadable } from './unreadable.ts'
import { isEntryDeleted } from './entry-visibility.ts'
import { isKill } from './visibility.ts'

/** Event ids remembered as read (see hasRead). */
const RECENT = 4096
/** Renumbered records remembered for replays from the log (Store.replayed); past that, the oldest as written */
const RENUMBERED_MAX = 10_000
/** Records the ledger did not take, remembered for replays from the log (Store.taken); past that, the oldest are forgotten */
const NOT_TAKEN_MAX = 10_000

/** Sets `key` in a memory of at most `max` entries, forgetting the oldest first (renumberings and old news are rare). */
function keep<V>(memory: Map<string, V>, key: string, value: V, max: number): void {
  memory.set(key, value)
  if (memory.size > max) memory.delete(memory.keys().next().value as string)
}

export interface StoreOptions {
  partitions: number
  historySize: number
  /** Per partition, the first offset history starts at (older events are only in Kafka). */
  from?: readonly number[]
  /** See Ledger: how close to an embargo a hide or kill counts as racing it on another instance. */
  raceWindowMs?: number
  /** The server's clock (default Date.now): no ingest time read while catching up counts beyond it. */
  now?: () => number
  /** A clock no step of the host's moves (default performance.now), ms: how long ago the log was known read. */
  monotonic?: () => number
}

/** Offsets as Kafka reports them for news.article-events, for replays and position checks. */
export interface LogBounds {
  /** Log start offsets per partition (older ones are gone: retention). */
  lowWatermarks(): Promise<number[]>
  /** Log end offsets per partition. */
  highWatermarks(): Promise<number[]>
}

export class Store {
  readonly partitions: number
  readonly history: History
  readonly ledger: Ledger
  /** Per partition, where history started: the events of states known only from news.articles are below. */
  readonly from: readonly number[]
  /** Every article in editorial order, for snapshots, older pages and counts (snapshot.ts). */
  readonly desk = new DeskIndex()
  /** Next offset to read per partition: every event below is in history (or skipped as poison). */
  readonly #read: number[]
  #live = false
  readonly #now: () => number
  readonly #monotonic: () => number
  /** Ids of the last RECENT events read, newest last (FanoutInstance.settled, for tests and tools). */
  readonly #recent: string[] = []
  readonly #recentSet = new Set<string>()
  /**
   * Keys (article ids, entry keys `<story>/entries/<entry>`) whose latest record in news.articles
   * is a tombstone, an operator's erasure: it has no event in history, so it stands again at goLive.
   */
  readonly #erased = new Map<string, Tombstone>()
  /** Records the ledger renumbered, by event id, as it took them (replayed) */
  readonly #renumbered = new Map<string, NewswireEvent>()
  /** Records the ledger took as old news (not applied), by `partition:offset` (taken) */
  readonly #notTaken = new Map<string, true>()
  /** While catching up: articles whose state from news.articles history is replacing (#replacing) */
  readonly #replaced = new Map<string, Replaced>()
  /**
   * The server time as of which every partition is known read to its end (freshAt), as the host
   * clock read it at the latest check; null until a feed says (tests that fill the store directly):
   * the ledger's clock is then the host's.
   */
  #freshAt: number | null = null
  /** When that check was made, by the monotonic clock. */
  #freshMono = Number.NEGATIVE_INFINITY

  constructor(o: StoreOptions) {
    if (o.partitions < 1) throw new TypeError('a store needs at least one partition')
    this.partitions = o.partitions
    const from = o.from ? [...o.from] : new Array<number>(o.partitions).fill(0)
    this.from = [...from]
    this.history = new History(o.historySize, from)
    this.ledger = new Ledger(this.history, o.raceWindowMs)
    this.#read = [...from]
    this.#now = o.now ?? Date.now
    this.#monotonic = o.monotonic ?? (() => performance.now())
  }

  /** A latest state from news.articles (before history is read), with the views of its earlier versions when known. */
  load(partition: number, event: ArticleEvent, earlier: EarlierViews | null = null): void {
    // the latest state is judged now: an embargo passed by now has been released (it was not replaced)
    this.ledger.load(partition, event, earlier, this.#now())
    this.desk.put(event)
  }

  /**
   * `key`'s latest record in news.articles is a tombstone (before history is read): an erasure of
   * the article or of the entry it names, whether or not a record before it is left (compaction
   * removes those soon after; the tombstone stays for delete.retention.ms, shared/src/topics.ts).
   */
  erase(key: string, tombstone: Tombstone): void {
    this.#erased.set(key, tombstone)
  }

  /**
   * `key`'s latest record in news.articles was a tombstone when this instance started (only until
   * goLive, while history is read): its undecodable records in history are not dead-lettered again,
   * so an erased text is not copied past its erasure (red13b attack run).
   */
  erasedAtStart(key: string): boolean {
    return this.#erased.has(key)
  }

  /** An entry's latest state from news.articles (after the articles', so it meets its story). */
  loadEntry(partition: number, event: EntryEvent, earlier: EarlierStatuses | null = null): void {
    this.ledger.loadEntry(partition, event, earlier, this.#now())
  }

  /** An event read from news.article-events at `offset`, applied to the ledger; offsets already read are ignored. */
  append(partition: number, offset: number, event: NewswireEvent): HistoryRecord | null {
    if (offset < (this.#read[partition] ?? 0)) return null
    this.#read[partition] = offset + 1
    this.#remember(event.eventId)
    // an ingest whose clock runs ahead must not release embargoes early here
    if (!this.#live) this.ledger.catchUp(partition, Math.min(event.ingestedAt, this.#now()))
    const replacing = this.#live ? undefined : this.#replacing(event)
    const taken = this.#asRead(partition, event)
    // kept past the record's article moving on: a hold followed by later versions is no longer the
    // latest, and a replay from the log sent it as written, a version the reader had (red13b run)
    if (taken !== event) keep(this.#renumbered, event.eventId, taken, RENUMBERED_MAX)
    const record = this.history.append(partition, offset, taken)
    if (isEntryRecord(record)) {
      this.ledger.applyEntry(record, !this.#live, this.#now())
    } else {
      const state = this.ledger.apply(record, !this.#live, this.#now())
      if (state) this.desk.put(state.event)
    }
    if (!record.applied) keep(this.#notTaken, `${partition}:${offset}`, true, NOT_TAKEN_MAX)
    replacing?.read.push({ record, raw: event })
    return record
  }

  /**
   * Catching up, history's first record of an article (or of an entry) replaces its state from
   * news.articles whatever its number (Ledger.apply, Entries.apply): the versions before it come in
   * order, up to that state's own record. Until that record comes, what replaced it may be old news
   * (its record older than history: a writer that is not ingest), which no instance that read it
   * live applied: a newer version or a kill (a deletion) before it, or the end of the catch-up, says
   * so, and what history brought over it is undone (#undo). Returns where to note `event` meanwhile.
   */
  #replacing(event: NewswireEvent): Replaced | undefined {
    const key = keyOf(event)
    const open = this.#replaced.get(key)
    if (open !== undefined) {
      const loaded = open.loaded.event
      if (event.eventId === loaded.eventId) this.#replaced.delete(key)
      else if (versionOf(event) <= versionOf(loaded) && !endsIt(event)) return open
      else this.#undo(key, open)
      return undefined
    }
    const prev = isEntryEvent(event) ? this.ledger.entries.get(event.article.id, event.entry.id) : this.ledger.latest(event.article.id)
    if (prev === undefined || !givesWayToHistory(prev, true) || event.eventId === prev.event.eventId) return undefined
    if (versionOf(event) > versionOf(prev.event) || endsIt(event)) return undefined
    const seen = 'exposure' in prev ? structuredClone(prev.exposure) : { sure: prev.sure, maybe: prev.maybe }
    const started: Replaced = { loaded: prev, seen, read: [] }
    this.#replaced.set(key, started)
    return started
  }

  /**
   * The state from news.articles back (its record older than history), and what history brought
   * over it judged again as read after it (old news, a hold standing in, a kill or a deletion).
   */
  #undo(key: string, open: Replaced): void {
    this.#replaced.delete(key)
    const { loaded, seen } = open
    if (Array.isArray(seen)) this.ledger.restore(loaded as ArticleState, seen)
    else this.ledger.restoreEntry(loaded as EntryState, seen.sure, seen.maybe)
    for (const { record, raw } of open.read) {
      const taken = this.#asRead(record.partition, raw)
      if (taken !== raw) keep(this.#renumbered, raw.eventId, taken, RENUMBERED_MAX)
      else this.#renumbered.delete(raw.eventId)
      record.text = null
      if (isEntryRecord(record)) {
        record.event = taken as EntryEvent
        this.ledger.applyEntry(record, !this.#live)
      } else {
        record.event = taken as ArticleEvent
        this.ledger.apply(record, !this.#live)
      }
      const at = `${record.partition}:${record.offset}`
      if (record.applied) this.#notTaken.delete(at)
      else keep(this.#notTaken, at, true, NOT_TAKEN_MAX)
    }
    const s = this.ledger.latest(loaded.event.article.id)
    if (s && !isEntryEvent(loaded.event)) this.desk.put(s.event)
  }

  /**
   * false when the record at `offset` of `partition` is one the ledger took as old news (numbered
   * no higher than the version it held, after a kill, erased): memory marks it not applied and
   * never replays it; a replay from the log, past memory, must not either (red13 attack run: it
   * sent content no reader was shown). Known for what this instance read, the last NOT_TAKEN_MAX
   * of them; an older record (read before this instance started) is replayed as written.
   */
  taken(partition: number, offset: number): boolean {
    return !this.#notTaken.has(`${partition}:${offset}`)
  }

  /**
   * A kill or a deletion numbered as the live version it ends is the next one (late-kill.ts); a
   * hold or a new embargo so numbered, hiding what someone outside the newsroom sees, stands in as
   * the next one until the next record (late-hold.ts).
   */
  #asRead(partition: number, event: NewswireEvent): NewswireEvent {
    const now = this.ledger.clockFor(partition, !this.#live)
    const story = this.ledger.latest(event.article.id)
    if (!isEntryEvent(event)) return holdAsNext(killAsNext(event, story?.event), story, now, !this.#live)
    const entry = this.ledger.entries.get(event.article.id, event.entry.id)
    return entryHoldAsNext(deletionAsNext(event, entry?.event), entry, story, now, !this.#live)
  }

  /**
   * A record replayed from the log (older than memory), as the ledger read it: the latest event of
   * its article or entry when it is that record (renumbered by late-kill.ts, or standing in for it
   * under its own id's stand-in name, late-hold.ts, as memory holds it), else the record itself.
   */
  replayed(event: NewswireEvent): NewswireEvent {
    const renumbered = this.#renumbered.get(event.eventId)
    if (renumbered !== undefined) return renumbered
    const s = isEntryEvent(event) ? this.ledger.entries.get(event.article.id, event.entry.id) : this.ledger.latest(event.article.id)
    const id = s?.event.eventId
    return s !== undefined && (id === event.eventId || id === lateHoldId(event)) ? s.event : event
  }

  /**
   * A record at `offset` that could not be decoded, of article `key` (unreadable.ts): applied as
   * what it stands for (a kill, a hold, an entry's deletion or hold) when the article or entry is
   * known and that changes it; else the offset is only marked read.
   */
  appendUnreadable(partition: number, offset: number, key: string, what: Unreadable, at: number): HistoryRecord | null {
    const where = { topic: 'events', partition, offset } as const
    // a state from news.articles that stands in for an undecodable record is this one, most likely
    // (the same record in both topics, its stand-ins named apart by topic): what history brought
    // before it stands, not undone as old news (#replacing), or a reader shown an entry it deletes
    // was never told (fanout-poison.kafka.test.ts)
    const stateKey = what.kind === 'kill' || what.kind === 'hold' ? key : entryStateKey(key, what.entryId)
    const open = this.#replaced.get(stateKey)
    if (open !== undefined && isStandIn(open.loaded.event)) this.#replaced.delete(stateKey)
    let stand: NewswireEvent | null
    if (what.kind === 'kill' || what.kind === 'hold') {
      const prev = this.ledger.latest(key)
      const kill = what.kind === 'kill'
      // a stand-in known from news.articles only (this record's state there, loaded at start) is
      // this record: it goes into history at its offset, so replays from memory pass it (rev34 review)
      const loaded = prev && prev.offset === null && (kill ? isKill(prev.event) : isHoldStandIn(prev.event)) ? prev.event : null
      stand = loaded ?? (prev ? (kill ? killOf : holdOf)(prev.event, where, at) : null)
    } else {
      const prev = this.ledger.entries.get(key, what.entryId)
      const deletion = what.kind === 'entryDeleted'
      const loaded = prev && prev.offset === null && (deletion ? isEntryDeleted(prev.event) : isHoldStandIn(prev.event)) ? prev.event : null
      const story = this.ledger.latest(key)?.event.article
      stand = loaded ?? (prev ? (deletion ? deletionOf : entryHoldOf)(prev.event, story, where, at) : null)
    }
    if (stand === null) {
      this.markRead(partition, offset + 1)
      return null
    }
    return this.append(partition, offset, stand)
  }

  /**
   * What an undecodable record at `offset` stands for in a replay read from Kafka (older than
   * memory), by what the ledger made of it: a kill or a deletion it knows of, from this record, a
   * later one or news.articles only (the reader is told once: versions.admit); a hold only when
   * it is still the latest state and this record's (a later record, replayed after it, says more).
   * Not one from an earlier record: a replay from before it met it there, and one from after it
   * starts where the reader was past it; sent here, it came twice (red29a).
   */
  replayedUnreadable(partition: number, offset: number, key: string, what: Unreadable): NewswireEvent | null {
    const at = (s: { partition: number; offset: number | null }) => s.partition === partition && (s.offset === offset || s.offset === null)
    const since = (s: { partition: number; offset: number | null }) =>
      s.partition === partition && (s.offset === null || s.offset >= offset)
    switch (what.kind) {
      case 'kill': {
        const s = this.ledger.latest(key)
        return s && since(s) && isKill(s.event) ? s.event : null
      }
      case 'hold': {
        const s = this.ledger.latest(key)
        return s && at(s) && isHoldStandIn(s.event) ? s.event : null
      }
      case 'entryDeleted': {
        const s = this.ledger.entries.get(key, what.entryId)
        return s && since(s) && isEntryDeleted(s.event) ? s.event : null
      }
      case 'entryHold': {
        const s = this.ledger.entries.get(key, what.entryId)
        return s && at(s) && isHoldStandIn(s.event) ? s.event : null
      }
    }
  }

  /** The event has been read (among the last few thousand). */
  hasRead(eventId: string): boolean {
    return this.#recentSet.has(eventId)
  }

  #remember(eventId: string): void {
    this.#recent.push(eventId)
    this.#recentSet.add(eventId)
    if (this.#recent.length > RECENT) this.#recentSet.delete(this.#recent.shift() as string)
  }

  /**
   * Every partition was read (and applied) up to its end as it stood at server time `at`: every
   * record committed before `at` is in the ledger. `mono`: when, by the monotonic clock (default:
   * `at`'s distance from the host clock now, taken from it). The latest check by that clock counts
   * (an earlier one, told late, changes nothing), with `at` as the host clock read it then: the
   * highest `at` told may come from a moment the clock ran ahead, and a step ahead since would
   * take the latest check there too (red20).
   */
  fresh(at: number, mono = this.#monotonic() - (this.#now() - at)): void {
    if (this.#freshAt !== null && mono < this.#freshMono) return
    this.#freshAt = at
    this.#freshMono = mono
  }

  /** Milliseconds since the latest freshness check by the monotonic clock (0 before a feed said any: tests filling the store). */
  sinceFresh(): number {
    return this.#freshAt === null ? 0 : Math.max(0, this.#monotonic() - this.#freshMono)
  }

  /**
   * The time the ledger may judge embargoes by, live: the host's `now`, but never past the moment
   * the log is known read up to (fresh). A process that is behind the log (cut off from Kafka, a
   * backlog after a pause) has not read what was written before an embargo (a kill, a hold):
   * released by the host clock, on arrival or on time, a draft killed before its embargo went to
   * the public, its kill a fetch later (red14 attack run).
   */
  liveClock(now: number): number {
    if (this.#freshAt === null) return now
    // the last check, as the host clock reads it now: a check made while the clock ran ahead, the
    // clock stepped back since, knew the log read only up to that moment, well before `freshAt`;
    // released up to there, a draft killed meanwhile, unread, went to the public (red20)
    // whole milliseconds (positions carry it): performance.now is fractional; down is the safe way
    return Math.min(now, this.#freshAt, Math.floor(now - (this.#monotonic() - this.#freshMono)))
  }

  /**
   * When the next embargo not yet released falls due (at or before the host's clock while held
   * back); null: none. The feed checks the log's end often only near it (feed.ts keepFresh).
   */
  nextRelease(): number | null {
    return this.ledger.nextReleaseAfter(this.ledger.now)
  }

  /** History is read: from now on the server's clock (the hub's `ledger.advance`) decides releases. */
  goLive(now: number): void {
    // a state from news.articles whose own record history never brought: older than history
    for (const [key, open] of [...this.#replaced]) this.#undo(key, open)
    this.#live = true
    // History replaced a tombstone's kill with the article's events (a state from news.articles
    // stands in only until then), or brought the events of a key whose tombstone is all that
    // compaction left: the erasure stands over what they left (rev34 review). Where history holds
    // nothing of it, nothing read later is a version of it (Ledger.eraseUnknown).
    for (const [key, { where, at }] of this.#erased) {
      const storyId = storyOfStateKey(key)
      if (storyId === key) {
        const s = this.ledger.latest(key)
        if (s === undefined) this.ledger.eraseUnknown(key)
        else {
          // the kill's id names the tombstone: every instance stands it in alike
          const whole = this.#fromFirst(s)
          const kill = killOf(s.event, where, at)
          if (kill && this.ledger.erase(kill)) this.desk.put(this.ledger.latest(key)?.event ?? kill)
          // A tombstone carries none of the views ingest noted of the story (`earlier-views`): where
          // history does not bring it from its first version, the view it stands in may have been
          // public before, as for a state whose earlier views are not all known (Ledger.load). Taken
          // for unseen, a reader shown it on another instance, resuming here, was never told of its
          // erasure (red26a attack run, 2026-12-07)
          const now = this.ledger.latest(key)
          if (now && !whole) expose(now.exposure, now.event.article, everyClearance, false)
        }
        continue
      }
      const entryId = key.slice(entryStateKey(storyId, '').length)
      const s = this.ledger.entries.get(storyId, entryId)
      if (s === undefined) this.ledger.eraseUnknown(key)
      else {
        const deletion = deletionOf(s.event, this.ledger.latest(storyId)?.event.article, where, at)
        if (deletion) this.ledger.eraseEntry(deletion)
      }
    }
    this.#erased.clear()
    this.ledger.advance(now)
  }

  /** History brought the article from its first version (CREATED): what it says of who saw it is whole. */
  #fromFirst(s: ArticleState): boolean {
    let rec = s.seq === null ? undefined : this.history.get(s.seq)
    while (rec !== undefined && !isEntryRecord(rec) && rec.prevSeq !== null) rec = this.history.get(rec.prevSeq)
    return rec !== undefined && !isEntryRecord(rec) && rec.prev === undefined && rec.event.type === 'CREATED'
  }

  /** Partition `p` has been read up to `next` (exclusive): transaction markers, poison records. */
  markRead(partition: number, next: number): void {
    if (next > (this.#read[partition] ?? 0)) this.#read[partition] = next
  }

  /** Per partition, how far the log has been read (every event below is in history). */
  readTo(): number[] {
    return [...this.#read]
  }

  entryText(e: { event: ArticleEvent; text: string | null }, serialize: (ev: ArticleEvent) => string): string {
    e.text ??= serialize(e.event)
    return e.text
  }
}

/** An article's or an entry's state from news.articles that history is replacing while catching up (Store.#replacing). */
interface Replaced {
  loaded: ArticleState | EntryState
  /** Who may have seen it, as it stood before history replaced it: an article's exposure, an entry's bits. */
  seen: Exposure | { sure: number; maybe: number }
  /** What history brought of it since, as read. */
  read: { record: HistoryRecord; raw: NewswireEvent }[]
}

const keyOf = (e: NewswireEvent): string => (isEntryEvent(e) ? entryStateKey(e.article.id, e.entry.id) : e.article.id)
const versionOf = (e: NewswireEvent): number => (isEntryEvent(e) ? e.entry.version : e.article.version)
/** A kill, or an entry's deletion: final, whatever it follows. */
const endsIt = (e: NewswireEvent): boolean => (isEntryEvent(e) ? isEntryDeleted(e) : isKill(e))

/** A tombstone in news.articles: where it sits, and its time (its stand-in's). */
export interface Tombstone {
  where: RecordAt
  at: number
}
