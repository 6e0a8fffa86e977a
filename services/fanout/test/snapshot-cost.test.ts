// What a subscribe storm costs in snapshots: 10,000 clients subscribe at once (public tickers on
// breaking, a category or Bengali; newsroom desks on `all`) to a store of stories, most of
// them a backfill from 2024 (30,000 by default, NEWSWIRE_SNAPSHOT_COST_STORIES for more). Each
// snapshot walks the index (desk-index.ts) from the top of its own channel's list. The figures are printed against a baseline measured in the same run (a scan and
// sort of every story per subscribe, what a snapshot costs without the index), never asserted as
// times (2 noisy cores); what is asserted is that both give the same items.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Article, ArticleEvent } from '@newswire/shared'
import { unrestricted } from '../src/audience.ts'
import { channelFor } from '../src/deliver.ts'
import type { SubView } from '../src/deliver.ts'
import { editorialAt } from '../src/desk-index.ts'
import type { Transport } from '../src/model.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { eventJson } from '../src/messages.ts'
import { page } from '../src/snapshot.ts'
import type { Clearance } from '../src/visibility.ts'
import { visibleVersion } from '../src/visibility.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'

/** NEWSWIRE_SNAPSHOT_COST_STORIES=100000 for the figure in the README; smaller by default to keep the unit run short. */
const STORIES = Number(process.env.NEWSWIRE_SNAPSHOT_COST_STORIES ?? 30_000)
const TODAY = 1_000
const SUBSCRIBERS = 10_000
const CATEGORIES = Array.from({ length: 20 }, (_, i) => `desk-${i}`)

/** A socket that only counts what it is sent. */
function countingTransport(): Transport & { bytes: number } {
  return {
    kind: 'ws',
    bytes: 0,
    buffered: () => 0,
    write(frames) {
      const before = this.bytes
      for (const f of frames) this.bytes += f.length
      return this.bytes - before
    },
    frame: (_type, json) => Buffer.from(json),
    close() {},
  }
}

/** The snapshot without the index: every story scanned, the visible ones sorted. */
function scanSnapshot(h: Harness, clearance: Clearance, view: SubView, limit: number): string[] {
  const hits: { at: number; id: string }[] = []
  for (const s of h.store.ledger.states()) {
    const a = visibleVersion(s, clearance)
    if (a !== null && channelFor(view, a) !== null) hits.push({ at: editorialAt(s.event), id: a.id })
  }
  hits.sort((x, y) => y.at - x.at || (x.id < y.id ? -1 : 1))
  return hits.slice(0, limit).map((x) => x.id)
}

test(`snapshot cost: ${SUBSCRIBERS} subscribes at once on ${STORIES} stories (printed against a full scan)`, async () => {
  const h = new Harness({ partitions: 4, historySize: 50_000, limits: { snapshotSize: 50, maxSubscriptionsPerConnection: 1 } })
  const now = h.clock.now()
  const y2024 = Date.parse('2024-01-01T00:00:00Z')
  const t0 = performance.now()
  for (let i = 0; i < STORIES; i++) {
    const today = i >= STORIES - TODAY
    const at = today ? now - (STORIES - i) * 1000 : y2024 + i * 60_000
    const a: Partial<Article> & { id: string; version: number } = {
      id: `s${i}`,
      version: 1,
      category: CATEGORIES[i % CATEGORIES.length] as string,
      language: i % 5 === 0 ? 'bn' : 'en',
      urgency: i % 50 === 0 ? 1 : 5,
      pubStatus: i % 97 === 0 ? 'withheld' : 'usable',
      embargoedUntil: today && i % 13 === 0 ? now + 3_600_000 : null,
      updatedAt: at,
    }
    h.append(event('CREATED', a, now))
  }
  h.start()
  await h.settle()
  const built = performance.now() - t0

  const views = [
    { audience: 'public' as const, channels: ['breaking'], share: 0.4 },
    { audience: 'public' as const, channels: ['category:desk-7'], share: 0.3 },
    { audience: 'public' as const, channels: ['lang:bn'], share: 0.2 },
    { audience: 'newsroom' as const, channels: ['all'], share: 0.1 },
  ]
  const plan: (typeof views)[number][] = []
  for (const v of views) for (let i = 0; i < SUBSCRIBERS * v.share; i++) plan.push(v)

  // Building the snapshots alone (what subscribe.ts asks of snapshot.ts), without the messages
  const t3 = performance.now()
  for (const v of plan) {
    const view = { channels: parseChannels(v.channels, 's'), filter: parseFilter({}, 's'), conn: { scope: unrestricted } }
    page(h.store, { clearance: v.audience === 'public' ? 'public' : 'all', view, limit: 50, from: null, asOf: null }, eventJson)
  }
  const building = performance.now() - t3

  const t1 = performance.now()
  let n = 0
  for (const v of plan) {
    const { conn } = { conn: h.hub.conns.add(v.audience, countingTransport()) }
    h.hub.handle(conn, {
      type: 'subscribe',
      id: 's',
      channels: parseChannels(v.channels, 's'),
      filter: parseFilter({}, 's'),
      since: null,
      catchUp: 'all',
    })
    n++
  }
  const storm = performance.now() - t1

  // The same snapshots without the index, for a sample of subscribes (the rest would take minutes)
  const sample = 40
  const t2 = performance.now()
  const scanned: string[][] = []
  for (let i = 0; i < sample; i++) {
    const v = views[i % views.length] as (typeof views)[number]
    const clearance: Clearance = v.audience === 'public' ? 'public' : 'all'
    scanned.push(
      scanSnapshot(
        h,
        clearance,
        { channels: parseChannels(v.channels, 's'), filter: parseFilter({}, 's'), conn: { scope: unrestricted } },
        50,
      ),
    )
  }
  const scanEach = (performance.now() - t2) / sample

  // The index gives what the scan gives
  for (const [i, v] of views.entries()) {
    const { conn, t } = h.connect(v.audience)
    h.hub.handle(conn, {
      type: 'subscribe',
      id: 's',
      channels: parseChannels(v.channels, 's'),
      filter: parseFilter({}, 's'),
      since: null,
      catchUp: 'all',
    })
    await h.settle()
    const snap = (t.messages[0]?.snapshot ?? []) as ArticleEvent[]
    assert.deepEqual(
      snap.map((e) => e.article.id),
      scanned[i],
      `${v.channels}: the index and the scan disagree`,
    )
    assert.equal(snap.length, 50)
  }
  h.hub.stop()

  const each = (storm * 1000) / n
  const buildEach = (building * 1000) / n
  console.log(
    `snapshot cost: store of ${STORIES} stories built in ${(built / 1000).toFixed(1)} s; ${n} subscribes (40% breaking, 30% a category, 20% lang:bn, 10% newsroom all; 50 items) took ${storm.toFixed(0)} ms with their messages (${each.toFixed(0)} µs each); building the snapshots alone ${building.toFixed(0)} ms (${buildEach.toFixed(1)} µs each); a full scan and sort per subscribe (baseline) takes ${(scanEach * 1000).toFixed(0)} µs: ${((scanEach * 1000) / buildEach).toFixed(0)}× the index`,
  )
})
