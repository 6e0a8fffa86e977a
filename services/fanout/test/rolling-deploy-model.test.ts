// The newsroom restart model (restart-newsroom-model.test.ts: its readers, rules and reference,
// support/newsroom-readers.ts and support/clearance-model.ts) with several instances serving at
// once, as in a rolling deploy: a position is valid "on any instance that shares the key"
// (README "Positions and resume"), and a load balancer sends a reconnecting reader to any. Two to
// three instances over the same log, each with its own memory (4 to 1000 events) and started at
// its own time: two fresh ones at first; then a new instance joins, one leaves, or one is replaced
// (a deploy) by one built as feed.ts builds it (support/restart.ts). Every event goes to every live
// instance (same partitions, same offsets); their clocks tick together, each up to 400 ms off the
// event times (within the allowed skew). Readers connect, leave, drop while time passes (what
// they were sent after some point lost on the wire) and resume from their last position on a
// live instance at random, the one that gave the position or a sibling. Checked for every reader,
// whatever instance served it, by the rules of restart-newsroom-model.test.ts (1-4), each judged
// on the serving instance's clock or on the event times (catch-up's). Two mixes of steps: every
// kind; and release bursts (stories scheduled for one round time, instances with 2 or 4 events of
// memory, drops of the readers a release changes), which found the loss d0949c6 fixed (the last
// test) in about one run in 2 000 with the fix reverted. NEWSWIRE_MODEL_RUNS (default 80 each),
// NEWSWIRE_MODEL_SEED and NEWSWIRE_MODEL_PATH as in restart-newsroom-model.test.ts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { ArticleEvent } from '@newswire/shared'
import type { Message } from './support/harness.ts'
import { Harness } from './support/harness.ts'
import { freshEventIds } from './support/events.ts'
import type { Reader, Versions, Write } from './support/newsroom-readers.ts'
import {
  checkCaughtUp,
  connectReader,
  dropReader,
  holdArb,
  killArb,
  newReader,
  postArb,
  READERS,
  readerStats,
  take,
  write,
} from './support/newsroom-readers.ts'
import { restarted } from './support/restart.ts'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'

/** Over two partitions, a, c and e share partition 1: two can sit below a small memory while the third goes on. */
const IDS = ['a', 'b', 'c', 'e']
/** Events an instance keeps in memory (split over the partitions): a fresh instance's, a new one's. */
const HISTORIES = [2, 4, 4, 12, 40, 1000]
/** How far an instance's clock runs ahead of the event times, in ms (the ticks are whole seconds). */
const SKEWS = [0, 0, 400, -400]
const MAX_LIVE = 3
const T0 = 1_800_000_000_000
const SLOTS = READERS.length

type Cmd =
  | Write
  /** Several versions at once, as when a desk schedules stories for one time (`round` embargoes share its ms). */
  | { k: 'batch'; writes: Write[] }
  /** Time passes; `drop`: that reader's connection drops after `keep` of the messages it sends meanwhile (the rest are lost). */
  | { k: 'tick'; ms: number; drop: { slot: number; keep: number } | null }
  | { k: 'connect'; slot: number; on: number }
  | { k: 'away'; slot: number }
  /** From its last position on live instance `on`; `latest`: only the newest version of each article missed. */
  | { k: 'resume'; slot: number; on: number; latest: boolean }
  /** Live instance `which` is replaced by a new one over the log; `back`: its readers resume at once, anywhere. */
  | { k: 'deploy'; which: number; picks: number[]; history: number; skew: number; back: boolean; on: number }
  /** A new instance over the log joins (a deploy's surge, a scale-up). */
  | { k: 'join'; picks: number[]; history: number; skew: number }
  /** Live instance `which` goes (a scale-down): its readers drop. */
  | { k: 'leave'; which: number }

/**
 * How often each step comes, the embargoes posts set and the memories instances have. `hold`: a
 * story held at once (holdArb); with posts alone, a reader told of a hold in the newsroom's words
 * came 2-14 times in 160 runs (30 seeds, median 7) against the coverage floor of 3, with it 7-22.
 */
interface Mix {
  weights: Record<'post' | 'hold' | 'kill' | 'batch' | 'tick' | 'connect' | 'away' | 'resume' | 'deploy' | 'join' | 'leave', number>
  embargoes: (number | 'round')[]
  /** Whether a posted version is held (postArb's default: one in four). */
  holds?: boolean[]
  histories: number[]
  /** Readers whose connections drop while time passes. */
  drops: number[]
}

/** Every kind of step, embargoes at a round time often (several then share a millisecond). */
const MIXED: Mix = {
  weights: { post: 6, hold: 1, kill: 2, batch: 1, tick: 4, connect: 1, away: 2, resume: 4, deploy: 2, join: 1, leave: 1 },
  embargoes: [-60_000, 20_000, 59_000, 90_000, 600_000, 'round', 'round'],
  // one in two: a hold the newsroom explains reached 5-8 readers in 160 runs at one in four, and
  // the coverage check below (more than 2) failed a CI run on 2
  holds: [false, true],
  histories: HISTORIES,
  drops: READERS.map((_, slot) => slot),
}
/**
 * Release bursts across a deploy: stories scheduled for one time, new instances with little
 * memory (they know them only from news.articles, ordered by a key of their own), connections that
 * drop while the burst goes out, resumes anywhere.
 */
const BURSTS: Mix = {
  weights: { post: 3, hold: 1, kill: 1, batch: 3, tick: 4, connect: 1, away: 1, resume: 4, deploy: 2, join: 2, leave: 1 },
  embargoes: [20_000, 600_000, 'round', 'round', 'round'],
  histories: [2, 2, 4, 1000],
  // the readers a release changes (the newsroom had the version, flagged)
  drops: READERS.flatMap((r, slot) => (r.sees === 'all' ? [] : [slot])),
}

function cmdArb(mix: Mix): fc.Arbitrary<Cmd> {
  const w = mix.weights
  const instance = {
    picks: fc.array(fc.nat(), { maxLength: 12 }),
    history: fc.constantFrom(...mix.histories),
    skew: fc.constantFrom(...SKEWS),
  }
  return fc.oneof(
    { arbitrary: postArb(IDS.length, mix.embargoes, mix.holds), weight: w.post },
    { arbitrary: holdArb(IDS.length), weight: w.hold },
    { arbitrary: killArb(IDS.length), weight: w.kill },
    {
      arbitrary: fc.record({
        k: fc.constant('batch' as const),
        writes: fc.uniqueArray(
          postArb(IDS.length).map((x): Write => (x.k === 'post' ? { ...x, embargo: 'round' } : x)),
          { minLength: 2, maxLength: 3, selector: (x) => x.id },
        ),
      }),
      weight: w.batch,
    },
    {
      arbitrary: fc.record({
        k: fc.constant('tick' as const),
        ms: fc.constantFrom(1_000, 30_000, 70_000, 700_000),
        drop: fc.option(fc.record({ slot: fc.constantFrom(...mix.drops), keep: fc.nat() }), { nil: null }),
      }),
      weight: w.tick,
    },
    { arbitrary: fc.record({ k: fc.constant('connect' as const), slot: fc.nat(SLOTS - 1), on: fc.nat() }), weight: w.connect },
    { arbitrary: fc.record({ k: fc.constant('away' as const), slot: fc.nat(SLOTS - 1) }), weight: w.away },
    {
      arbitrary: fc.record({
        k: fc.constant('resume' as const),
        slot: fc.nat(SLOTS - 1),
        on: fc.nat(),
        latest: fc.constantFrom(false, false, false, true),
      }),
      weight: w.resume,
    },
    {
      arbitrary: fc.record({ k: fc.constant('deploy' as const), which: fc.nat(), ...instance, back: fc.boolean(), on: fc.nat() }),
      weight: w.deploy,
    },
    { arbitrary: fc.record({ k: fc.constant('join' as const), ...instance }), weight: w.join },
    { arbitrary: fc.record({ k: fc.constant('leave' as const), which: fc.nat() }), weight: w.leave },
  )
}

/** What the runs reached, so a generator that stops reaching a case shows. */
const stats = {
  runs: 0,
  deploys: 0,
  joins: 0,
  leaves: 0,
  /** Connections dropped in the middle of what they were sent. */
  cuts: 0,
  /** ... between two releases of one millisecond (rarer: not held to a minimum). */
  dropsWithinOneMsOfReleases: 0,
  /** Resumes on another instance than the one that wrote the position. */
  siblingResumes: 0,
  /** ... whose memory differs from that one's. */
  otherMemoryResumes: 0,
  /** ... whose clock differs from that one's. */
  otherClockResumes: 0,
  /** Embargo releases a reader got on an instance it resumed on from a sibling's position. */
  releasesAfterSiblingResume: 0,
  ...readerStats(),
}

interface Instance {
  /** Its name in failure messages: the order instances started in. */
  n: number
  h: Harness
  history: number
  skew: number
  restarted: boolean
}

/** The first instances of a run: fresh, over an empty log. */
interface Start {
  /** One partition (every article's versions in one order) or two. */
  partitions: number
  histories: [number, number]
  skews: [number, number]
}

async function run(cmds: readonly Cmd[], start: Start = { partitions: 2, histories: [1000, 1000], skews: [0, 0] }): Promise<void> {
  freshEventIds()
  stats.runs++
  let now = T0
  let started = 0
  const fresh = (history: number, skew: number): Instance => {
    const h = new Harness({ partitions: start.partitions, historySize: history, start: now + skew })
    h.start()
    return { n: started++, h, history, skew, restarted: false }
  }
  const live: Instance[] = [fresh(start.histories[0], start.skews[0]), fresh(start.histories[1], start.skews[1])]
  const model: Versions = new Map()
  const readers: Reader[] = READERS.map(newReader)
  /** The instance serving each reader, the one that wrote its position, its armed cut. */
  const servedBy: (Instance | null)[] = readers.map(() => null)
  const positionFrom: (Instance | null)[] = readers.map(() => null)
  const siblingResumed: boolean[] = readers.map(() => false)
  const settle = async () => {
    for (const i of live) await i.h.settle()
  }

  const read = (slot: number) => {
    const r = readers[slot] as Reader
    const on = servedBy[slot] as Instance | null
    if (!r.t || !on) return
    for (const m of take(model, stats, r)) {
      if (typeof m.position === 'string') positionFrom[slot] = on
      if (m.type === 'event' && m.released === true && siblingResumed[slot]) stats.releasesAfterSiblingResume++
    }
  }
  const open = (slot: number, on: Instance, since: string | null, latest = false) => {
    const r = readers[slot] as Reader
    connectReader(on.h, r, since, latest)
    r.restarted = on.restarted
    r.skew = on.skew
    servedBy[slot] = on
    const from = positionFrom[slot]
    siblingResumed[slot] = since !== null && from !== on
    if (since !== null && from && from !== on) {
      stats.siblingResumes++
      if (from.history !== on.history) stats.otherMemoryResumes++
      if (from.skew !== on.skew) stats.otherClockResumes++
    }
  }
  const away = (slot: number) => {
    const r = readers[slot] as Reader
    const on = servedBy[slot]
    if (!r.t || !r.conn || !on) return
    read(slot)
    dropReader(on.h, r)
    servedBy[slot] = null
  }
  /** The connection drops in the middle of what it was sent since last read: one message at least comes (and the subscription's first), one at least is lost. */
  const cutOff = (slot: number, keep: number) => {
    const r = readers[slot] as Reader
    if (!r.t) return
    const first = r.read === 0 ? 1 : 0
    const unread = r.t.messages.length - r.read - first
    if (unread < 2) return
    const end = r.read + first + 1 + (keep % (unread - 1))
    const rel = (m: Message | undefined) =>
      m?.type === 'event' && m.released === true ? (m.event as ArticleEvent).article.embargoedUntil : null
    const kept = rel(r.t.messages[end - 1])
    if (kept !== null && r.t.messages.slice(end).some((m) => rel(m) === kept)) stats.dropsWithinOneMsOfReleases++
    r.t.messages.splice(end)
    r.t.at.splice(end)
    stats.cuts++
    away(slot)
  }
  const resumeAt = (on: number) => live[on % live.length] as Instance
  const dropAll = (i: Instance) => {
    for (let slot = 0; slot < SLOTS; slot++) if (servedBy[slot] === i) away(slot)
    i.h.hub.stop()
  }
  const newInstance = async (from: Instance, c: { picks: number[]; history: number; skew: number }): Promise<Instance> => {
    const h = restarted(from.h, c.picks, c.history, now + c.skew)
    await h.settle()
    return { n: started++, h, history: c.history, skew: c.skew, restarted: true }
  }

  for (const cmd of cmds) {
    switch (cmd.k) {
      case 'post':
      case 'kill':
      case 'batch':
        for (const w of cmd.k === 'batch' ? cmd.writes : [cmd]) {
          const e = write(model, w, now, IDS)
          if (e) for (const i of live) i.h.append(e, i.h.partitionOf(e.article.id))
        }
        await settle()
        break
      case 'tick':
        now += cmd.ms
        for (const i of live) i.h.clock.advance(cmd.ms)
        await settle()
        if (cmd.drop) cutOff(cmd.drop.slot, cmd.drop.keep)
        break
      case 'connect':
        away(cmd.slot)
        open(cmd.slot, resumeAt(cmd.on), null)
        await settle()
        break
      case 'away':
        away(cmd.slot)
        break
      case 'resume': {
        const r = readers[cmd.slot] as Reader
        if (r.t || r.position === null) break
        open(cmd.slot, resumeAt(cmd.on), r.position, cmd.latest)
        await settle()
        break
      }
      case 'deploy': {
        const k = cmd.which % live.length
        const old = live[k] as Instance
        const had = readers.flatMap((_, slot) => (servedBy[slot] === old ? [slot] : []))
        dropAll(old)
        live[k] = await newInstance(old, cmd)
        stats.deploys++
        if (cmd.back) {
          for (const slot of had) open(slot, resumeAt(cmd.on + slot), (readers[slot] as Reader).position)
          await settle()
        }
        break
      }
      case 'join':
        if (live.length >= MAX_LIVE) break
        live.push(await newInstance(live[0] as Instance, cmd))
        stats.joins++
        break
      case 'leave': {
        if (live.length <= 1) break
        const [gone] = live.splice(cmd.which % live.length, 1)
        dropAll(gone as Instance)
        stats.leaves++
        break
      }
    }
    for (let slot = 0; slot < SLOTS; slot++) read(slot)
  }
  // everyone comes back, each on an instance of its own, and catches up: then rules 2 and 4
  for (const [slot, r] of readers.entries()) if (!r.t && r.position !== null) open(slot, resumeAt(slot), r.position)
  now += 1000
  for (const i of live) i.h.clock.advance(1000)
  await settle()
  for (const [slot, r] of readers.entries()) {
    read(slot)
    const on = servedBy[slot] as Instance
    checkCaughtUp(model, r, on.h.clock.now())
  }
  for (const i of live) i.h.hub.stop()
}

const RUNS = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 80)
/** A failure's seed and path (printed with it) replay it. */

/** `RUNS` runs of `mix`, every reader connected first (one instance or the other). */
async function property(mix: Mix): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.array(cmdArb(mix), { minLength: 1, maxLength: 30, size: 'max' }),
      fc.record({
        partitions: fc.constantFrom(1, 2),
        histories: fc.tuple(fc.constantFrom(...mix.histories), fc.constantFrom(...mix.histories)),
        skews: fc.tuple(fc.constantFrom(...SKEWS), fc.constantFrom(...SKEWS)),
      }),
      (cmds, start) => run([...Array.from({ length: SLOTS }, (_, slot): Cmd => ({ k: 'connect', slot, on: slot })), ...cmds], start),
    ),
    { numRuns: RUNS, includeErrorInReport: true, ...MODEL_REPLAY },
  )
}

test('property: readers resuming on any live instance of a rolling deploy get only what their clearance could see, hear of every kill and end showing what they may see now', async () => {
  await property(MIXED)
})

test('property: the same through release bursts of stories scheduled for one time, across instances with little memory', async () => {
  await property(BURSTS)
  console.log(`rolling-deploy-model: ${JSON.stringify(stats)}`)
  // the generators reach every case they are there for; cuts are rare (9 in 160 runs: a floor of 2
  // would fail about one run in 160), so any will do
  if (RUNS >= 80 && !process.env.NEWSWIRE_MODEL_SEED) {
    const floor: Partial<Record<string, number>> = { cuts: 0 }
    for (const [k, v] of Object.entries(stats))
      if (k !== 'dropsWithinOneMsOfReleases') assert.ok(v > (floor[k] ?? RUNS / 40), `too few ${k}: ${v}`)
  }
})

// As the second property found it with d0949c6's fix reverted (a position after a release of
// unknown offset claiming that release's own key): three stories scheduled for one time; the
// instance that replaced instance 0 keeps two events of memory, so a (and b) sit below it, known
// only from news.articles, and share its key just below memory; the `embargo: false` reader
// resumed there (the deploy sent it back anywhere) and its connection dropped after the first
// release; resumed from that position, a never came (rule 4). Seed 4 of the bursts property.
test('a connection that drops between two releases of one millisecond known only from news.articles resumes without losing the second', async () => {
  await run(
    [
      ...Array.from({ length: SLOTS }, (_, slot): Cmd => ({ k: 'connect', slot, on: slot })),
      {
        k: 'batch',
        writes: [1, 0, 2].map((id): Write => ({ k: 'post', id, desk: 0, language: 0, withheld: false, embargo: 'round' })),
      },
      { k: 'deploy', which: 0, picks: [], history: 2, skew: 0, back: true, on: 0 },
      { k: 'post', id: 2, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'tick', ms: 700_000, drop: { slot: 4, keep: 0 } },
      { k: 'resume', slot: 0, on: 0, latest: false },
    ],
    { partitions: 1, histories: [2, 2], skews: [0, 0] },
  )
})
