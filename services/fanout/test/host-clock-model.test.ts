// The promise while the fan-out host's OWN clock steps (an NTP step, a VM restored with a wrong
// clock; README "Known limits", "The server's own clock"), for the newsroom model's seven readers
// (support/newsroom-readers.ts), against its reference rules (support/clearance-model.ts), on one
// instance: random versions (embargoes seconds to minutes away, holds, releases), kills, time,
// readers leaving and resuming from their last position, and host clock steps forward or back by
// 1 ms to an hour, and back to true time. Ingest and the newsroom keep true time: an embargo is
// set by it, the fan-out judges it by its own clock. Checked for every reader:
//   a. content: only of a version its clearance could see by the fan-out's own clock while that
//      version was the latest, up to when it was written (`Version.peak`): a clock ahead releases
//      early (unavoidable), a clock the fan-out had before the version was written releases
//      nothing (the ledger follows a step back: 28a6541); withdrawals and words as rules 1 and 3;
//   b. once the clock is back at true time, past every embargo, and everyone has resumed, none
//      holds a killed story and everyone shown a story heard of its kill (rule 2);
//   c. then, too, each shows exactly what it may see (rule 4): a release a resume skipped fails.
//   d. (red20) nothing is written to a newsroom connection at or after its token's `exp` by the
//      host clock: tokens are minted by true time, some living a second to half an hour, renewed
//      about glitches; timers run on a monotonic clock a step does not move, as Node's do
//      (FakeClock `monotonic`), so an expiry timer fires late after a step ahead (red19's fix
//      reverted fails within a hundred runs; on wall-clock timers it never did). A reader's token
//      is also replaced by another reader's (`switch`), resumed from the old one's position:
//      (a) and (c) then judge it by the new token (red15's audience check taken out fails).
//   e. (red20) releases wait for the log known read to its end (Harness `fresh`: each settle()
//      that finds it read says so, at the clock then), and after a correction the process may be
//      cut off from Kafka a while, a kill written meanwhile: (a) judges a release by the clock
//      while the version was the latest in the log, not in this process (Store.liveClock taking
//      a freshness check made while the clock ran ahead as the clock read it fails within 300 runs).
// One exception to (c), the README's second consequence: a release made while the clock ran ahead
// is not replayed to a reader resuming, from a position that had passed the version, while the
// corrected clock is below that embargo; it is in its next snapshot, whatever resumes come before
// (`excused` below).
// Each fix reverted fails every default run (28a6541 within a few runs, bf48703 within ~100), as
// does `#owed` lowering the watermark to the embargo instead of below it; `#owed` skipping an
// embargo due at the watermark's own millisecond fails about two default runs in five (the named
// runs at the end fail for all three). Not caught: a ledger following only steps back over a
// second (an embargo would have to fall in that second). NEWSWIRE_MODEL_RUNS (300),
// NEWSWIRE_MODEL_SEED and NEWSWIRE_MODEL_PATH as in restart-newsroom-model.test.ts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { peekPosition } from '../src/position.ts'
import { MAX_CLOCK_SKEW_MS } from '../src/subscribe.ts'
import type { Version } from './support/clearance-model.ts'
import { inChannels, inClaims, isKill, sees } from './support/clearance-model.ts'
import { Harness } from './support/harness.ts'
import { freshEventIds } from './support/events.ts'
import type { Cmd, Stats } from './support/host-clock-commands.ts'
import { COVERAGE, cmdsArb, floorOf, MIN, newStats, PARTITIONS, SEC, SLOTS } from './support/host-clock-commands.ts'
import type { Reader, Versions } from './support/newsroom-readers.ts'
import { checkCaughtUp, connectReader, dropReader, newReader, READERS, take, write } from './support/newsroom-readers.ts'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'

const DAY = 24 * 60 * MIN

async function run(cmds: readonly Cmd[], stats: Stats = newStats()): Promise<void> {
  freshEventIds()
  stats.runs++
  // releases wait for the log known read to its end (the feed's freshness checks: each settle() that finds it read, at the clock then)
  const h = new Harness({ partitions: PARTITIONS, historySize: 1000, settleRounds: 10, monotonicTimers: true, fresh: true })
  /** Cut off from Kafka (`cut`): what is written stays in the log unread. */
  let cutOff = false
  /** Per article, its versions when the process was cut off: those replaced since were read at `back`. */
  let cutAt = new Map<string, number>()
  h.start()
  /** The host clock's error: its reading less true time. */
  let off = 0
  /** Steps so far; per reader, how many had been taken when it left. */
  let steps = 0
  const leftAt: number[] = []
  const trueNow = () => h.clock.now() - off
  const model: Versions = new Map()
  const readers: Reader[] = READERS.map(newReader)
  /** Per reader, its connection's token `exp` (epoch ms, by true time as the issuer minted it), and the steps taken when it opened. */
  const tokens: { exp: number; steps: number }[] = readers.map(() => ({ exp: Number.POSITIVE_INFINITY, steps: 0 }))
  /**
   * Per reader, the stories it may lack at the end (README, "The server's own clock": a release
   * made during the glitch is not replayed to a reader resuming from before it), by id: the
   * version released while the clock ran ahead, and what the reader showed of the story then.
   */
  const excused: Map<string, { version: number; held: number | undefined }>[] = readers.map(() => new Map())

  /** The latest versions saw the clock as it reads now. */
  const peaks = () => {
    for (const vs of model.values()) {
      const v = vs.at(-1) as Version
      v.peak = Math.max(v.peak ?? Number.NEGATIVE_INFINITY, h.clock.now())
    }
  }
  const read = (slot: number) => {
    const r = readers[slot] as Reader
    const t = r.t
    const token = tokens[slot] as { exp: number; steps: number }
    if (t && r.spec.audience === 'newsroom') {
      // nothing written at or after the token's exp by the host's clock (README: its `exp`, by the host's clock)
      for (let i = r.read; i < t.messages.length; i++) {
        const at = t.at[i] as number
        assert.ok(
          at < token.exp,
          `expiry: ${r.spec.name} sent ${JSON.stringify(t.messages[i]).slice(0, 200)} at ${at}, its token expired at ${token.exp}`,
        )
        if (at - off >= token.exp) stats.sentPastTrueExpiry++
      }
    }
    for (const m of take(model, stats, r)) {
      // content outside the newsroom (events, snapshots) before its embargo by true time
      const shown = (m.type === 'event' ? [m.event] : ((m.snapshot ?? []) as unknown[])) as { article: { embargoedUntil: string | null } }[]
      if (r.spec.sees !== 'all')
        for (const e of shown)
          if (e.article.embargoedUntil !== null && Date.parse(e.article.embargoedUntil) > trueNow()) stats.releasesAhead++
      if (m.type === 'withdrawn' && m.cause === 'embargoed') stats.retractions++
    }
    if (t?.closed) {
      assert.deepEqual(t.closed, { code: 4401, reason: 'token expired' }, `${r.spec.name} closed`)
      assert.ok(h.clock.now() >= token.exp, `${r.spec.name} closed as expired before its token's exp by the host clock`)
      stats.expired++
      if (steps !== token.steps) stats.expiredAcrossStep++
      dropReader(h, r)
      leftAt[slot] = steps
    }
  }
  const open = (slot: number, since: string | null, latest = false, ttl = DAY) => {
    const r = readers[slot] as Reader
    const ex = excused[slot] as Map<string, { version: number; held: number | undefined }>
    // a fresh snapshot shows what a resume skipped; a later resume does not (README: the release
    // is in the reader's next snapshot), so what it lacks stays excused across resumes
    if (since === null) ex.clear()
    if (since !== null) {
      if (steps !== leftAt[slot]) stats.resumesAcrossStep++
      const p = peekPosition(since)
      const now = h.clock.now()
      if (p.t > now && p.t <= now + MAX_CLOCK_SKEW_MS) stats.resumesAheadOfClock++
      // the position claims a release not yet made, of a version written after it (cursor.ts #owed)
      const owed = (v: Version) => {
        const at = v.event.article.embargoedUntil
        const part = h.partitionOf(v.event.article.id)
        const offset = (h.log[part] ?? []).findIndex((e) => e.eventId === v.event.eventId)
        return !isKill(v) && at !== null && (v.peak as number) < at && at <= p.t && offset >= (p.o[part] ?? 0)
      }
      if (p.t <= now + MAX_CLOCK_SKEW_MS && [...model.values()].some((vs) => owed(vs.at(-1) as Version))) stats.resumesOwed++
      // the exception to (c), exactly: the latest version was released by a clock that ran ahead
      // (its peak), the clock is below its embargo again, the position passed its event and not
      // its release
      for (const [id, vs] of model) {
        const v = vs.at(-1) as Version
        const at = v.event.article.embargoedUntil
        if (isKill(v) || at === null || (v.peak as number) < at || now >= at || p.t >= at) continue
        const part = h.partitionOf(id)
        const offset = (h.log[part] ?? []).findIndex((e) => e.eventId === v.event.eventId)
        if ((p.o[part] ?? 0) > offset && ex.get(id)?.version !== v.event.article.version)
          ex.set(id, { version: v.event.article.version, held: r.holds.get(id) })
      }
    }
    // the issuer mints the token by true time
    tokens[slot] = { exp: trueNow() + ttl, steps }
    connectReader(h, r, since, latest, (tokens[slot] as { exp: number }).exp)
  }
  const away = (slot: number) => {
    const r = readers[slot] as Reader
    if (!r.t) return
    read(slot)
    dropReader(h, r)
    leftAt[slot] = steps
  }
  /** Back on Kafka: the versions replaced while cut off were replaced, for this process, now (their race, not their embargo). */
  const readBack = () => {
    const now = h.clock.now()
    for (const [id, vs] of model) {
      const from = cutAt.get(id) ?? 0
      for (let i = Math.max(0, from - 1); i < vs.length - 1; i++) {
        const v = vs[i] as Version
        v.readReplacedAt = now
        // one written while cut off is judged on arrival, by the clock now (ahead, it releases
        // early: unavoidable); one read before keeps its peak: nothing to release it by meanwhile
        if (i >= from) v.peak = Math.max(v.peak ?? Number.NEGATIVE_INFINITY, now)
      }
    }
  }
  const step = async (ms: number) => {
    if (ms === 0) return
    if (ms < 0) stats.stepsBack++
    steps++
    off += ms
    h.clock.step(ms)
    // a pass of the hub at the stepped clock (any event read, any reader, wakes it)
    await h.settle()
  }

  for (const cmd of cmds) {
    switch (cmd.k) {
      case 'post':
      case 'kill': {
        // the newsroom sets embargoes by true time; the fan-out reads it by its own clock
        const e = write(model, cmd, trueNow(), undefined, h.clock.now())
        if (!e) break
        const v = model.get(e.article.id)?.at(-1) as Version
        v.peak = h.clock.now()
        if (cutOff) h.inKafka(e, h.partitionOf(e.article.id))
        else h.append(e, h.partitionOf(e.article.id))
        await h.settle()
        break
      }
      case 'tick':
        await h.tick(cmd.ms)
        break
      case 'connect':
        away(cmd.slot)
        // a fresh start: no position until it is subscribed (its token may expire before)
        ;(readers[cmd.slot] as Reader).position = null
        open(cmd.slot, null, false, cmd.ttl)
        await h.settle()
        break
      case 'away':
        away(cmd.slot)
        break
      case 'resume': {
        const r = readers[cmd.slot] as Reader
        if (r.t || r.position === null) break
        open(cmd.slot, r.position, cmd.latest, cmd.ttl)
        await h.settle()
        break
      }
      case 'switch': {
        const r = readers[cmd.slot] as Reader
        away(cmd.slot)
        if (r.position === null) break
        stats.switches++
        // what it shows was the old token's: the position is refused, a reset replaces it (red15),
        // so nothing of a release skipped is excused any more. A token like the old one (each
        // reader's claims differ from every other's) resumes from it: what it lacked it still
        // lacks until its next snapshot (a model defect, seed 2013621115)
        const to = READERS[cmd.to] as (typeof READERS)[number]
        if (to !== r.spec) (excused[cmd.slot] as Map<string, unknown>).clear()
        r.spec = to
        open(cmd.slot, r.position)
        await h.settle()
        break
      }
      case 'step':
        await step(cmd.ms)
        break
      case 'correct':
        await step(-off)
        break
      case 'cut':
        cutOff = true
        h.stalled = true
        cutAt = new Map([...model].map(([id, vs]) => [id, vs.length]))
        stats.cuts++
        break
      case 'back':
        if (!cutOff) break
        cutOff = false
        h.stalled = false
        readBack()
        for (let p = 0; p < PARTITIONS; p++) h.readOn(p)
        await h.settle()
        break
    }
    for (let s = 0; s < SLOTS; s++) read(s)
    peaks()
  }
  // Back on Kafka; the clock settles at true time and passes every embargo; then everyone away comes back
  if (cutOff) {
    cutOff = false
    h.stalled = false
    readBack()
    for (let p = 0; p < PARTITIONS; p++) h.readOn(p)
  }
  await step(-off)
  for (let s = 0; s < SLOTS; s++) read(s)
  const embargoes = [...model.values()].flat().map((v) => v.event.article.embargoedUntil ?? 0)
  await h.tick(Math.max(0, ...embargoes.map((at) => at - h.clock.now())) + SEC)
  for (let s = 0; s < SLOTS; s++) read(s)
  peaks()
  for (const [s, r] of readers.entries()) if (!r.t) open(s, r.position)
  await h.tick(SEC)
  peaks()
  for (const [s, r] of readers.entries()) {
    read(s)
    // (c)'s exception: the story as it showed it at the resume, while that version is the latest
    for (const [id, { version, held }] of excused[s] as Map<string, { version: number; held: number | undefined }>) {
      const latest = model.get(id)?.at(-1) as Version
      const a = latest.event.article
      if (!(sees(r.spec, latest, h.clock.now()) && inClaims(r.spec, a) && inChannels(r.spec, a))) continue
      if (a.version !== version || r.holds.get(id) === version || r.holds.get(id) !== held) continue
      stats.excused++
      r.holds.set(id, version)
    }
    checkCaughtUp(model, r, h.clock.now())
  }
  h.hub.stop()
}

const RUNS = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 300)
/** A failure's seed and path (printed with it) replay it. */
const connectAll = Array.from({ length: SLOTS }, (_, slot): Cmd => ({ k: 'connect', slot }))

test("property: while the fan-out host's clock steps ahead and back, no reader gets what its clearance could not see by that clock, none misses a release or a kill", async () => {
  const stats = newStats()
  await fc.assert(
    fc.asyncProperty(cmdsArb, (cmds) => run([...connectAll, ...cmds], stats)),
    { numRuns: RUNS, includeErrorInReport: true, ...MODEL_REPLAY },
  )
  console.log(`host-clock-model: ${JSON.stringify(stats)}`)
  if (RUNS >= 200 && !process.env.NEWSWIRE_MODEL_SEED)
    for (const k of COVERAGE) assert.ok(stats[k] > floorOf(k, RUNS), `too few ${k}: ${stats[k]}`)
})

// As the property finds the two fixes reverted (shrunk). 28a6541 (ledger.ts `advance` follows the
// clock back): a pass two seconds ahead, the clock corrected, and a draft under a one-second
// embargo is released on arrival by the clock the fan-out no longer has.
test('a draft written after a two-second step back is not released by the clock before it', async () => {
  await run([
    ...connectAll,
    { k: 'step', ms: 2 * SEC },
    { k: 'step', ms: -2 * SEC },
    { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: 1 * SEC },
  ])
})

// bf48703 (cursor.ts `#owed`): the `embargo: false` reader's position was made 30 s ahead; after
// the correction b is filed under an embargo due at that watermark; resuming, the reader must get
// b's release (with the watermark's own millisecond: "at or before").
test('a reader resuming from a position made 30 s ahead gets the release of a draft due at its watermark', async () => {
  await run([
    ...connectAll,
    { k: 'step', ms: 30 * SEC },
    { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: null },
    { k: 'away', slot: 4 },
    { k: 'correct' },
    { k: 'post', id: 1, desk: 0, language: 0, withheld: false, embargo: 30 * SEC },
    { k: 'resume', slot: 4, latest: false },
  ])
})

// The README's consequence that rule (c) lets pass, and only it: a's embargo passes while the clock
// runs five minutes ahead and the `embargo: false` reader is away (its position passed a's draft:
// it was sent b since); it resumes once the clock is corrected, below a's embargo, and is never
// sent a's release (it is in its next snapshot).
test('a release made during a glitch is not replayed to a reader resuming below its embargo (README), and only that is excused', async () => {
  const stats = newStats()
  await run(
    [
      ...connectAll,
      { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: 4 * MIN },
      { k: 'post', id: 1, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'away', slot: 4 },
      { k: 'step', ms: 5 * MIN },
      { k: 'correct' },
      { k: 'resume', slot: 4, latest: false },
    ],
    stats,
  )
  assert.equal(stats.excused, 1)
})

// The same consequence over a later resume, as the property found it (shrunk) once glitches came
// more often: the `embargo: false` reader resumes below c's embargo after c's release was made
// during a five-minute glitch (excused); it leaves again and resumes once the clock has passed the
// embargo, from a position past it: c is still not replayed, it is in the reader's next snapshot
// (the model dropped the excuse at that second resume).
test('a release made during a glitch stays out of a reader that resumed below its embargo, over a later resume too, and only that is excused', async () => {
  const stats = newStats()
  await run(
    [
      ...connectAll,
      { k: 'post', id: 2, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'step', ms: 60 * MIN },
      { k: 'step', ms: -60 * MIN },
      { k: 'post', id: 2, desk: 0, language: 0, withheld: false, embargo: 1 * SEC },
      { k: 'away', slot: 4 },
      { k: 'step', ms: 5 * MIN },
      { k: 'step', ms: -5 * MIN },
      { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'resume', slot: 4, latest: false },
      { k: 'step', ms: 60 * MIN },
      { k: 'step', ms: -60 * MIN },
      { k: 'tick', ms: 700 * SEC },
      { k: 'kill', id: 0 },
      { k: 'away', slot: 4 },
    ],
    stats,
  )
  assert.equal(stats.excused, 1)
})

// (red20) A draft written while the process is cut off from Kafka and replaced there, read back
// while the host clock runs an hour ahead: released on arrival by that clock (early: unavoidable),
// as the model found it once its readers' rules judged such a version by the clock before the cut.
test('a draft written and replaced while cut off from Kafka is judged by the clock it is read at', async () => {
  await run([
    ...connectAll,
    { k: 'step', ms: 30 * SEC },
    { k: 'step', ms: -30 * SEC },
    { k: 'cut' },
    { k: 'post', id: 2, desk: 0, language: 0, withheld: false, embargo: 1 * SEC },
    { k: 'post', id: 2, desk: 0, language: 0, withheld: false, embargo: null },
    { k: 'step', ms: 60 * MIN },
    { k: 'tick', ms: 20 * SEC },
    { k: 'back' },
    { k: 'connect', slot: 0 },
  ])
})

// (red20) As the property finds e676d0a reverted (shrunk): a freshness check made while the clock
// ran 30 s ahead, the clock corrected, a draft under a one-second embargo read, the process cut
// off from Kafka and the draft killed: released at its embargo by the check made ahead.
test('a draft killed while the process is cut off from Kafka after a glitch is not released by a check made during the glitch', async () => {
  await run([
    ...connectAll,
    { k: 'step', ms: 30 * SEC },
    { k: 'step', ms: -30 * SEC },
    { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: 1 * SEC },
    { k: 'cut' },
    { k: 'kill', id: 0 },
    { k: 'tick', ms: 20 * SEC },
    { k: 'back' },
  ])
})

// (red20) As a 3,000-run soak found the first fix: a freshness check made while the clock ran 30 s
// ahead, corrected, checks since; the process cut off, the clock steps 30 s ahead again: the last
// check taken forward by the step met the highest check told (the first glitch's), and the draft,
// replaced in the log meanwhile, was released at its embargo.
test('a check from an earlier glitch does not carry a release while cut off over a later step ahead', async () => {
  await run([
    ...connectAll,
    { k: 'step', ms: 30 * SEC },
    { k: 'correct' },
    { k: 'step', ms: -30 * SEC },
    { k: 'step', ms: 30 * SEC },
    { k: 'post', id: 2, desk: 0, language: 0, withheld: false, embargo: 20 * SEC },
    { k: 'cut' },
    { k: 'post', id: 2, desk: 0, language: 0, withheld: false, embargo: null },
    { k: 'step', ms: 30 * SEC },
    { k: 'tick', ms: 20 * SEC },
    { k: 'back' },
  ])
})

// A model defect, as the property found it (seed 2013621115, shrunk): a reader switched to the
// public token (a reset) is away while a release is made during a 30 s glitch, its position past
// the draft; it resumes below the embargo (excused), then takes a token like its own (`switch` to
// the same reader): its position is accepted, no snapshot comes, and the model had dropped the excuse.
test('a release made during a glitch stays out of a reader that resumed below its embargo, over a switch to a token like its own', async () => {
  const stats = newStats()
  await run(
    [
      ...connectAll,
      { k: 'step', ms: 2 * SEC },
      { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'step', ms: -2 * SEC },
      { k: 'switch', slot: 4, to: 6 },
      { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: 1 * SEC },
      { k: 'away', slot: 4 },
      { k: 'step', ms: 30 * SEC },
      { k: 'step', ms: -30 * SEC },
      { k: 'cut' },
      { k: 'resume', slot: 4, latest: false },
      { k: 'kill', id: 1 },
      { k: 'tick', ms: 20 * SEC },
      { k: 'back' },
      { k: 'step', ms: 1 },
      { k: 'step', ms: -1 },
      { k: 'cut' },
      { k: 'post', id: 1, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'kill', id: 1 },
      { k: 'tick', ms: 20 * SEC },
      { k: 'back' },
      { k: 'switch', slot: 4, to: 6 },
    ],
    stats,
  )
  assert.equal(stats.excused, 1)
})
