// red23b attack run (2026-12-07): news.articles as an operator's restore or a mirror leaves it. Ingest
// writes each article's versions in order on its partition, the last one a kill or not; then
// records already written are written again later (a backup copied back, a mirror), on their own
// partition or another (a tool's partitioner), and the partitions are read in either order. A
// fan-out started over it with none of the log in its history must load each article at its
// highest version: no killed article on the public page, every live one at its latest headline.
// The load took the latest offset: a stale copy after a kill put the killed article on the page
// (state-load.ts; the kafka run is red23b-restored-state.kafka).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createCodec, createLogger, loadSchemas } from '@newswire/shared'
import type { ArticleEvent } from '@newswire/shared'
import fc from 'fast-check'
import type { Admission } from '../src/http/access.ts'
import { answerPage } from '../src/http/snapshot.ts'
import { StateLoad } from '../src/state-load.ts'
import { event } from './support/events.ts'
import { Harness } from './support/harness.ts'

const T0 = 1_800_000_000_000
const codec = createCodec(loadSchemas())
const metrics = { decodeErrors: () => {}, undecodableHeader: () => {} }
const publicAdmission: Admission = { audience: 'public', expiresAt: null, reject: null }
const log = createLogger('load-test', 'silent')

interface Run {
  /** Per article: how many versions ingest wrote, and whether the last is a kill. */
  articles: { versions: number; killed: boolean }[]
  /** Records written again after: which record (index into ingest's writes), on its partition or the other. */
  copies: { pick: number; other: boolean }[]
  /** Which partition is read first. */
  first: 0 | 1
}

function pageAfter(run: Run): { page: Map<string, string>; writes: ArticleEvent[] } {
  const writes: ArticleEvent[] = []
  for (const [i, a] of run.articles.entries())
    for (let v = 1; v <= a.versions; v++) {
      const type = v === 1 ? 'CREATED' : a.killed && v === a.versions ? 'WITHDRAWN' : 'UPDATED'
      const id = `a${i}`
      writes.push(
        event(
          type,
          { id, version: v, category: 'news', headline: `${id} v${v}`, ...(type === 'WITHDRAWN' && { pubStatus: 'canceled' }) },
          T0 + v,
        ),
      )
    }
  const home = (e: ArticleEvent) => Number(e.article.id.slice(1)) % 2
  const parts: ArticleEvent[][] = [[], []]
  for (const e of writes) parts[home(e)]?.push(e)
  for (const c of run.copies) {
    const e = writes[c.pick % writes.length] as ArticleEvent
    parts[c.other ? 1 - home(e) : home(e)]?.push(e)
  }
  const load = new StateLoad({ codec, metrics, log })
  for (const p of run.first === 0 ? [0, 1] : [1, 0])
    for (const [offset, e] of (parts[p] ?? []).entries())
      load.take(p, { key: Buffer.from(e.article.id), value: codec.encode(e), offset: String(offset), timestamp: String(T0) })
  const h = new Harness({ partitions: 2, start: T0 + 10_000, from: [parts[0]?.length ?? 0, parts[1]?.length ?? 0] })
  load.into(h.store)
  h.start()
  const items = (
    JSON.parse(answerPage(new URL('http://x/v1/snapshot?channels=category:news&limit=50'), publicAdmission, h.routeDeps(50))) as {
      items: { article: { id: string; headline: string } }[]
    }
  ).items
  return { page: new Map(items.map((i) => [i.article.id, i.article.headline])), writes }
}

function holds(run: Run): void {
  const { page } = pageAfter(run)
  for (const [i, a] of run.articles.entries()) {
    const id = `a${i}`
    if (a.killed) assert.ok(!page.has(id), `killed ${id} is on the public page`)
    else assert.equal(page.get(id), `${id} v${a.versions}`, `${id} is not at its latest version`)
  }
}

const runs = fc.record({
  articles: fc.array(fc.record({ versions: fc.integer({ min: 1, max: 4 }), killed: fc.boolean() }), { minLength: 1, maxLength: 4 }),
  copies: fc.array(fc.record({ pick: fc.nat(), other: fc.boolean() }), { maxLength: 6 }),
  first: fc.constantFrom(0 as const, 1 as const),
})

test('property: records written again after newer ones (a restore, a mirror) never put an older version, or a killed article, on the page', () => {
  fc.assert(
    fc.property(runs, (run) => {
      // a kill needs a version before it
      holds({ ...run, articles: run.articles.map((a) => ({ ...a, killed: a.killed && a.versions > 1 })) })
    }),
    { numRuns: 300 },
  )
})

test('the run that found it: a published article killed, its first version copied back after the kill', () => {
  holds({ articles: [{ versions: 2, killed: true }], copies: [{ pick: 0, other: false }], first: 0 })
})
