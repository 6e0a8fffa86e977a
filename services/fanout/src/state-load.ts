// The load of news.articles at a fan-out's start (StateLoad): the latest state per key, read
// record by record in log order, with tombstones and undecodable records standing for what they
// kill or hold (unreadable.ts). Pure: feed.ts reads the topic and hands the records here.
import {
  EARLIER_STATUSES_HEADER,
  EARLIER_VIEWS_HEADER,
  earlierStatusesOf,
  earlierViewsOf,
  entryStateKey,
  isEntryEvent,
  partitionOf,
} from '@newswire/shared'
import type { Codec, EarlierStatuses, EarlierViews, IHeaders, Logger, NewswireEvent } from '@newswire/shared'
import { deletionOf, entryHoldOf, holdOf, killOf, standsFor } from './unreadable.ts'
import type { RecordAt, Unreadable } from './unreadable.ts'
import type { Store, Tombstone } from './store.ts'

/** What a load needs: the codec, where it counts what it cannot read (feed.ts FeedMetrics), a log. */
export interface StateLoadOptions {
  codec: Codec
  metrics: { decodeErrors(err: unknown): void; undecodableHeader(header: string): void }
  log: Logger
}

/** The version a state record is of: an entry's own, else its article's. */
const versionIn = (e: NewswireEvent): number => (isEntryEvent(e) ? e.entry.version : e.article.version)

/** A latest state read from news.articles, with what ingest carried of its earlier versions (earlier-views.ts). */
interface Loaded {
  offset: number
  partition: number
  event: NewswireEvent
  views: EarlierViews | null
  statuses: EarlierStatuses | null
}

/**
 * `seen` replaced by `stand`, the stand-in of the news.articles record at `where` (unreadable.ts):
 * the state it replaces counts as possibly seen in its own view too (not among the earlier views
 * or statuses it carries).
 */
function replacedBy(seen: Loaded, stand: NewswireEvent, where: RecordAt): Loaded {
  const views = seen.views ? { ...seen.views, complete: false } : null
  const statuses = seen.statuses ? { ...seen.statuses, complete: false } : null
  return { ...seen, offset: where.offset, event: stand, views, statuses }
}

/**
 * An article's loaded state killed by the news.articles record at `where` (a tombstone, or an
 * undecodable kill); null for an entry's state or one killed already.
 */
function killedOver(seen: Loaded, where: RecordAt, at: number): Loaded | null {
  const kill = isEntryEvent(seen.event) ? null : killOf(seen.event, where, at)
  return kill && replacedBy(seen, kill, where)
}

/**
 * The loaded state that an undecodable news.articles record at `where` stands over `seen` as
 * (unreadable.ts); null when that changes nothing. The record's key names its state: under an
 * entry's key, anything but that entry's deletion stands as its hold.
 */
function standOver(seen: Loaded, what: Unreadable, where: RecordAt, at: number): Loaded | null {
  let stand: NewswireEvent | null
  if (!isEntryEvent(seen.event)) stand = (what.kind === 'kill' ? killOf : holdOf)(seen.event, where, at)
  else {
    const deletion = what.kind === 'entryDeleted' && what.entryId === seen.event.entry.id
    stand = (deletion ? deletionOf : entryHoldOf)(seen.event, undefined, where, at)
  }
  return stand && replacedBy(seen, stand, where)
}

/** A record of news.articles as the load reads it (a kafkajs message). */
export interface StateRecord {
  key: Buffer | null
  value: Buffer | null
  offset: string
  timestamp: string
  headers?: IHeaders
}

/**
 * The load of news.articles at start, record by record in log order (take), then into the store
 * (into): the latest state per key (an article id, or `<story>/entries/<entry>` for an entry's),
 * and the keys erased by a tombstone. Pure: no I/O.
 *
 * Records of one key are ordered only within one partition: a tombstone may sit on another
 * partition than the key's records (an operator's tool places it by the hash of its key, ingest
 * an entry's state on its story's partition), and the partitions are read in any order. A
 * tombstone on any partition erases its key, unless a record follows it on its own partition (as
 * once compaction removes it); the erasure is applied in `into`, once every partition is read,
 * so the order they were read in changes nothing. Ingest writes nothing over an erased key (409),
 * so no later write of its is hidden by this.
 */
export class StateLoad {
  readonly #o: StateLoadOptions
  /** The latest record per key, ordered within its partition (a tombstone's kill is applied in `into`). */
  readonly #latest = new Map<string, Loaded>()
  /** Per key, the partitions whose latest record of it is a tombstone (an operator's erasure). */
  readonly #erased = new Map<string, Map<number, Tombstone>>()

  constructor(o: StateLoadOptions) {
    this.#o = o
  }

  take(partition: number, m: StateRecord): void {
    const o = this.#o
    const latest = this.#latest
    const offset = Number(m.offset)
    const where: RecordAt = { topic: 'articles', partition, offset }
    if (m.value === null) {
      // a tombstone is a kill of the article, or the deletion of the entry its key names
      // (schemas/README.md): over a state before it not compacted away yet, that kill
      // (unreadable.ts); alone (compaction removed what was before it), an erasure all the same:
      // what history brings of it is erased at goLive (Store.erase)
      const key = m.key?.toString('utf8')
      if (key === undefined) return
      const on = this.#erased.get(key) ?? new Map<number, Tombstone>()
      this.#erased.set(key, on.set(partition, { where, at: Number(m.timestamp) }))
      return
    }
    try {
      const event = o.codec.decode(m.value)
      // An entry's latest state has a key of its own (<story>/entries/<entry>), never the story's
      const key = isEntryEvent(event) ? entryStateKey(event.article.id, event.entry.id) : event.article.id
      const seen = latest.get(key)
      if (seen !== undefined && seen.partition === partition && seen.offset > offset) return
      // Ingest never writes a version below one it wrote: a record below the version read before
      // it is an old one written again (copied back from a backup or a mirror, or by another
      // tool), and taken as the latest it brought a killed article back to the public at the next
      // start (red23b); ingest's state skips it alike (state.ts apply). The same version again is
      // the same record (its headers read anew: kill-after-restart.kafka).
      if (seen !== undefined && versionIn(seen.event) > versionIn(event)) {
        o.log.warn(
          { key, partition, offset: m.offset, version: versionIn(event), after: versionIn(seen.event) },
          'a record of news.articles older than the version read before it (copied back from a backup or a mirror?) is not its state',
        )
        return
      }
      // a record after a tombstone on its partition is its key's latest state (as once compaction
      // removes the tombstone); a tombstone on another partition is not before it: it stands
      const on = this.#erased.get(key)
      if ((on?.get(partition)?.where.offset ?? offset) < offset) on?.delete(partition)
      // what ingest carried of earlier versions, read now: header values are slices of the
      // fetched batch, and holding them would hold every batch until the load ends
      const name = isEntryEvent(event) ? EARLIER_STATUSES_HEADER : EARLIER_VIEWS_HEADER
      const header = m.headers?.[name]
      const carried = isEntryEvent(event)
        ? { views: null, statuses: earlierStatusesOf(header) }
        : { views: earlierViewsOf(header), statuses: null }
      if (header !== undefined && carried.views === null && carried.statuses === null) {
        // read as if absent (the latest view counts as possibly public): safe, but ingest wrote what this release cannot read
        o.metrics.undecodableHeader(name)
        o.log.warn(
          { partition, offset: m.offset, header: name },
          'unreadable header in news.articles: its earlier versions count as unknown',
        )
      }
      latest.set(key, { offset, partition, event, ...carried })
    } catch (err) {
      o.metrics.decodeErrors(err)
      o.log.warn({ err, partition, offset: m.offset }, 'undecodable record in news.articles skipped')
      // what it stands for by its headers, over the state before it in its partition (not
      // compacted away yet): fails closed (unreadable.ts); after a tombstone there, the erasure stands
      const key = m.key?.toString('utf8')
      const seen = key === undefined ? undefined : latest.get(key)
      if (key === undefined || this.#erased.get(key)?.has(partition)) return
      if (seen && (seen.partition !== partition || seen.offset < offset)) {
        const over = standOver(seen, standsFor(m.headers), where, Number(m.timestamp))
        if (over) latest.set(key, over)
      }
    }
  }

  /** Into the store; returns how many states it loaded. */
  into(store: Store): number {
    const latest = this.#latest
    // Every partition read: each erased key's tombstone (on the lowest partition holding one, so
    // every instance names its kill alike) kills its article's state, deletes its entry's
    for (const [key, on] of this.#erased) {
      const tombstone = on.get(Math.min(...on.keys()))
      if (tombstone === undefined) continue
      store.erase(key, tombstone)
      const seen = latest.get(key)
      if (seen === undefined) continue
      // compaction never removes a record under a tombstone on another partition: once the
      // tombstone expires (delete.retention.ms) the record is all there is, live again
      if (!on.has(seen.partition))
        this.#o.log.warn(
          { key, tombstone: [...on.keys()], record: seen.partition },
          `an erasure in news.articles sits on another partition than its key's record: write the tombstone to partition ${seen.partition} too (deploy/README.md)`,
        )
      const killed = killedOver(seen, tombstone.where, tombstone.at)
      if (killed) latest.set(key, killed)
      else if (isEntryEvent(seen.event)) latest.delete(key)
    }
    // Stories first: an entry's state is judged with its story's
    for (const { partition, event, views } of latest.values()) if (!isEntryEvent(event)) store.load(partition, event, views)
    // An entry's state is keyed <story>/entries/<entry> in news.articles, but its events sit in its
    // story's partition of news.article-events: where its releases and catch-up clock are
    for (const { event, statuses } of latest.values())
      if (isEntryEvent(event)) store.loadEntry(partitionOf(event.article.id, store.partitions), event, statuses)
    return latest.size
  }
}
