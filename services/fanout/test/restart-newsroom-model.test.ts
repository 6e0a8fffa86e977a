// The promise across fan-out restarts for newsroom readers whose tokens narrow what they may see
// (`desks`, `languages`, `embargo: false`), beside an unrestricted newsroom reader and a public
// reader, against a small reference model written from the README's rules ("Who sees what", the
// editorial states table), not from visibility.ts or audience.ts: random article versions that move between
// desks and languages, are embargoed (past, within the race minute, after it), withheld, released
// and killed; server time; readers that leave and resume, on the same instance or on one restarted
// as feed.ts builds it (support/restart.ts), some at once after the restart. The clearances: the
// newsroom sees every version (a kill as killed); `embargo: false` every version but a kill, once
// its embargo passed while it was the latest (withheld ones too: a hold is for the public); the
// public the same if also usable. Checked for every reader, whatever instance served it:
//   1. content it gets (snapshot, live, replay) is of a version in its token's desks and
//      languages and its channels that its clearance could see at some moment up to when it was
//      written; to the newsroom, unflagged only once its embargo passed (`embargoed` to no one
//      else); a `withdrawn` names only a story one of whose versions (in its desks, languages and
//      channels) it may have seen: that, or its embargo within the race minute of its replacement;
//   2. once every reader has resumed after the last event, none holds a killed story, and every
//      reader shown a story since its last fresh snapshot heard of its kill, also when the story
//      had left its desks or languages before;
//   3. the newsroom's words (a kill's or a hold's reason) reach only a reader that was shown the
//      story or whose clearance saw a version of it in its desks, languages and channels: an
//      estimate (a view some instance may have shown) carries the cause's default words;
//   4. then, too, it shows exactly what it may see now, each story at its latest version (this
//      found a release missed on a resume older than a restarted instance's memory: the last test).
// The reference rules are in support/clearance-model.ts, the readers and their checks in
// support/newsroom-readers.ts; rolling-deploy-model.test.ts runs them on several instances at once.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { Harness } from './support/harness.ts'
import { freshEventIds } from './support/events.ts'
import type { Version } from './support/clearance-model.ts'
import { isKill } from './support/clearance-model.ts'
import type { Reader, Versions, Write } from './support/newsroom-readers.ts'
import {
  checkCaughtUp,
  connectReader,
  dropReader,
  holdArb,
  IDS,
  killArb,
  newReader,
  postArb,
  READERS,
  readerStats,
  take,
  write,
} from './support/newsroom-readers.ts'
import { leadArb, stamped, withinLead } from './support/ingest-lead.ts'
import { restarted } from './support/restart.ts'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'

const PARTITIONS = 2
/** Events a restarted instance keeps in memory: older versions known only from news.articles' headers, or all. */
const HISTORIES = [4, 4, 12, 40]
const SLOTS = READERS.length

type Cmd =
  | Write
  | { k: 'tick'; ms: number }
  | { k: 'connect'; slot: number }
  | { k: 'away'; slot: number }
  /** From its last position; `latest`: only the newest version of each article missed (`catchUp: "latest"`). */
  | { k: 'resume'; slot: number; latest: boolean }
  /** A new instance over the log; `back`: every reader resumes on it at once (as clients do after a deploy). */
  | { k: 'restart'; picks: number[]; back: boolean }
  /** Ingest's clock now stamps `ingestedAt` this far ahead of the fan-outs' (true time); negative: behind. */
  | { k: 'lead'; ms: number }

// a story held at once (holdArb) too: with posts alone, a reader told of a hold in the newsroom's
// words came 18-41 times in 400 runs (15 seeds), against the coverage floor of 11; with it 57-87
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: postArb(), weight: 6 },
  { arbitrary: holdArb(), weight: 1 },
  { arbitrary: killArb(), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.constantFrom(1_000, 30_000, 70_000, 700_000) }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('connect' as const), slot: fc.nat(SLOTS - 1) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('away' as const), slot: fc.nat(SLOTS - 1) }), weight: 3 },
  {
    arbitrary: fc.record({ k: fc.constant('resume' as const), slot: fc.nat(SLOTS - 1), latest: fc.constantFrom(false, false, true) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ k: fc.constant('restart' as const), picks: fc.array(fc.nat(), { maxLength: 12 }), back: fc.boolean() }),
    weight: 2,
  },
)

/** What the runs reached, so a generator that stops reaching a case shows. */
const baseStats = () => ({ runs: 0, restarts: 0, ...readerStats(), latestResumes: 0 })
/** What the runs with ingest's clock off the fan-outs' reached besides. */
const skewStats = () => ({
  /** Runs whose ingest ran ahead at some write, behind at some write; writes after the lead changed. */
  aheadRuns: 0,
  behindRuns: 0,
  leadChanges: 0,
  /** A version held everywhere (replaced before its embargo by true time) stamped as replaced after it. */
  stampedPastEmbargo: 0,
  /** A version released by true time less than the lead before its replacement (ingest's stamp says so too). */
  replacedWithinLead: 0,
  /** Ingest behind: a version released by true time before its replacement, stamped as replaced before its embargo. */
  stampedBeforeRelease: 0,
  /** Restarts over a log holding a version stamped past its embargo; restarts less than the lead after an embargo passed. */
  restartsOverStamped: 0,
  restartsInLeadWindow: 0,
})
const newStats = () => ({ ...baseStats(), ...skewStats() })
type Stats = ReturnType<typeof newStats>
const defaultStats = newStats()

/**
 * One run. `lead`: how far ahead of true time (the fan-outs' clocks) ingest stamps `ingestedAt` at
 * first (a `lead` step changes it). The rules are judged by true time, as the instances up all
 * along saw it: every version's replacement at the time it was written.
 */
async function run(
  cmds: readonly Cmd[],
  history = 40,
  lead = 0,
  stats: Stats = defaultStats,
  /** Whether a withdrawn may name a story by the race minute read off ingest's stamps (its estimate), not only by true time. */
  byStamps = true,
): Promise<void> {
  freshEventIds()
  stats.runs++
  let h = new Harness({ partitions: PARTITIONS, historySize: history })
  h.start()
  let restarts = 0
  let stampedPast = false
  let ahead = false
  let behind = false
  /** Per partition, the latest `ingestedAt` ingest stamped on it (a restarted instance's catch-up clock). */
  const stampedTo: number[] = []
  const model: Versions = new Map()
  const readers: Reader[] = READERS.map(newReader)

  const open = (slot: number, since: string | null, latest = false) => {
    const r = readers[slot] as Reader
    connectReader(h, r, since, latest)
    r.restarted = restarts > 0
    if (latest) stats.latestResumes++
  }
  const away = (slot: number) => {
    const r = readers[slot] as Reader
    if (!r.t || !r.conn) return
    take(model, stats, r)
    dropReader(h, r)
  }

  for (const cmd of cmds) {
    switch (cmd.k) {
      case 'post':
      case 'kill': {
        const now = h.clock.now()
        const e = write(model, cmd, now)
        if (!e) break
        if (lead > 0) ahead = true
        if (lead < 0) behind = true
        // the version it replaces: held, or released, within the lead of its replacement. A
        // restarted instance reads the replacement at its partition's catch-up clock, the latest
        // stamp of the partition so far: an earlier event stamped further ahead (the lead fell
        // since) counts, not only the replacement's own stamp
        const p = h.partitionOf(e.article.id)
        stampedTo[p] = Math.max(stampedTo[p] ?? Number.NEGATIVE_INFINITY, now + lead)
        const prev = model.get(e.article.id)?.at(-2)
        if (prev && byStamps) prev.stampedReplacedAt = stampedTo[p]
        const near = withinLead(prev && !isKill(prev) ? prev.event.article.embargoedUntil : null, now, lead)
        if (near) stats[near]++
        if (near === 'stampedPastEmbargo') stampedPast = true
        // ingest stamps it by its own clock
        h.append(stamped(e, now, lead), h.partitionOf(e.article.id))
        await h.settle()
        break
      }
      case 'lead':
        if (cmd.ms !== lead) stats.leadChanges++
        lead = cmd.ms
        break
      case 'tick':
        await h.tick(cmd.ms)
        break
      case 'connect':
        away(cmd.slot)
        open(cmd.slot, null)
        await h.settle()
        break
      case 'away':
        away(cmd.slot)
        break
      case 'resume': {
        const r = readers[cmd.slot] as Reader
        if (r.t || r.position === null) break
        open(cmd.slot, r.position, cmd.latest)
        await h.settle()
        break
      }
      case 'restart': {
        for (let slot = 0; slot < SLOTS; slot++) away(slot)
        h.hub.stop()
        const now = h.clock.now()
        if (stampedPast) stats.restartsOverStamped++
        // an embargo passed by true time, not yet by ingest's clock less the lead it may run
        const inWindow = (v: Version) => {
          const at = v.event.article.embargoedUntil
          return at !== null && at <= now && now < at + lead
        }
        if ([...model.values()].some((vs) => vs.some(inWindow))) stats.restartsInLeadWindow++
        h = restarted(h, cmd.picks, history)
        restarts++
        stats.restarts++
        await h.settle()
        if (cmd.back) {
          for (const [slot, r] of readers.entries()) if (r.position !== null) open(slot, r.position)
          await h.settle()
        }
        break
      }
    }
    for (const r of readers) take(model, stats, r)
  }
  // everyone comes back and catches up; then nobody holds a killed story, and whoever was shown a
  // story since its last fresh snapshot heard of its kill (also if it was told the story left)
  for (const [slot, r] of readers.entries()) if (!r.t && r.position !== null) open(slot, r.position)
  await h.tick(1000)
  for (const r of readers) {
    take(model, stats, r)
    checkCaughtUp(model, r, h.clock.now())
  }
  h.hub.stop()
  if (ahead) stats.aheadRuns++
  if (behind) stats.behindRuns++
}

const RUNS = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 400)
/** A failure's seed and path (printed with it) replay it. */

test('property: across restarts, no newsroom reader with a limited token gets what its claims exclude, and every reader hears of every kill', async () => {
  await fc.assert(
    // every reader connects first (the page was open before anything was written)
    fc.asyncProperty(fc.array(cmdArb, { minLength: 1, maxLength: 30, size: 'max' }), fc.constantFrom(...HISTORIES), (cmds, history) =>
      run([...Array.from({ length: SLOTS }, (_, slot): Cmd => ({ k: 'connect', slot })), ...cmds], history),
    ),
    { numRuns: RUNS, includeErrorInReport: true, ...MODEL_REPLAY },
  )
  const reached = Object.fromEntries(Object.keys(baseStats()).map((k) => [k, defaultStats[k as keyof Stats]]))
  console.log(`restart-newsroom-model: ${JSON.stringify(reached)}`)
  // the generator reaches every case it is there for (a few dozen of the rarest in 400 runs)
  if (RUNS >= 200 && !process.env.NEWSWIRE_MODEL_SEED)
    for (const [k, v] of Object.entries(reached)) assert.ok(v > RUNS / 40, `too few ${k}: ${v}`)
})

// The estimate's live path, which random runs reach less often than the replay's: the reader saw
// a in c0 on the first instance and was told it left; the instance restarted with a's c0 version
// out of memory (known only from the views ingest carries), the reader resumed on it, and a's kill
// comes live: it reaches the reader by that estimate, with the default words.
test('a desk reader resumed on a restarted instance hears live of the kill of a story that left its desk before the restart', async () => {
  await run(
    [
      ...Array.from({ length: SLOTS }, (_, slot): Cmd => ({ k: 'connect', slot })),
      { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'post', id: 0, desk: 1, language: 0, withheld: false, embargo: null },
      { k: 'post', id: 2, desk: 1, language: 0, withheld: false, embargo: null },
      { k: 'post', id: 2, desk: 1, language: 0, withheld: false, embargo: null },
      { k: 'restart', picks: [], back: false },
      { k: 'resume', slot: 1, latest: false },
      { k: 'kill', id: 0 },
    ],
    4,
  )
})

// As the property found it (shrunk), when rule 4 had to let it pass (2026-12-04): the `embargo:
// false` reader saw a, then was told it went under embargo again (10 min) and left; three versions
// of c pushed a out of the memory of the instance restarted next, where the embargo passed; the
// reader resumed there from its position from before (older than that memory) and was never sent
// a's release, ordered just below memory and so taken as not yet passed. run() checks rule 4.
test("a resume older than a restarted instance's memory gets the release of an article known only from news.articles", async () => {
  await run(
    [
      ...Array.from({ length: SLOTS }, (_, slot): Cmd => ({ k: 'connect', slot })),
      { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: 600_000 },
      { k: 'away', slot: 4 },
      { k: 'post', id: 2, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'post', id: 2, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'post', id: 2, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'restart', picks: [], back: false },
      { k: 'tick', ms: 700_000 },
    ],
    4,
  )
})

/**
 * Steps for the ingest skew runs: embargoes seconds to a minute away and ticks short enough that
 * versions are replaced within the lead of their embargo (before it or after it), restarts often.
 */
const skewCmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: postArb(IDS.length, [-60_000, 1_000, 1_000, 20_000, 20_000, 59_000, 90_000, 'round']), weight: 6 },
  { arbitrary: killArb(), weight: 2 },
  {
    arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.constantFrom(1_000, 1_000, 5_000, 15_000, 30_000, 70_000, 700_000) }),
    weight: 4,
  },
  { arbitrary: fc.record({ k: fc.constant('connect' as const), slot: fc.nat(SLOTS - 1) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('away' as const), slot: fc.nat(SLOTS - 1) }), weight: 2 },
  {
    arbitrary: fc.record({ k: fc.constant('resume' as const), slot: fc.nat(SLOTS - 1), latest: fc.constantFrom(false, false, true) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ k: fc.constant('restart' as const), picks: fc.array(fc.nat(), { maxLength: 12 }), back: fc.boolean() }),
    weight: 3,
  },
  { arbitrary: fc.record({ k: fc.constant('lead' as const), ms: leadArb }), weight: 1 },
)

const SKEW_RUNS = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 400)

/**
 * Run first by the ingest skew property, so that every run of it checks the rules where ingest,
 * behind, stamps a version released by true time as replaced before its embargo
 * (`stampedBeforeRelease`). Random runs reach that about 10 times in 400 (support/ingest-lead.ts);
 * with a floor on them alone the property failed by chance (1 run in 400 before the lead was
 * reweighted, still about 1 in 15,000 after). Ingest 30 s behind: a's draft under a 20 s embargo
 * is released by true time, replaced 30 s after it was written (stamped before its embargo), every
 * reader resumes on a restarted instance, and a is killed.
 */
const STAMPED_BEFORE_RELEASE: [Cmd[], number, number] = [
  [
    { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: 20_000 },
    { k: 'away', slot: 1 },
    { k: 'tick', ms: 30_000 },
    { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: null },
    { k: 'restart', picks: [], back: true },
    { k: 'kill', id: 0 },
  ],
  4,
  -30_000,
]

// 6ab5e6b against random histories: ingest stamps every event `ingestedAt` = true time + its lead
// (0 to a minute ahead, or up to half a minute behind; it may change during the run), the instance up all
// along reads it by its own clock (true time), a restarted one rebuilds from the log as feed.ts
// does, catching up by ingest's clock. Rules 1-4 stay about true time: a draft replaced before its
// embargo by true time reaches no `embargo: false` token nor the public, whatever ingest stamped.
test("property: with ingest's clock up to a minute ahead of the fan-outs' (or up to half a minute behind), rules 1-4 hold across restarts", async () => {
  const skew = newStats()
  await fc.assert(
    fc.asyncProperty(
      fc.array(skewCmdArb, { minLength: 1, maxLength: 30, size: 'max' }),
      fc.constantFrom(...HISTORIES),
      leadArb,
      (cmds, history, lead) =>
        run([...Array.from({ length: SLOTS }, (_, slot): Cmd => ({ k: 'connect', slot })), ...cmds], history, lead, skew),
    ),
    // the known run counts in numRuns (fast-check): it runs however few runs are asked for
    { numRuns: Math.max(SKEW_RUNS, 1), includeErrorInReport: true, examples: [STAMPED_BEFORE_RELEASE], ...MODEL_REPLAY },
  )
  console.log(`restart-newsroom-model, ingest skew: ${JSON.stringify(skew)}`)
  // the cases it is there for: dozens in 400 runs; a version replaced within the lead before its
  // embargo, 16-20 (a floor of 10 would fail about one run in 25); ingest behind releasing late:
  // STAMPED_BEFORE_RELEASE, and about 10 random runs
  if (SKEW_RUNS >= 200 && !process.env.NEWSWIRE_MODEL_SEED) {
    const rare: Partial<Record<keyof Stats, number>> = { stampedBeforeRelease: 0, replacedWithinLead: SKEW_RUNS / 100 }
    for (const k of ['restarts', 'killDefaultWords', ...Object.keys(skewStats())] as (keyof Stats)[]) {
      const floor = rare[k] ?? SKEW_RUNS / 40
      assert.ok(skew[k] > floor, `too few ${k}: ${skew[k]} (at least ${floor + 1})`)
    }
  }
})

// A known limit, found by the ingest skew property above and shrunk (README "Known limits"). Ingest
// 59 s ahead (any lead over 30 s): b's draft under a 90 s embargo is replaced at once by a version
// embargoed to the next round ten minutes; by true time nothing of b was ever released anywhere.
// news.articles carries the draft's view with the time it had left by ingest's clock, 90 s - 59 s
// = 31 s, inside the race minute, so a restarted instance takes it as maybe shown outside the
// newsroom, and a reader resuming there from before b may get `withdrawn` b in default words: an
// id, never content or the newsroom's words. Checked here as the estimate it is (the race minute
// read off ingest's stamps too); by true time alone it is the over-estimate the README names.
test('ingest 59 s ahead: a draft replaced 90 s before its embargo may be named by an estimate, in default words, never shown', async () => {
  await run(
    [
      ...Array.from({ length: SLOTS }, (_, slot): Cmd => ({ k: 'connect', slot })),
      { k: 'post', id: 1, desk: 0, language: 0, withheld: false, embargo: 90_000 },
      { k: 'post', id: 1, desk: 0, language: 0, withheld: false, embargo: 'round' },
      { k: 'restart', picks: [], back: false },
    ],
    4,
    59_000,
    newStats(),
    true,
  )
})
