// The commands of the two-process models and their generators: two-processes-model.test.ts's
// (writes, reads at each process's pace, time, readers moving, pages, counts, stalled freshness
// checks, restarts), and, for two-processes-clock-step-model.test.ts, each process's host clock
// stepping on its own (an NTP step, a VM restored) and being corrected, as glitches.
import fc from 'fast-check'
import type { Cmd, Op } from './two-process-known-runs.ts'

export const IDS = ['s0', 's1']
export const READERS = 2
export const SEC = 1000
export const MIN = 60 * SEC

const proc = fc.integer({ min: 0, max: 1 })
const reader = fc.integer({ min: 0, max: READERS - 1 })
const partition = fc.integer({ min: 0, max: 1 })
export const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      story: fc.integer({ min: 0, max: IDS.length - 1 }),
      op: fc.constantFrom<Op>('create', 'create', 'edit', 'embargo', 'hold', 'lift', 'kill', 'kill'),
      embargoIn: fc.option(fc.constantFrom(1, 400, 3_000, 9_000, 65_000), { nil: null }),
    }),
  },
  // process 1 reads less often: it lags, as a busy worker does
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('read' as const), proc: fc.constant(0), partition, n: fc.constantFrom(2, 5) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), proc: fc.constant(1), partition, n: fc.constant(1) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.constantFrom(1, 399, 1_000, 2_999, 10_000, 70_000) }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('connect' as const), reader, proc, other: fc.constantFrom(true, true, true, false) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), reader }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('page' as const), reader, proc }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('counts' as const), reader, proc }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stall' as const), proc }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('check' as const), proc, ago: fc.constantFrom(0, 2_000, 15_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), proc, picks: fc.array(fc.nat(), { maxLength: 6 }) }) },
)

export type StepCmd =
  /** Process `proc`'s host clock steps by `ms` (negative: back) without time passing; the other's does not. */
  | { kind: 'step'; proc: number; ms: number }
  /** NTP steps it back to where it should read (its fixed skew kept). */
  | { kind: 'correct'; proc: number }
export type ClockCmd = Cmd | StepCmd

/** How far a host clock steps, either way: within a step's millisecond, within the race minute and the skew allowance (60 s), past them. */
export const STEPS = [1, 50, 2 * SEC, 30 * SEC, 59 * SEC, 5 * MIN, 60 * MIN]
/** Steps within the skew allowance come more often: a position made before the correction is then accepted elsewhere. */
const STEP_WEIGHTS = [1, 1, 3, 3, 2, 1, 1]
const stepArb = (sign: 1 | -1) =>
  fc.oneof(...STEPS.map((ms, i) => ({ arbitrary: fc.constant(sign * ms), weight: STEP_WEIGHTS[i] as number })))

const stepCmdArb: fc.Arbitrary<StepCmd> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('step' as const), proc, ms: stepArb(1) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('step' as const), proc, ms: stepArb(-1) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('correct' as const), proc }), weight: 2 },
)

/** A draft under an embargo a few seconds to a minute away: what a glitch releases early, or a correction holds back. */
const draftArb: fc.Arbitrary<Cmd> = fc.record({
  kind: fc.constant('write' as const),
  story: fc.integer({ min: 0, max: IDS.length - 1 }),
  op: fc.constantFrom<Op>('create', 'embargo'),
  embargoIn: fc.constantFrom(1_000, 3_000, 20_000, 40_000),
})

/**
 * A glitch on one process: its clock steps (ahead mostly), some commands run (readers move between
 * the processes, page, count), and it is corrected, by NTP or by stepping back as far; a draft
 * under a near embargo often comes before; a reader leaves before or during it and comes back on
 * either process after.
 */
const glitchArb: fc.Arbitrary<ClockCmd[]> = fc
  .record({
    proc,
    ms: fc.oneof({ arbitrary: stepArb(1), weight: 4 }, { arbitrary: stepArb(-1), weight: 1 }),
    before: fc.array(draftArb, { maxLength: 2 }),
    during: fc.array(cmdArb, { maxLength: 4 }),
    // news while it runs ahead, read at once by it: its readers' positions are made by that clock
    news: fc.option(fc.record({ story: fc.integer({ min: 0, max: IDS.length - 1 }), op: fc.constantFrom<Op>('create', 'edit') }), {
      nil: null,
    }),
    full: fc.boolean(),
    after: fc.array(fc.oneof(draftArb, cmdArb), { maxLength: 3 }),
    away: fc.option(fc.record({ reader, before: fc.boolean(), back: proc, early: fc.boolean() }), { nil: null }),
  })
  .map(({ proc: p, ms, before, during, news, full, after, away }): ClockCmd[] => {
    const drop: ClockCmd[] = away === null ? [] : [{ kind: 'drop', reader: away.reader }]
    const back: ClockCmd[] = away === null ? [] : [{ kind: 'connect', reader: away.reader, proc: away.back, other: false }]
    const read: ClockCmd[] =
      news === null
        ? []
        : [
            { kind: 'write', story: news.story, op: news.op, embargoIn: null },
            { kind: 'read', proc: p, partition: 0, n: 5 },
            { kind: 'read', proc: p, partition: 1, n: 5 },
          ]
    return [
      ...before,
      ...(away?.before ? drop : []),
      { kind: 'step', proc: p, ms },
      ...read,
      ...during,
      ...(away?.before === false ? drop : []),
      ...(away?.early ? back : []),
      full ? { kind: 'correct', proc: p } : { kind: 'step', proc: p, ms: -ms },
      ...after,
      ...(away && !away.early ? back : []),
    ]
  })

/** A run: the two-process commands, single steps, and glitches. */
export const clockCmdsArb: fc.Arbitrary<ClockCmd[]> = fc
  .array(
    fc.oneof(
      { arbitrary: cmdArb.map((c): ClockCmd[] => [c]), weight: 6 },
      { arbitrary: stepCmdArb.map((c): ClockCmd[] => [c]), weight: 1 },
      { arbitrary: glitchArb, weight: 2 },
    ),
    { minLength: 8, maxLength: 30, size: 'max' },
  )
  .map((cs) => cs.flat())
