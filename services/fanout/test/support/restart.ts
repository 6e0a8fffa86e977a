// A fan-out restarted over an instance's log, built as feed.ts builds one: the latest states from
// news.articles with what ingest carries of earlier versions (support/carried.ts), then a suffix of
// the log per partition, fetched a run of one partition at a time in any order
// (support/fetch-order.ts). Shared by the restart model tests.
import { entryStateKey, isEntryEvent } from '@newswire/shared'
import type { ArticleEvent, EntryEvent, NewswireEvent } from '@newswire/shared'
import { carriedStatuses, carriedViews } from './carried.ts'
import { fetchOrder } from './fetch-order.ts'
import { Harness } from './harness.ts'
import type { HarnessOptions } from './harness.ts'

/** Per partition, the first offset a restarted instance keeps in memory: the last `history` events, split evenly. */
function memoryStart(log: readonly (readonly unknown[])[], history: number): number[] {
  return log.map((l) => Math.max(0, l.length - history / log.length))
}

/**
 * A fan-out started now over `old`'s log: states from news.articles, then the last `history`
 * events (split evenly over the partitions) in fetch order `picks`; its clock reads `start`
 * (another instance's clock may differ from `old`'s, by at most the allowed skew).
 */
export function restarted(
  old: Harness,
  picks: readonly number[],
  history: number,
  start = old.clock.now(),
  options: Pick<HarnessOptions, 'fresh' | 'settleRounds' | 'positionKeys' | 'monotonicTimers'> = {},
  tombstones: ReadonlySet<string> = new Set(),
  compacted = true,
): Harness {
  const partitions = old.partitions
  const log = old.log.map((l) => [...l])
  const from = memoryStart(log, history)
  const h = new Harness({ ...options, partitions, historySize: history, start, from })
  for (const [p, l] of log.entries()) (h.log[p] as NewswireEvent[]).push(...l)
  // news.articles: each article's latest version, with the views of the ones before it
  // (an article's versions, and its entries', all sit in its partition)
  const versions = new Map<string, { p: number; events: ArticleEvent[] }>()
  const entryVersions = new Map<string, { p: number; events: EntryEvent[] }>()
  for (const [p, l] of log.entries())
    for (const e of l) {
      if (isEntryEvent(e)) {
        const key = `${e.article.id}/${e.entry.id}`
        entryVersions.set(key, { p, events: [...(entryVersions.get(key)?.events ?? []), e] })
      } else versions.set(e.article.id, { p, events: [...(versions.get(e.article.id)?.events ?? []), e] })
    }
  // an erased key (ingest's erasure: support/story-erasure.ts) is its tombstone alone once compaction
  // ran; before, an article's state (the erasure's kill) stays under it (state-load.ts `into`), an
  // entry's goes
  const erase = (key: string, p: number) => h.store.erase(key, { where: { topic: 'articles', partition: p, offset: 0 }, at: start })
  for (const [id, { p, events }] of versions) {
    const latest = events.at(-1) as ArticleEvent
    if (tombstones.has(id)) erase(id, p)
    if (tombstones.has(id) && (compacted || latest.type !== 'WITHDRAWN')) continue
    h.store.load(p, latest, latest.type === 'CREATED' ? null : carriedViews(events))
  }
  // entries after their stories, with what their earlier versions showed
  for (const { p, events } of entryVersions.values()) {
    const latest = events.at(-1) as EntryEvent
    if (tombstones.has(entryStateKey(latest.article.id, latest.entry.id))) {
      erase(entryStateKey(latest.article.id, latest.entry.id), p)
      continue
    }
    h.store.loadEntry(p, latest, latest.type === 'ENTRY_CREATED' ? null : carriedStatuses(events))
  }
  // history: a run of one partition's next events at a time
  const queues = log.map((l, p) => l.slice(from[p]).map((e, i) => [p, (from[p] as number) + i, e] as const))
  for (const [p, offset, e] of fetchOrder(queues, picks, 2)) h.store.append(p, offset, e)
  h.start()
  return h
}
