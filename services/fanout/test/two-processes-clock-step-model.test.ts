// The promise across two processes whose host clocks step on their own (red21c attack run,
// 2026-12-06): two-processes-model.test.ts's processes (reading one log at their own pace, process
// 1's clock 8 s ahead of or behind process 0's in half the runs, restarts, stalled freshness checks;
// public readers connecting, resuming, paging and counting with `at` on either), and each
// process's host clock may step ahead or back by 1 ms to an hour and be corrected while the other's
// does not (support/two-process-commands.ts: single steps, and glitches with a reader away and
// back on either process), timers on a monotonic clock a step does not move (Harness
// `monotonicTimers`), as Node's are. Ingest keeps true time. Checked:
//   S. after every step: nothing a public reader was sent (event, snapshot, page item or counted
//      story) was withheld or killed, or told to a reader its stream had told the kill of; and its
//      embargo had passed by some process's clock while that version was the latest the process had
//      read (README Known limits, "The server's own clock": what a clock running ahead released
//      cannot be undone), and by at most the skew allowance (MAX_CLOCK_SKEW_MS) past the sending
//      process's own clock then (a position or `at` from a process ahead is trusted that far, no
//      further: a step of five minutes or an hour must not carry a release to the other process);
//   L. at the end, both clocks corrected and past every embargo, both processes having read
//      everything and every reader resumed on either: each shows exactly the stories the public may
//      see, at their latest versions, with the one exception the README accepts ("a release made
//      during the glitch is not replayed to a reader resuming from before it (it is in that reader's
//      next snapshot)"): a reader that resumed on process p while p's clock was below the latest
//      version's embargo, after p had released it by a clock ahead, from a position past that
//      version's record and below its embargo, may show the story as it did then, until a snapshot
//      or a reset replaces what it shows. The README's other consequence (an `embargoed`
//      retraction while a clock is behind) needs no excuse: S allows it, and L comes after it.
// It found these holes (its known runs, in support/two-process-clock-known-runs.ts, replayed
// first): positions signed after a step back claimed less than the releases made while the clock
// ran ahead, so a reader shown such a release never heard of its kill on another process
// (audience-watermark.ts; written as a run by hand: the draft must be killed over a minute before
// an embargo a glitch of minutes passed, which random runs seldom reach; the first fix claimed
// releases not made yet, which the property found in 4 runs); a process whose clock was an hour
// behind took a kill for one read long before the embargo (Ledger.apply's race estimate reads
// ingest's stamp; about one run in 200); and the SDK dropped the release of a version it had been
// told was under embargo at that version (services/client dedupe.ts; about one run in 100). And a
// resume accepted within the skew allowance, its host's clock then stepped back an hour, waited the
// hour for its watermark (the end's "hubs are idle"; cursor.ts; once in 1,000 runs). A defect of its own: the end
// resumed readers whose positions a clock ahead had signed, within the allowance ahead of the
// clocks set right, and took their wait for the clock for a stuck hub (stop 55)
// 1,000 runs pass (about 4 minutes); the default 120 take about 30 s.
// NEWSWIRE_MODEL_RUNS (default 120), NEWSWIRE_MODEL_SEED and NEWSWIRE_MODEL_PATH as in the other models.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import fc from 'fast-check'
import { answerCounts, answerPage, RequestError } from '../src/http/snapshot.ts'
import { peekPosition } from '../src/position.ts'
import { MAX_CLOCK_SKEW_MS } from '../src/subscribe.ts'
import { opWrite } from './support/two-process-known-runs.ts'
import { Harness } from './support/harness.ts'
import { event, freshEventIds } from './support/events.ts'
import { subscribe } from './support/live-story.ts'
import { restarted } from './support/restart.ts'
import type { ClockCmd } from './support/two-process-commands.ts'
import { clockCmdsArb, IDS, READERS, SEC } from './support/two-process-commands.ts'
import { CLOCK_KNOWN } from './support/two-process-clock-known-runs.ts'
import type { Sent, Written } from './support/two-process-reader.ts'
import { killed, Reader, sentOf, visible } from './support/two-process-reader.ts'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'

const START = 1_800_000_000_000
/** How far a process lags the other at most, in true time (under the race allowance's minute). */
const MAX_LAG_MS = 50_000
const PUBLIC = { audience: 'public' as const, expiresAt: null, reject: null }
const RUNS = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 120)

const newStats = () => ({
  runs: 0,
  steps: 0,
  stepsBack: 0,
  pages: 0,
  counts: 0,
  notReady: 0,
  /** Pages and counts refused: an `at` past this process's clock by more than the allowance. */
  refused: 0,
  /** Resumes from a position ahead of the resuming process's clock: within the allowance, past it. */
  resumesAhead: 0,
  resumesPastSkew: 0,
  /** Content sent before its embargo by true time (a clock ahead). */
  releasesAhead: 0,
  /** Content sent before its embargo by the sending process's own clock (carried by a position from the other). */
  carried: 0,
  /** Readers at the end let off L for one story (README). */
  excused: 0,
  kills: 0,
  restarts: 0,
})
type Stats = ReturnType<typeof newStats>
const key = (id: string, version: number) => `${id}@${version}`

async function run(cmds: readonly ClockCmd[], historySize: number, skew = 0, stats: Stats = newStats()): Promise<void> {
  freshEventIds()
  const options = { settleRounds: 8, fresh: true, monotonicTimers: true }
  const procs = [0, 1].map((p) => new Harness({ partitions: 2, start: START + (p === 1 ? skew : 0), historySize, ...options }))
  /** Each host clock's error from its steps (its reading less true time less its fixed skew), and its history by true time. */
  const off = [0, 0]
  const offLog: { at: number; off: number }[][] = [[], []]
  const base = [0, skew]
  const proc = (p: number) => procs[p] as Harness
  const trueNow = () => proc(0).clock.now() - (off[0] as number)
  const written = new Map<string, Written>()
  /** Per written event: its partition and offset (every process's log holds the same records). */
  const where = new Map<string, { partition: number; offset: number }>()
  /**
   * Per version (`id@version`): the highest reading of any process's clock while it was the latest
   * that process had read of its story, and of each process's own (forgotten on its restart).
   */
  const peaks = new Map<string, { all: number; by: number[] }>()
  const current = [...IDS]
  const excused = Array.from({ length: READERS }, () => new Map<string, { version: number; held: number | undefined; snapshots: number }>())

  const judge = (e: Sent, _now: number, why: string, p: number) => {
    const a = e.article
    assert.ok(
      e.type !== 'WITHDRAWN' && a.pubStatus === 'usable',
      `S. ${a.id} v${a.version} (${a.pubStatus}, ${e.type}) reached a public reader: ${why}`,
    )
    if (a.embargoedUntil === null) return
    const at = Date.parse(a.embargoedUntil)
    const peak = peaks.get(key(a.id, a.version))
    assert.ok(peak, `${a.id} v${a.version} was read by a process`)
    const own = peak.by[p] ?? Number.NEGATIVE_INFINITY
    assert.ok(at <= peak.all, `S. ${a.id} v${a.version} before its embargo by every process's clock while it was the latest: ${why}`)
    assert.ok(
      at <= own + MAX_CLOCK_SKEW_MS,
      `S. ${a.id} v${a.version} from process ${p} ${at - own} ms before its embargo by its own clock, past the skew allowance: ${why}`,
    )
    if (at > trueNow()) stats.releasesAhead++
    if (at > own) stats.carried++
  }
  const readers = Array.from({ length: READERS }, () => new Reader(judge))

  /** Per process, what it had read at the last look (a restart reads the log anew). */
  const lastRead = [
    [0, 0],
    [0, 0],
  ]
  /**
   * Each process's clock as it reads now is seen by the latest version of each story it has read,
   * and by every version it read since the last look (its live loop meets them one by one).
   */
  const peek = () => {
    for (const [p, h] of procs.entries()) {
      const readTo = h.store.readTo()
      const before = lastRead[p] as number[]
      const see = (e: ArticleEvent) => {
        const k = key(e.article.id, e.article.version)
        const peak = peaks.get(k) ?? { all: Number.NEGATIVE_INFINITY, by: [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY] }
        peak.all = Math.max(peak.all, h.clock.now())
        peak.by[p] = Math.max(peak.by[p] ?? Number.NEGATIVE_INFINITY, h.clock.now())
        peaks.set(k, peak)
      }
      for (const w of written.values()) {
        let latest: ArticleEvent | null = null
        for (const e of w) {
          const at = where.get(e.eventId) as { partition: number; offset: number }
          if (at.offset >= (readTo[at.partition] ?? 0)) break
          latest = e
          if (at.offset >= (before[at.partition] ?? 0)) see(e)
        }
        if (latest !== null) see(latest)
      }
      lastRead[p] = [...readTo]
    }
  }
  const settle = async () => {
    await Promise.all(procs.map((h) => h.settle()))
    peek()
    for (const r of readers) r.consume(0, 'after a step')
  }
  const settleFully = async () => {
    for (let i = 0; i < 50 && (i === 0 || procs.some((h) => h.hub.busy)); i++) await settle()
    assert.ok(
      !procs.some((h) => h.hub.busy),
      `the hubs are idle at the end: ${JSON.stringify(procs.map((h) => [...h.hub.conns.all()].flatMap((c) => [...c.subs.values()].map((s) => s.state))))} read ${JSON.stringify(procs.map((h) => h.store.readTo()))} clocks ${JSON.stringify(procs.map((h) => h.clock.now() - START))} positions ${readers.map((r) => (r.position ? JSON.stringify({ ...peekPosition(r.position), t: peekPosition(r.position).t - START }) : '-')).join(' ')} sent ${readers.map((r) => r.got.join(' ')).join(' | ')}`,
    )
  }
  const step = async (p: number, ms: number) => {
    if (ms === 0) return
    stats.steps++
    if (ms < 0) stats.stepsBack++
    off[p] = (off[p] as number) + ms
    ;(offLog[p] as { at: number; off: number }[]).push({ at: trueNow(), off: off[p] as number })
    proc(p).clock.step(ms)
    await settle()
  }
  /** What process p's clock read at true time `t`. */
  const readingAt = (p: number, t: number) =>
    t + (base[p] as number) + ((offLog[p] as { at: number; off: number }[]).findLast((s) => s.at <= t)?.off ?? 0)
  const connect = (i: number, p: number) => {
    const r = readers[i] as Reader
    if (r.on) proc(r.on.proc).hub.conns.remove(r.on.conn)
    const h = proc(p)
    const now = h.clock.now()
    if (r.position !== null) {
      const pos = peekPosition(r.position)
      if (pos.t > now + MAX_CLOCK_SKEW_MS) stats.resumesPastSkew++
      else if (pos.t > now) stats.resumesAhead++
      // the README's exception, exactly: p released the latest version by a clock ahead, and the
      // position passed the version's record but not its embargo. p's clock may read below the
      // embargo again, or still past it: a version p released on arrival, its clock already past
      // the embargo, has no release for a cursor to owe, so a position that passed its record on
      // the other process, where it was still under embargo, is not replayed it either (found by
      // this model in CI, seed 652996653: the reader lacked the story until its next snapshot)
      const ex = excused[i] as Map<string, { version: number; held: number | undefined; snapshots: number }>
      for (const [id, w] of written) {
        const v = w.at(-1) as ArticleEvent
        const at = v.article.embargoedUntil
        const peak = peaks.get(key(id, v.article.version))?.by[p] ?? Number.NEGATIVE_INFINITY
        if (killed(v) || at === null || peak < at || pos.t >= at) continue
        const { partition, offset } = where.get(v.eventId) as { partition: number; offset: number }
        if ((pos.o[partition] ?? 0) > offset && ex.get(id)?.version !== v.article.version)
          ex.set(id, { version: v.article.version, held: r.shows.get(id), snapshots: r.snapshots })
      }
    }
    const { conn, t } = h.connect('public')
    r.on = { proc: p, conn, t, read: 0 }
    subscribe(h, conn, ['category:news'], r.position === null ? {} : { since: r.position })
  }
  const write = (c: Extract<ClockCmd, { kind: 'write' }>) => {
    // a killed story's slot takes a new story on its next create, so a run keeps writing
    let id = current[c.story] as string
    if (c.op === 'create' && written.get(id)?.at(-1) && killed(written.get(id)?.at(-1) as ArticleEvent)) {
      id = `${IDS[c.story]}-${written.size}`
      current[c.story] = id
    }
    const w = written.get(id)
    const last = w?.at(-1)
    if ((last && killed(last)) || (!last && c.op !== 'create') || (last && c.op === 'create')) return
    // ingest keeps true time
    const t = trueNow()
    const embargo = c.embargoIn === null ? null : t + c.embargoIn
    const was = last?.article ?? { id, version: 0, embargoedUntil: embargo }
    const { type, change } = opWrite(c.op, embargo)
    const e = event(type, { ...was, ...change, id, version: was.version + 1, updatedAt: t }, t)
    written.set(id, [...(w ?? []), e])
    if (c.op === 'kill') stats.kills++
    const partition = proc(0).partitionOf(id)
    where.set(e.eventId, { partition, offset: proc(0).log[partition]?.length ?? 0 })
    for (const h of procs) h.inKafka(e, partition)
  }
  /** A page or the counts beside reader i's stream (`at`, as the SDK asks them) from process p; null when not answered. */
  const ask = async (i: number, p: number, what: 'page' | 'counts'): Promise<{ id: string; version: number }[] | null> => {
    const r = readers[i] as Reader
    if (r.position === null) return null
    await settle()
    const at = encodeURIComponent(r.position)
    const h = proc(p)
    try {
      if (what === 'page') {
        const url = new URL(`http://f/v1/snapshot?channels=category:news&limit=50&at=${at}`)
        const items = (JSON.parse(answerPage(url, PUBLIC, h.routeDeps(50))) as { items: Sent[] }).items
        stats.pages++
        r.got.push(`${p}:page:[${items.map((e) => key(e.article.id, e.article.version)).join(',')}]`)
        for (const e of items) r.take(e, 0, `a page from process ${p}`, { snapshot: true, proc: p })
        return null
      }
      const url = new URL(`http://f/v1/counts?channels=category:news&window=604800&at=${at}`)
      stats.counts++
      return (JSON.parse(answerCounts(url, PUBLIC, h.routeDeps(50))) as { articles: { id: string; version: number }[] }).articles
    } catch (err) {
      if (!(err instanceof RequestError)) throw err
      if (err.code === 'not_ready') stats.notReady++
      else if (err.code === 'invalid_position') stats.refused++
      else throw err
      return null
    }
  }

  for (const h of procs) h.start()
  stats.runs++
  try {
    for (const c of cmds) {
      if (c.kind === 'write') write(c)
      else if (c.kind === 'read') proc(c.proc).readOn(c.partition, c.n)
      else if (c.kind === 'tick') {
        // processes lag each other by under a minute (README, known limits): before true time
        // passes that, each has read what was written that long ago
        for (const h of procs) h.readIngestedBy(trueNow() + c.ms - MAX_LAG_MS)
        await settle()
        for (const h of procs) h.clock.advance(c.ms)
      } else if (c.kind === 'step') await step(c.proc, c.ms)
      else if (c.kind === 'correct') await step(c.proc, -(off[c.proc] as number))
      else if (c.kind === 'connect') {
        const r = readers[c.reader] as Reader
        connect(c.reader, c.other && r.on ? 1 - r.on.proc : c.proc)
      } else if (c.kind === 'drop') {
        const r = readers[c.reader] as Reader
        if (r.on) proc(r.on.proc).hub.conns.remove(r.on.conn)
        r.on = null
      } else if (c.kind === 'stall') proc(c.proc).stalled = !proc(c.proc).stalled
      else if (c.kind === 'check') {
        // a freshness check began `ago` ms before (by true time, which the monotonic clock keeps)
        // and found the log's ends as they stood then, now read: it tells the store what the host
        // clock read then, stepped or not, and when by the monotonic clock (feed.ts keepFresh)
        const h = proc(c.proc)
        const began = trueNow() - c.ago
        const read = h.log.every((l, partition) => l.slice(h.store.readTo()[partition] ?? 0).every((e) => e.ingestedAt > began))
        if (read) h.store.fresh(readingAt(c.proc, began), h.clock.monotonicNow() - c.ago)
      } else if (c.kind === 'restart') {
        const old = proc(c.proc)
        old.hub.stop()
        for (const r of readers) if (r.on?.proc === c.proc) r.on = null
        procs[c.proc] = restarted(old, c.picks, historySize, old.clock.now(), options)
        // what the old instance released, the new one does not remember
        for (const peak of peaks.values()) peak.by[c.proc] = Number.NEGATIVE_INFINITY
        lastRead[c.proc] = [0, 0]
        stats.restarts++
      } else if (c.kind === 'page') await ask(c.reader, c.proc, 'page')
      else {
        const r = readers[c.reader] as Reader
        const counted = await ask(c.reader, c.proc, 'counts')
        for (const { id, version } of counted ?? []) {
          // a client keeps the counts from the stream afterwards: a story counted after its kill stays counted (red10)
          const why = `counts from process ${c.proc} (it was sent: ${r.got.join(' ')})`
          assert.ok(!r.told.has(id), `S. ${id} counted after the reader's stream told its kill: ${why}`)
          const e = written.get(id)?.find((x) => x.article.version === version)
          assert.ok(e, `${id} v${version} was written`)
          judge(sentOf(e), 0, why, c.proc)
        }
      }
      await settle()
    }
    // The clocks are corrected and both processes read everything and know it; time passes every embargo
    for (const h of procs) h.stalled = false
    for (const p of [0, 1]) await step(p, -(off[p] as number))
    const end = Math.max(...procs.map((h) => h.clock.now()))
    for (const h of procs) h.clock.advance(end - h.clock.now())
    for (const h of procs) for (const partition of [0, 1]) h.readOn(partition)
    // (a resume from a position a clock ahead made waits, up to the allowance, for the clock)
    for (let i = 0; i < 5; i++) await settle()
    const embargoes = [...written.values()].flat().map((e) => e.article.embargoedUntil ?? 0)
    const past = Math.max(0, ...embargoes.map((at) => at - trueNow() + Math.abs(skew))) + MAX_CLOCK_SKEW_MS + SEC
    for (const h of procs) h.clock.advance(past)
    await settleFully()
    // every reader resumes (or starts) on either process; a position a clock ahead signed may still
    // be within the allowance ahead of the clocks, and waits for them (cursor.ts): time passes it
    // (seed 1463771795: signed 89 s ahead, resumed 28 s ahead once the clocks were set right)
    for (const i of readers.keys()) connect(i, i % 2)
    await settle()
    for (const h of procs) h.clock.advance(MAX_CLOCK_SKEW_MS + SEC)
    await settleFully()
    for (const h of procs) h.clock.advance(1)
    await settleFully()
    const expected = new Map<string, number>()
    for (const [id, w] of written) {
      const v = visible(w, trueNow())
      if (v !== null) expected.set(id, v)
    }
    for (const [i, r] of readers.entries()) {
      for (const [id, { version, held, snapshots }] of excused[i] as Map<
        string,
        { version: number; held: number | undefined; snapshots: number }
      >) {
        if (snapshots !== r.snapshots || expected.get(id) !== version || r.shows.get(id) !== held) continue
        stats.excused++
        r.shows.set(id, version)
      }
      assert.deepEqual(
        [...r.shows].sort(),
        [...expected].sort(),
        `L. reader ${i} on process ${r.on?.proc} shows what the public may see now (it was sent: ${r.got.join(' ')})`,
      )
    }
  } finally {
    for (const h of procs) h.hub.stop()
  }
}

test('two processes whose clocks step, the runs that once failed', async () => {
  for (const { cmds, skew } of CLOCK_KNOWN) for (const history of [4, 1000]) await run(cmds, history, skew)
})

test('two processes, each host clock stepping on its own: a public reader moving between them is sent nothing unpublished beyond what a clock ahead released, and ends where the model says', async (t) => {
  const stats = newStats()
  await fc.assert(
    fc.asyncProperty(clockCmdsArb, fc.boolean(), fc.constantFrom(0, 0, -8_000, 8_000), async (cmds, shortHistory, skew) => {
      await run(cmds, shortHistory ? 4 : 1000, skew, stats)
    }),
    { numRuns: RUNS, includeErrorInReport: true, ...MODEL_REPLAY },
  )
  t.diagnostic(JSON.stringify(stats))
  if (process.env.NEWSWIRE_MODEL_SEED) return
  for (const k of ['steps', 'stepsBack', 'pages', 'notReady', 'resumesAhead', 'releasesAhead', 'kills', 'restarts'] as const)
    assert.ok(stats[k] > stats.runs / 10, `${k}: ${JSON.stringify(stats)}`)
  // resumes from a position past the skew allowance (refused: a reset) came 11-39 per 120-300 runs,
  // 7-23 per 120 in 8 runs of stop 57 (mean 12.9): runs/40 would fail about one CI run in 900
  assert.ok(stats.resumesPastSkew > stats.runs / 120, `resumesPastSkew: ${JSON.stringify(stats)}`)
})
