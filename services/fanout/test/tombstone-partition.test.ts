// An operator's tombstone in news.articles may sit on another partition than the records of its key
// (red11: a Kafka tool places it by the hash of `<story>/entries/<entry>`, ingest writes the
// entry's state on its story's partition; or an article's tombstone written to a partition by
// hand), and a fan-out reads the partitions in whatever order its fetches hand them over. Offsets
// order one key's records only within a partition: an erasure wins whatever partition it sits on
// and whatever order the partitions are read in (StateLoad). History may hold a record of the
// article the fan-out cannot decode (a deploy in the wrong order): an erased key's is not copied
// to the dead-letter topic again, its text with it (red13b attack run).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createCodec, createLogger, entryStateKey, isEntryEvent, loadSchemas, partitionOf } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import fc from 'fast-check'
import { StateLoad } from '../src/feed.ts'
import type { StateRecord } from '../src/feed.ts'
import { Store } from '../src/store.ts'
import { standsFor } from '../src/unreadable.ts'
import { fetchOrder } from './support/fetch-order.ts'
import { entryEvent, event } from './support/events.ts'

const T0 = 1_800_000_000_000
const PARTITIONS = 4
const codec = createCodec(loadSchemas())
const metrics = { lag: () => {}, decodeErrors: () => {}, undecodableHeader: () => {} }
const STORY = 'Live-1'
const ARTICLE = 'A-1'

type Read = [number, StateRecord]

/** A record of `id` in history the fan-out cannot decode (an edit, by its headers). */
interface Unreadable {
  unreadable: string
  at: number
}

/**
 * What a fan-out started over history `log` knows of every key after loading news.articles in
 * `order`, and (`dlq:<id>`) whether it copies an undecodable record of `id` to the DLQ (feed.ts).
 */
function startedAfter(
  order: readonly Read[],
  log: readonly (NewswireEvent | Unreadable)[],
  entryIds: readonly string[],
): Record<string, string> {
  const now = T0 + 600_000
  const store = new Store({ partitions: PARTITIONS, historySize: 1000, now: () => now })
  const load = new StateLoad({ codec, metrics, log: createLogger('load-test', 'silent') })
  for (const [p, m] of order) load.take(p, m)
  load.into(store)
  const next = new Array<number>(PARTITIONS).fill(0)
  const out: Record<string, string> = {}
  for (const e of log) {
    const id = 'unreadable' in e ? e.unreadable : e.article.id
    const p = partitionOf(id, PARTITIONS)
    if ('unreadable' in e) {
      out[`dlq:${id}`] = store.erasedAtStart(id) ? 'not copied' : 'copied'
      store.appendUnreadable(p, next[p] ?? 0, id, standsFor({ 'event-type': 'UPDATED' }), e.at)
    } else store.append(p, next[p] ?? 0, e)
    next[p] = (next[p] ?? 0) + 1
  }
  store.goLive(now)
  const said = (e: NewswireEvent | undefined) =>
    e === undefined ? 'nothing' : `${e.type} ${isEntryEvent(e) ? e.entry.version : e.article.version} ${e.eventId}`
  for (const id of [ARTICLE, STORY]) out[id] = said(store.ledger.latest(id)?.event)
  for (const id of entryIds) out[entryStateKey(STORY, id)] = said(store.ledger.entries.get(STORY, id)?.event)
  return out
}

const scenarioArb = fc.record({
  articleVersions: fc.integer({ min: 1, max: 3 }),
  entryVersions: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
  // per key (the article, then each entry): the partitions of its tombstones (an operator may
  // write one on the wrong partition, then one on the right)
  tombstones: fc.array(fc.array(fc.nat(PARTITIONS - 1), { maxLength: 2 }), { minLength: 4, maxLength: 4 }),
  // where each partition's offsets start (a busy partition's are far above a quiet one's)
  bases: fc.array(fc.nat(10_000), { minLength: PARTITIONS, maxLength: PARTITIONS }),
  picks: fc.array(fc.nat(), { maxLength: 30 }),
  // the article's last record in history is one the fan-out cannot decode (red13b)
  unreadable: fc.boolean(),
})

test('property: an erased key stays erased whatever partition its tombstone sits on and whatever order the partitions are read in', () => {
  fc.assert(
    fc.property(scenarioArb, ({ articleVersions, entryVersions, tombstones, bases, picks, unreadable }) => {
      // the log, as ingest writes it: every record of a story's entries on the story's partition
      const log: NewswireEvent[] = []
      let at = T0
      const next = () => {
        at += 1000
        return at
      }
      const story = event('CREATED', { id: STORY, version: 1, live: true }, at)
      log.push(story)
      for (let v = 1; v <= articleVersions; v++) log.push(event(v === 1 ? 'CREATED' : 'UPDATED', { id: ARTICLE, version: v }, next()))
      const entryIds = entryVersions.map((_, i) => `e${i + 1}`)
      for (const [i, versions] of entryVersions.entries())
        for (let v = 1; v <= versions; v++) log.push(entryEvent(story.article, { id: `e${i + 1}`, seq: i + 1, version: v }, next()))
      // news.articles before compaction: every record on its key's partition (an entry's on its
      // story's), then the operator's tombstones, each on the partition it was written to
      const queues: Read[][] = Array.from({ length: PARTITIONS }, () => [])
      const offsets = [...bases]
      const put = (p: number, key: string, value: Buffer | null, time: number) => {
        const offset = offsets[p] ?? 0
        offsets[p] = offset + 1
        ;(queues[p] as Read[]).push([p, { key: Buffer.from(key), value, offset: String(offset), timestamp: String(time) }])
      }
      for (const e of log) {
        const key = isEntryEvent(e) ? entryStateKey(STORY, e.entry.id) : e.article.id
        put(partitionOf(e.article.id, PARTITIONS), key, codec.encode(e), e.ingestedAt)
      }
      const keys = [ARTICLE, ...entryIds.map((id) => entryStateKey(STORY, id))]
      const erased = new Set<string>()
      for (const [i, key] of keys.entries()) {
        for (const p of tombstones[i] ?? []) {
          put(p, key, null, next())
          erased.add(key)
        }
      }
      const inOrder = queues.flat()
      // its news.articles record is left out: that topic's undecodable records are never copied
      const history: (NewswireEvent | Unreadable)[] = unreadable ? [...log, { unreadable: ARTICLE, at: next() }] : log
      const known = startedAfter(fetchOrder(queues, picks, 3), history, entryIds)
      assert.deepEqual(known, startedAfter(inOrder, history, entryIds), 'what is known depends on the order partitions were read in')
      const live = unreadable ? `^UPDATED ${articleVersions + 1} ` : `^(CREATED|UPDATED) ${articleVersions} `
      assert.match(known[ARTICLE] as string, erased.has(ARTICLE) ? /^WITHDRAWN / : new RegExp(live))
      if (unreadable)
        assert.equal(known[`dlq:${ARTICLE}`], erased.has(ARTICLE) ? 'not copied' : 'copied', 'the DLQ copy of an erased record')
      for (const [i, id] of entryIds.entries()) {
        const key = entryStateKey(STORY, id)
        assert.match(
          known[key] as string,
          erased.has(key) ? /^(ENTRY_DELETED |nothing)/ : new RegExp(`^ENTRY_(CREATED|UPDATED) ${entryVersions[i]} `),
        )
      }
    }),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 200) },
  )
})

test('an article erased by a tombstone written to another partition than its own stays killed, read before or after it', () => {
  const created = event('CREATED', { id: ARTICLE, version: 1 }, T0)
  const updated = event('UPDATED', { id: ARTICLE, version: 2, headline: 'Erased' }, T0 + 1000)
  const home = partitionOf(ARTICLE, PARTITIONS)
  const other = (home + 1) % PARTITIONS
  const records: Read[] = [
    [home, { key: Buffer.from(ARTICLE), value: codec.encode(created), offset: '900', timestamp: String(T0) }],
    [home, { key: Buffer.from(ARTICLE), value: codec.encode(updated), offset: '901', timestamp: String(T0 + 1000) }],
  ]
  const tombstone: Read = [other, { key: Buffer.from(ARTICLE), value: null, offset: '3', timestamp: String(T0 + 5000) }]
  const before = startedAfter([tombstone, ...records], [created, updated], [])
  assert.deepEqual(before, startedAfter([...records, tombstone], [created, updated], []))
  assert.equal(before[ARTICLE], `WITHDRAWN 3 unreadable-kill:articles:${other}:3`)
})
