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
import { event } from './support/harness.ts'

const T0 = Date.UTC(2026, 11, 4, 6)
const PARTITIONS = 3

/** One version of an article: status, embargo (this long after it is written) and the time to the next. */
const versionArb = fc.record({
  category: fc.constantFrom('news', 'sports'),
  withheld: fc.boolean(),
  embargo: fc.option(fc.constantFrom(1_000, 30_000, 59_000, 61_000, 600_000), { nil: null }),
  gap: fc.constantFrom(0, 500, 20_000, 70_000, 700_000),
})

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

test('property: what catch-up decides does not depend on the order the partitions were fetched in', () => {
  fc.assert(
    fc.property(fc.array(articleArb, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 40 }), (articles, picks) => {
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
      // the log: every partition in the order its events were written
      const inTime = [...events].sort((x, y) => x[1].ingestedAt - y[1].ingestedAt)
      const now = (inTime.at(-1)?.[1].ingestedAt ?? T0) + 1000
      // fetched: a run of one partition's next events at a time, partitions in any order
      const queues = Array.from({ length: PARTITIONS }, (_, p) => inTime.filter(([q]) => q === p))
      const fetched: [number, ArticleEvent][] = []
      let k = 0
      while (queues.some((q) => q.length > 0)) {
        const pick = picks[k++ % Math.max(1, picks.length)] ?? 0
        const open = queues.filter((q) => q.length > 0)
        const q = open[pick % open.length] as [number, ArticleEvent][]
        fetched.push(...q.splice(0, 1 + (pick % 3)))
      }
      assert.deepEqual(read(fetched, now), read(inTime, now))
    }),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 300) },
  )
})
