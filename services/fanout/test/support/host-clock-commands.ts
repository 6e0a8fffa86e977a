// The commands of the host-clock model (host-clock-model.test.ts) and their generators: writes,
// readers leaving, resuming and switching tokens, host clock steps and glitches, Kafka cut off;
// and the cases a run must reach (its coverage floors).
import fc from 'fast-check'
import type { Write } from './newsroom-readers.ts'
import { killArb, postArb, READERS, readerStats } from './newsroom-readers.ts'

export const PARTITIONS = 2
export const SLOTS = READERS.length
export const SEC = 1000
export const MIN = 60 * SEC
/** How far the host clock steps, either way. */
export const STEPS = [1, 50, 2 * SEC, 30 * SEC, 5 * MIN, 60 * MIN]
/** Steps within the skew a position may run ahead (MAX_CLOCK_SKEW_MS) come more often: a position made before the correction is then accepted. */
export const STEP_WEIGHTS = [1, 1, 3, 3, 1, 1]
const stepArb = (sign: 1 | -1) =>
  fc.oneof(...STEPS.map((ms, i) => ({ arbitrary: fc.constant(sign * ms), weight: STEP_WEIGHTS[i] as number })))

export type Cmd =
  | Write
  | { k: 'tick'; ms: number }
  /** `ttl`: how long the reader's token has left by true time (a newsroom reader's), else a day. */
  | { k: 'connect'; slot: number; ttl?: number }
  | { k: 'away'; slot: number }
  | { k: 'resume'; slot: number; latest: boolean; ttl?: number }
  /** The reader's token is replaced by another reader's (narrower, wider, signed out): it resumes under it from its position. */
  | { k: 'switch'; slot: number; to: number }
  /** The host clock steps by `ms` (negative: back) without time passing. */
  | { k: 'step'; ms: number }
  /** NTP steps it back to true time. */
  | { k: 'correct' }
  /** The process is cut off from Kafka: what is written stays there, no freshness check succeeds (red14); `back` reads it. */
  | { k: 'cut' }
  | { k: 'back' }

const slot = fc.nat(SLOTS - 1)
/** Token lifetimes: within a step, within the race minute, past it. */
const ttlArb = fc.constantFrom(1 * SEC, 20 * SEC, 50 * SEC, 5 * MIN, 30 * MIN)
const stepCmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  // ahead more often than behind
  { arbitrary: fc.record({ k: fc.constant('step' as const), ms: stepArb(1) }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('step' as const), ms: stepArb(-1) }), weight: 2 },
  { arbitrary: fc.constant<Cmd>({ k: 'correct' }), weight: 2 },
)
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  // embargoes seconds to minutes away (past, within a step, within the race minute, after it)
  { arbitrary: postArb(3, [-60 * SEC, 1 * SEC, 2 * SEC, 20 * SEC, 20 * SEC, 59 * SEC, 90 * SEC, 4 * MIN, 'round']), weight: 6 },
  { arbitrary: killArb(), weight: 2 },
  {
    arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.constantFrom(50, 1 * SEC, 10 * SEC, 30 * SEC, 70 * SEC, 700 * SEC) }),
    weight: 3,
  },
  { arbitrary: fc.record({ k: fc.constant('connect' as const), slot, ttl: ttlArb }, { requiredKeys: ['k', 'slot'] }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('away' as const), slot }), weight: 3 },
  {
    arbitrary: fc.record(
      { k: fc.constant('resume' as const), slot, latest: fc.constantFrom(false, false, true), ttl: ttlArb },
      { requiredKeys: ['k', 'slot', 'latest'] },
    ),
    weight: 3,
  },
  {
    arbitrary: fc.record({ k: fc.constant('switch' as const), slot, to: slot }).filter((c) => c.slot !== c.to),
    weight: 1,
  },
  { arbitrary: stepCmdArb, weight: 5 },
)
/**
 * A glitch: the clock steps ahead, some steps run, and it is corrected (to true time, or by
 * stepping back as far); then some more, often a draft under an embargo a few seconds away. A
 * reader may be away for it: from before the step, or from before the correction; it comes back.
 */
const glitchArb: fc.Arbitrary<Cmd[]> = fc
  .record({
    ms: stepArb(1),
    during: fc.array(fc.oneof(postArb(), cmdArb), { maxLength: 5 }),
    full: fc.boolean(),
    after: fc.array(
      fc.oneof(
        { arbitrary: postArb(3, [1 * SEC, 2 * SEC, 2 * SEC, 20 * SEC, 30 * SEC, 30 * SEC, 'round']), weight: 2 },
        { arbitrary: cmdArb, weight: 1 },
      ),
      {
        maxLength: 3,
      },
    ),
    // more often one outside the newsroom (a newsroom reader has every version, flagged, already)
    reader: fc.option(fc.record({ slot: fc.oneof(fc.constantFrom(4, 5, 6), slot), before: fc.boolean() }), { nil: null }),
    // a newsroom reader whose token expires about the glitch (it resumes with one that does)
    // (one glitch in three: resumes owed a release stay above their coverage floor)
    expiring: fc.oneof(
      { arbitrary: fc.constant(null), weight: 2 },
      { arbitrary: fc.record({ slot: fc.constantFrom(0, 1, 3, 4, 5), ttl: ttlArb }), weight: 1 },
    ),
    // (red20) after the correction the process is cut off from Kafka a while, a kill written then
    cut: fc.oneof(
      { arbitrary: fc.constant(null), weight: 2 },
      { arbitrary: fc.record({ at: fc.nat(3), kill: killArb(), ms: fc.constantFrom(20 * SEC, 70 * SEC) }), weight: 1 },
    ),
  })
  .map(({ ms, during, full, after: afterCorrection, reader, expiring, cut }): Cmd[] => {
    const at = Math.min(cut?.at ?? 0, afterCorrection.length)
    const after: Cmd[] = cut === null ? afterCorrection : [...afterCorrection.slice(0, at), { k: 'cut' }, ...afterCorrection.slice(at)]
    // after the reader's resume, so that resumes owed a release stay as often
    const cutOff: Cmd[] = cut === null ? [] : [cut.kill, { k: 'tick', ms: cut.ms }, { k: 'back' }]
    const away: Cmd[] = reader === null ? [] : [{ k: 'away', slot: reader.slot }]
    const renewed: Cmd[] =
      expiring === null
        ? []
        : [
            { k: 'away', slot: expiring.slot },
            { k: 'resume', slot: expiring.slot, latest: false, ttl: expiring.ttl },
          ]
    return [
      ...renewed,
      ...(reader?.before ? away : []),
      { k: 'step', ms },
      ...during,
      ...(reader?.before === false ? away : []),
      full ? { k: 'correct' } : { k: 'step', ms: -ms },
      ...after,
      ...(reader === null ? [] : [{ k: 'resume' as const, slot: reader.slot, latest: false }]),
      ...cutOff,
    ]
  })
/**
 * A run's steps after every reader connected. Glitches at two in seven: at one in six, resumes
 * owed a release (`resumesOwed`) came 14-31 times in 300 runs (30 seeds), against the coverage
 * floor of 8; now 25-58 (runs take about a quarter longer). With tokens expiring and replaced
 * (red20) they fell to 8-18 (16-18 on this generator before it): glitches at one in three, 13-24.
 */
export const cmdsArb: fc.Arbitrary<Cmd[]> = fc
  .array(fc.oneof({ arbitrary: cmdArb.map((c) => [c]), weight: 4 }, { arbitrary: glitchArb, weight: 2 }), {
    minLength: 1,
    maxLength: 24,
    size: 'max',
  })
  .map((cs) => cs.flat())

/** What the runs reached, so a generator that stops reaching a case shows. */
export const newStats = () => ({
  runs: 0,
  ...readerStats(),
  /** Steps back (a correction from ahead included). */
  stepsBack: 0,
  /** Content released to a non-newsroom reader before its embargo by true time (the clock ran ahead). */
  releasesAhead: 0,
  /** Resumes after the clock stepped since the reader left; of them, from a position ahead of the clock (accepted, within the skew). */
  resumesAcrossStep: 0,
  resumesAheadOfClock: 0,
  /** Of those, resumes whose position passes a version written after it, under an embargo due before its watermark. */
  resumesOwed: 0,
  /** `embargoed` retractions (a story released while the clock ran ahead, its next version read after the step back). */
  retractions: 0,
  /** Readers at the end let off rule (c) by the README's consequence, for one story. */
  excused: 0,
  /** Connections closed at their token's expiry (4401); of them, after the clock stepped while open. */
  expired: 0,
  expiredAcrossStep: 0,
  /** Messages sent after the token's `exp` by true time, before it by the host clock (a clock behind: allowed, README). */
  sentPastTrueExpiry: 0,
  /** Resumes under another reader's token from the old one's position. */
  switches: 0,
  /** Times cut off from Kafka after a correction (red20). */
  cuts: 0,
})
export type Stats = ReturnType<typeof newStats>
export const COVERAGE: (keyof Stats)[] = [
  'stepsBack',
  'releasesAhead',
  'resumesAcrossStep',
  'resumesAheadOfClock',
  'resumesOwed',
  'retractions',
  'expired',
  'expiredAcrossStep',
  'switches',
  'cuts',
]
/**
 * How often a run must reach each case. `resumesOwed` came 8-22 times in 300 runs (mean 15, ten
 * seeds, stop 50): RUNS / 40 (7.5) would fail a CI run in some twenty-five on a sound generator,
 * so its floor is RUNS / 100, which still fails a generator that stops reaching it.
 */
export const floorOf = (k: keyof Stats, runs: number): number => (k === 'resumesOwed' ? runs / 100 : runs / 40)
