// An operator's tombstone in news.articles may sit on another partition than the records of its key
// (red11: a Kafka tool places it by the hash of `<story>/entries/<entry>`, ingest writes the
// entry's state on its story's partition; or an article's tombstone written to a partition by
// hand), and a restarted instance's tail reads the partitions in whatever order its fetches hand
// them over. Offsets order one key's records only within a partition: an erasure wins whatever
// partition it sits on and whatever the order (state.ts erase, recordOn).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { entryStateKey, isEntryEvent, partitionOf } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import fc from 'fast-check'
import { ArticleState } from '../src/state.ts'
import { T0 } from './support/article-input.ts'
import { entryEventOf, eventOf } from './support/plan-jobs.ts'

const PARTITIONS = 4
const STORY = 'live-1'
const ARTICLE = 'a-1'

type Read = { partition: number; offset: number } & ({ event: NewswireEvent } | { tombstone: string })

const keyOf = (e: NewswireEvent) => (isEntryEvent(e) ? entryStateKey(e.article.id, e.entry.id) : e.article.id)

/** The state a tail rebuilds reading news.articles in `order` (as server.ts's tail does). */
function rebuilt(order: readonly Read[]): ArticleState {
  const state = new ArticleState()
  for (const r of order) {
    if ('tombstone' in r) state.erase(r.tombstone, `tombstone-${r.partition}-${r.offset}`, r.partition)
    else {
      state.recordOn(keyOf(r.event), r.partition)
      state.apply(r.event)
      state.readable(keyOf(r.event), true)
    }
  }
  return state
}

/** What a state says of every key (the kill's event id aside: it names the first tombstone read). */
function said(state: ArticleState, entryIds: readonly string[]): Record<string, unknown> {
  const a = state.article(ARTICLE)
  const out: Record<string, unknown> = { [ARTICLE]: [a?.type, a?.article.version, a?.article.pubStatus, a?.article.headline] }
  for (const id of entryIds) {
    const e = state.entry(STORY, id)
    out[id] = [e?.type, e?.entry.version, e?.entry.pubStatus, e?.entry.seq, e?.entry.body]
  }
  out.nextSeq = state.nextSeq(STORY)
  out.listed = state.entries(STORY).map((e) => `${e.entry.id}:${e.entry.pubStatus}`)
  return out
}

/** A run of one partition's next records at a time, chosen by `picks` in turn. Empties `queues`. */
function fetchOrder(queues: Read[][], picks: readonly number[]): Read[] {
  const out: Read[] = []
  for (let k = 0; queues.some((q) => q.length > 0); k++) {
    const pick = picks[k % Math.max(1, picks.length)] ?? 0
    const open = queues.filter((q) => q.length > 0)
    out.push(...(open[pick % open.length] as Read[]).splice(0, 1 + (pick % 3)))
  }
  return out
}

const scenarioArb = fc.record({
  articleVersions: fc.integer({ min: 1, max: 3 }),
  entryVersions: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
  // per key (the article, then each entry): the partitions of its tombstones (an operator may
  // write one on the wrong partition, then one on the right)
  tombstones: fc.array(fc.array(fc.nat(PARTITIONS - 1), { maxLength: 2 }), { minLength: 4, maxLength: 4 }),
  picks: fc.array(fc.nat(), { maxLength: 30 }),
})

test('property: an erased key stays erased (refused 409) whatever partition its tombstone sits on and whatever order the partitions are read in', () => {
  fc.assert(
    fc.property(scenarioArb, ({ articleVersions, entryVersions, tombstones, picks }) => {
      const queues: Read[][] = Array.from({ length: PARTITIONS }, () => [])
      const put = (partition: number, r: { event: NewswireEvent } | { tombstone: string }) => {
        const q = queues[partition] as Read[]
        q.push({ partition, offset: q.length, ...r })
      }
      // as ingest writes them: every record of a story's entries on the story's partition
      put(partitionOf(STORY, PARTITIONS), { event: eventOf(STORY, 1, T0, { live: true }) })
      for (let v = 1; v <= articleVersions; v++)
        put(partitionOf(ARTICLE, PARTITIONS), { event: eventOf(ARTICLE, v, T0 + v, { headline: `v${v}` }) })
      const entryIds = entryVersions.map((_, i) => `e${i + 1}`)
      for (const [i, versions] of entryVersions.entries())
        for (let v = 1; v <= versions; v++)
          put(partitionOf(STORY, PARTITIONS), { event: entryEventOf(STORY, `e${i + 1}`, v, T0 + v, { seq: i + 1, body: [`v${v}`] }) })
      // then the operator's tombstones, each on the partition it was written to
      const keys = [ARTICLE, ...entryIds.map((id) => entryStateKey(STORY, id))]
      const erased = new Set<string>()
      for (const [i, key] of keys.entries())
        for (const p of tombstones[i] ?? []) {
          put(p, { tombstone: key })
          erased.add(key)
        }
      const inOrder = queues.flat()
      const state = rebuilt(fetchOrder(queues, picks))
      assert.deepEqual(said(state, entryIds), said(rebuilt(inOrder), entryIds), 'what is held depends on the order partitions were read in')
      assert.equal(state.article(ARTICLE)?.article.pubStatus, erased.has(ARTICLE) ? 'canceled' : 'usable')
      // and held without its text (red12b: an erased entry's, or a hand-erased article's, was kept)
      if (erased.has(ARTICLE)) assert.equal(state.article(ARTICLE)?.article.headline, '', 'the erased article keeps its text')
      for (const [i, id] of entryIds.entries()) {
        const held = state.entry(STORY, id)
        if (erased.has(entryStateKey(STORY, id))) {
          assert.equal(held?.entry.pubStatus, 'canceled', `${id} is erased`)
          assert.deepEqual(held?.entry.body, [], `${id} is erased but keeps its text`)
        } else assert.deepEqual([held?.entry.pubStatus, held?.entry.version], ['usable', entryVersions[i]])
      }
      assert.equal(state.nextSeq(STORY), entryIds.length + 1, 'no seq is given out again')
    }),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 300) },
  )
})

test('a record after a tombstone on its own partition is its latest state; a tombstone on another partition still stands', () => {
  const state = new ArticleState()
  state.erase(ARTICLE, 'tombstone-1-0', 1)
  state.erase(ARTICLE, 'tombstone-2-0', 2)
  state.recordOn(ARTICLE, 1)
  state.apply(eventOf(ARTICLE, 1, T0))
  assert.equal(state.article(ARTICLE)?.article.pubStatus, 'canceled', 'the tombstone on partition 2 is not before it')
  const other = new ArticleState()
  other.erase(ARTICLE, 'tombstone-1-0', 1)
  other.recordOn(ARTICLE, 1)
  other.apply(eventOf(ARTICLE, 1, T0))
  assert.equal(other.article(ARTICLE)?.article.pubStatus, 'usable')
  // an undecodable record on another partition does not undo the erasure either
  other.erase(ARTICLE, 'tombstone-3-0', 3)
  other.recordOn(ARTICLE, 1)
  other.readable(ARTICLE, false)
  assert.equal(other.unreadable, 0)
  assert.equal(other.article(ARTICLE)?.article.pubStatus, 'canceled')
})
