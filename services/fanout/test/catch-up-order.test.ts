// A fan-out reads its history a partition batch at a time, in whatever order the fetches hand the
// partitions over. Which versions were released before they were replaced (what a resume from
// memory may send the public, who may have seen a story before its kill) must not depend on that
// order: each partition is judged by its own events' times (ledger.ts catchUp). An outside review
// (2026-12-04) found one clock for all partitions let another partition's newer batch release an
// embargoed draft replaced well before its embargo (catch-up-clock.test.ts has its cases).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import fc from 'fast-check'
import { isEntryRecord } from '../src/history.ts'
import { Store } from '../src/store.ts'
import { carriedViews } from './support/carried.ts'
import { fetchOrder } from './support/fetch-order.ts'
import { event } from './support/events.ts'

const T0 = Date.UTC(2026, 11, 4, 6)
const PARTITIONS = 3

/** One version of an article: status, embargo (this long after it is written) and the time to the next. */
const versionArb = fc.record({
  category: fc.constantFrom('news', 'sports'),
  withheld: fc.boolean(),
  embargo: fc.option(fc.constantFrom(1_000, 30_000, 59_000, 61_000, 600_000), { nil: null }),
  gap: fc.constantFrom(0, 500, 20_000, 70_000, 700_000),
})

/** One generated article: its partition, when it starts, its versions, and whether it is killed. */
type Generated = {
  partition: number
  start: number
  versions: { category: string; withheld: boolean; embargo: number | null; gap: number }[]
  killed: boolean
}

const articleArb = fc.record({
  partition: fc.integer({ min: 0, max: PARTITIONS - 1 }),
  start: fc.integer({ min: 0, max: 1_500_000 }),
  versions: fc.array(versionArb, { minLength: 1, maxLength: 5 }),
  killed: fc.boolean(),
})

/** What a store knows after reading `order` (partition, event) and going live at `now`. */
function read(order: readonly [number, ArticleEvent][], now: number): string[] {
  const store = new Store({ partitions: PARTITIONS, historySize: 1000, now: () => now })
  const next = new Array<number>(PARTITIONS).fill(0)
  for (const [p, e] of order) {
    const offset = next[p] ?? 0
    next[p] = offset + 1
    store.append(p, offset, e)
  }
  store.goLive(now)
  const out: string[] = []
  for (let seq = store.history.firstSeq; seq < store.history.nextSeq; seq++) {
    const r = store.history.get(seq)
    if (r && !isEntryRecord(r)) out.push(`${r.event.article.id}@${r.event.article.version} released=${String(r.released)}`)
  }
  for (const s of store.ledger.states()) {
    const views = s.exposure.map((x) => `${x.view.category}:${x.mask}:${String(x.sure)}`).sort()
    out.push(`${s.event.article.id} ${views.join(',')}`)
  }
  return out.sort()
}

/** The log of `articles`: every partition in the order its events were written. */
function logOf(articles: readonly Generated[]): [number, ArticleEvent][] {
  const events: [number, ArticleEvent][] = []
  for (const [i, a] of articles.entries()) {
    let at = T0 + a.start
    for (const [k, v] of a.versions.entries()) {
      const e = event(
        k === 0 ? 'CREATED' : 'UPDATED',
        {
          id: `a${i}`,
          version: k + 1,
          category: v.category,
          pubStatus: v.withheld ? 'withheld' : 'usable',
          embargoedUntil: v.embargo === null ? null : at + v.embargo,
        },
        at,
      )
      events.push([a.partition, e])
      at += v.gap
    }
    if (a.killed)
      events.push([
        a.partition,
        event('WITHDRAWN', { id: `a${i}`, version: a.versions.length + 1, pubStatus: 'canceled' }, at, { reason: 'legal' }),
      ])
  }
  return events.sort((x, y) => x[1].ingestedAt - y[1].ingestedAt)
}

test('property: what catch-up decides does not depend on the order the partitions were fetched in', () => {
  fc.assert(
    fc.property(fc.array(articleArb, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 40 }), (articles, picks) => {
      const inTime = logOf(articles)
      const now = (inTime.at(-1)?.[1].ingestedAt ?? T0) + 1000
      const queues = Array.from({ length: PARTITIONS }, (_, p) => inTime.filter(([q]) => q === p))
      assert.deepEqual(read(fetchOrder(queues, picks, 3), now), read(inTime, now))
    }),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 300) },
  )
})

/** Per article and view, the clearances it was (or may have been) shown to. */
function masksOf(store: Store): string[] {
  const out: string[] = []
  for (const s of store.ledger.states()) {
    const m = new Map<string, number>()
    for (const x of s.exposure) m.set(String(x.view.category), (m.get(String(x.view.category)) ?? 0) | x.mask)
    out.push(...[...m].map(([view, mask]) => `${s.event.article.id} ${view}:${mask}`))
  }
  return out.sort()
}

test('property: an instance started at any time, reading history in any order, knows where each story was seen as one up all along', () => {
  fc.assert(
    fc.property(
      fc.array(articleArb, { minLength: 1, maxLength: 5 }),
      fc.array(fc.nat(), { maxLength: 40 }),
      fc.nat(),
      fc.array(fc.nat(), { minLength: PARTITIONS, maxLength: PARTITIONS }),
      (articles, picks, loadSeed, cutSeeds) => {
        const inTime = logOf(articles)
        const first = inTime[0]?.[1].ingestedAt ?? T0
        const now = (inTime.at(-1)?.[1].ingestedAt ?? T0) + 1000
        const along = new Store({ partitions: PARTITIONS, historySize: 1000, now: () => now })
        const next = new Array<number>(PARTITIONS).fill(0)
        const offsets = inTime.map(([p]) => {
          const o = next[p] ?? 0
          next[p] = o + 1
          return o
        })
        for (const [i, [p, e]] of inTime.entries()) along.append(p, offsets[i] as number, e)
        along.goLive(now)

        // news.articles read at `loadAt`: each article's latest version then, with the views of the
        // ones before it as ingest carries them; history from an offset at or before the first
        // event after it, per partition
        const loadAt = first + (loadSeed % (now - first + 1))
        let clock = loadAt
        const from = Array.from({ length: PARTITIONS }, (_, p) => {
          const firstAfter = inTime.findIndex(([q, e]) => q === p && e.ingestedAt > loadAt)
          const end = firstAfter < 0 ? (next[p] ?? 0) : (offsets[firstAfter] as number)
          return (cutSeeds[p] ?? 0) % (end + 1)
        })
        const later = new Store({ partitions: PARTITIONS, historySize: 1000, from, now: () => clock })
        const byArticle = new Map<string, { p: number; events: ArticleEvent[] }>()
        for (const [p, e] of inTime)
          if (e.ingestedAt <= loadAt) byArticle.set(e.article.id, { p, events: [...(byArticle.get(e.article.id)?.events ?? []), e] })
        for (const { p, events } of byArticle.values()) {
          const latest = events.at(-1) as ArticleEvent
          later.load(p, latest, latest.type === 'CREATED' ? null : carriedViews(events))
        }
        clock = now
        const queues = Array.from({ length: PARTITIONS }, (_, p) =>
          inTime.map((x, i) => [x, offsets[i] as number] as const).filter(([[q], o]) => q === p && o >= (from[p] as number)),
        )
        const order = fetchOrder(
          queues.map((q) => q.map(([x]) => x)),
          picks,
          3,
        )
        const seen = new Array<number>(PARTITIONS).fill(0)
        for (const [p, e] of order) {
          const o = (from[p] as number) + (seen[p] ?? 0)
          seen[p] = (seen[p] ?? 0) + 1
          later.append(p, o, e)
        }
        later.goLive(now)
        // the same views for the same clearances: none missed (a missed kill), none added (a kill
        // told to a reader who could not have seen the story)
        assert.deepEqual(masksOf(later), masksOf(along), `loaded at ${loadAt - first} ms, history from ${JSON.stringify(from)}`)
        // a version in both histories was released in both, or in neither (a replaced draft is never the public's)
        const released = (store: Store) => {
          const out = new Map<string, boolean>()
          for (let q = store.history.firstSeq; q < store.history.nextSeq; q++) {
            const r = store.history.get(q)
            if (r && !isEntryRecord(r)) out.set(`${r.event.article.id}@${r.event.article.version}`, r.released)
          }
          return out
        }
        const a = released(along)
        for (const [k, v] of released(later)) assert.equal(v, a.get(k), `${k} released`)
      },
    ),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 300) },
  )
})
