// What ingest wrote, as a downstream consumer reads it: news.article-events (every event, keyed
// by its article) and news.articles as written or compacted (the latest record per key, in its
// place; tombstones kept, as for delete.retention.ms). Records as ingest builds them (records.ts:
// key, value encoded with `codec`, headers), so a codec of a newer schema writes what a newer
// ingest would.
import type { Codec, NewswireEvent } from '@newswire/shared'
import { eventRecords as recordsOf } from '../../src/records.ts'
import type { InProcessPublisher } from './in-process-publisher.ts'
import type { ConsumedRecord } from './guide-consumer.ts'

const records = (codec: Codec, e: NewswireEvent) =>
  recordsOf({ fingerprintHex: codec.schemas.current.fingerprintHex, instanceId: 'guide' }, e, null, codec.encode(e), null)

export function eventRecords(codec: Codec, events: readonly NewswireEvent[]): ConsumedRecord[] {
  return events.map((e) => records(codec, e).event)
}

export function stateRecords(codec: Codec, written: InProcessPublisher['written'], compacted: boolean): ConsumedRecord[] {
  const all = written.map((w): ConsumedRecord => ('tombstone' in w ? { key: w.tombstone, value: null } : records(codec, w.event).state))
  return compacted ? compact(all) : all
}

/** What compaction leaves of `all`: the latest record per key, in its place. */
export function compact(all: readonly ConsumedRecord[]): ConsumedRecord[] {
  const last = new Map<string, number>()
  for (const [i, r] of all.entries()) last.set(r.key, i)
  return all.filter((r, i) => last.get(r.key) === i)
}
