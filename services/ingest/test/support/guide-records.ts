// What ingest wrote, as a downstream consumer reads it: news.article-events (every event, keyed
// by its article) and news.articles as written or compacted (the latest record per key, in its
// place; tombstones kept, as for delete.retention.ms), each value encoded with the real codec.
import { entryStateKey, isEntryEvent } from '@newswire/shared'
import type { Codec, NewswireEvent } from '@newswire/shared'
import type { InProcessPublisher } from './in-process-publisher.ts'
import type { ConsumedRecord } from './guide-consumer.ts'

export function eventRecords(codec: Codec, events: readonly NewswireEvent[]): ConsumedRecord[] {
  return events.map((e) => ({ key: e.article.id, value: codec.encode(e) }))
}

export function stateRecords(codec: Codec, written: InProcessPublisher['written'], compacted: boolean): ConsumedRecord[] {
  const all = written.map((w): ConsumedRecord => {
    if ('tombstone' in w) return { key: w.tombstone, value: null }
    const e = w.event
    return { key: isEntryEvent(e) ? entryStateKey(e.article.id, e.entry.id) : e.article.id, value: codec.encode(e) }
  })
  if (!compacted) return all
  const last = new Map<string, number>()
  for (const [i, r] of all.entries()) last.set(r.key, i)
  return all.filter((r, i) => last.get(r.key) === i)
}
