// The runs two-processes-clock-step-model.test.ts once failed, replayed first every time: each a
// shrunk run with its fixed skew (process 1's clock against process 0's) and what it found.
import type { ClockCmd } from './two-process-commands.ts'

export const CLOCK_KNOWN: { cmds: ClockCmd[]; skew: number }[] = [
  {
    skew: 0,
    cmds: [
      { kind: 'connect', reader: 0, proc: 1, other: false },
      { kind: 'write', story: 0, op: 'create', embargoIn: 65_000 },
      { kind: 'read', proc: 0, partition: 1, n: 5 },
      { kind: 'read', proc: 1, partition: 1, n: 5 },
      { kind: 'step', proc: 1, ms: 300_000 },
      { kind: 'correct', proc: 1 },
      { kind: 'write', story: 1, op: 'create', embargoIn: null },
      { kind: 'read', proc: 0, partition: 0, n: 5 },
      { kind: 'read', proc: 1, partition: 0, n: 5 },
      { kind: 'connect', reader: 0, proc: 0, other: false },
      { kind: 'write', story: 0, op: 'kill', embargoIn: null },
      { kind: 'read', proc: 0, partition: 1, n: 5 },
      { kind: 'read', proc: 1, partition: 1, n: 5 },
    ],
  },
  // Process 0 released s0 while a minute ahead; reader 1's fresh snapshot there, after the
  // correction, showed it; process 1, its clock an hour behind, read s0's kill "an hour before the
  // embargo" and counted nobody as having seen it: reader 1, resuming there once its clock was
  // corrected, was never told (seed 1063268021, shrunk by hand)
  {
    skew: 0,
    cmds: [
      { kind: 'write', story: 0, op: 'create', embargoIn: 1000 },
      { kind: 'step', proc: 0, ms: 59_000 },
      { kind: 'read', proc: 0, partition: 1, n: 5 },
      { kind: 'step', proc: 0, ms: -59_000 },
      { kind: 'write', story: 0, op: 'kill', embargoIn: null },
      { kind: 'connect', reader: 1, proc: 0, other: false },
      { kind: 'step', proc: 1, ms: -3_600_000 },
      { kind: 'read', proc: 1, partition: 1, n: 5 },
      { kind: 'drop', reader: 1 },
      { kind: 'step', proc: 1, ms: 3_600_000 },
    ],
  },
  // As the property found the first fix of the above (seed -549652802): s0 released during a
  // glitch on process 0, s1 read there after the correction under an embargo not yet due; reader 1's
  // snapshot position claimed the watermark of s0's release, past s1's embargo, so resuming on
  // process 1 it was never sent s1's release. A watermark raised past the clock stops below the
  // first release not made yet.
  {
    skew: 0,
    cmds: [
      { kind: 'tick', ms: 1 },
      { kind: 'correct', proc: 0 },
      { kind: 'write', story: 0, op: 'create', embargoIn: 9000 },
      { kind: 'restart', proc: 0, picks: [] },
      { kind: 'tick', ms: 1 },
      { kind: 'step', proc: 0, ms: 59_000 },
      { kind: 'step', proc: 0, ms: -59_000 },
      { kind: 'write', story: 1, op: 'create', embargoIn: 1000 },
      { kind: 'counts', reader: 0, proc: 0 },
      { kind: 'step', proc: 1, ms: 2000 },
      { kind: 'read', proc: 0, partition: 0, n: 2 },
      { kind: 'drop', reader: 1 },
      { kind: 'step', proc: 1, ms: -2000 },
      { kind: 'connect', reader: 1, proc: 0, other: true },
      { kind: 'connect', reader: 1, proc: 0, other: false },
    ],
  },
  // (seed -1647135592) A position made by process 0 restarted 30 s ahead, resumed on process 1
  // within the skew allowance; a page from process 0 with it showed s0 v2, released on arrival
  // during another glitch; process 1 told the stream that v2 was under embargo, then released it:
  // the SDK's duplicate filter dropped that release as v2 seen (services/client dedupe.ts), and the
  // reader ended without the story.
  {
    skew: 0,
    cmds: [
      { kind: 'step', proc: 0, ms: 30_000 },
      { kind: 'restart', proc: 0, picks: [] },
      { kind: 'drop', reader: 0 },
      { kind: 'connect', reader: 0, proc: 0, other: false },
      { kind: 'step', proc: 0, ms: -30_000 },
      { kind: 'write', story: 0, op: 'create', embargoIn: null },
      { kind: 'step', proc: 0, ms: -2000 },
      { kind: 'step', proc: 0, ms: 2000 },
      { kind: 'read', proc: 0, partition: 0, n: 2 },
      { kind: 'connect', reader: 0, proc: 0, other: true },
      { kind: 'counts', reader: 0, proc: 0 },
      { kind: 'write', story: 0, op: 'embargo', embargoIn: 1000 },
      { kind: 'step', proc: 0, ms: 30_000 },
      { kind: 'write', story: 0, op: 'create', embargoIn: null },
      { kind: 'read', proc: 0, partition: 0, n: 5 },
      { kind: 'read', proc: 0, partition: 1, n: 5 },
      { kind: 'step', proc: 0, ms: -30_000 },
      { kind: 'write', story: 0, op: 'create', embargoIn: null },
      { kind: 'page', reader: 0, proc: 0 },
      { kind: 'step', proc: 0, ms: -59_000 },
    ],
  },
  // (seed -1495313334) Process 0 restarted five minutes ahead handed reader 0 a position with that
  // watermark; process 1, an hour ahead, accepted it; corrected, it kept the replay waiting for the
  // watermark, minutes past the skew allowance (the hubs were not idle at the end): it now starts
  // over (cursor.ts, Subscriptions.refuseAhead).
  {
    skew: 0,
    cmds: [
      { kind: 'step', proc: 1, ms: 3_600_000 },
      { kind: 'step', proc: 0, ms: 300_000 },
      { kind: 'step', proc: 0, ms: 30_000 },
      { kind: 'step', proc: 0, ms: -30_000 },
      { kind: 'restart', proc: 0, picks: [] },
      { kind: 'step', proc: 0, ms: 50 },
      { kind: 'write', story: 0, op: 'create', embargoIn: null },
      { kind: 'read', proc: 0, partition: 0, n: 5 },
      { kind: 'read', proc: 0, partition: 1, n: 5 },
      { kind: 'step', proc: 0, ms: -50 },
      { kind: 'connect', reader: 0, proc: 0, other: true },
      { kind: 'write', story: 0, op: 'create', embargoIn: null },
      { kind: 'counts', reader: 0, proc: 0 },
      { kind: 'counts', reader: 0, proc: 0 },
      { kind: 'stall', proc: 0 },
      { kind: 'correct', proc: 0 },
      { kind: 'connect', reader: 0, proc: 0, other: true },
      { kind: 'check', proc: 0, ago: 0 },
      { kind: 'counts', reader: 0, proc: 0 },
    ],
  },
  // (seed 652996653, CI) Process 1 an hour ahead released s0 v2 on arrival; reader 1 had passed
  // v2's record on process 0, where it was under embargo, and resumed on process 1 from there: no
  // release to owe, so not replayed; it lacked the story until its next snapshot (the README's
  // exception, which the model excused only once the clock read below the embargo again)
  {
    skew: 0,
    cmds: [
      { kind: 'step', proc: 1, ms: 3_600_000 },
      { kind: 'stall', proc: 0 },
      { kind: 'write', story: 0, op: 'create', embargoIn: 1000 },
      { kind: 'step', proc: 0, ms: 300_000 },
      { kind: 'drop', reader: 1 },
      { kind: 'step', proc: 0, ms: -300_000 },
      { kind: 'connect', reader: 1, proc: 0, other: false },
      { kind: 'step', proc: 0, ms: 30_000 },
      { kind: 'drop', reader: 1 },
      { kind: 'step', proc: 0, ms: -30_000 },
      { kind: 'connect', reader: 1, proc: 0, other: false },
      { kind: 'read', proc: 0, partition: 0, n: 2 },
      { kind: 'correct', proc: 0 },
      { kind: 'page', reader: 0, proc: 0 },
      { kind: 'tick', ms: 70_000 },
      { kind: 'write', story: 0, op: 'embargo', embargoIn: 1000 },
      { kind: 'step', proc: 0, ms: 59_000 },
      { kind: 'write', story: 1, op: 'create', embargoIn: null },
      { kind: 'read', proc: 0, partition: 0, n: 5 },
      { kind: 'read', proc: 0, partition: 1, n: 5 },
      { kind: 'read', proc: 1, partition: 1, n: 1 },
      { kind: 'drop', reader: 1 },
      { kind: 'step', proc: 0, ms: -59_000 },
      { kind: 'connect', reader: 1, proc: 1, other: false },
      { kind: 'write', story: 1, op: 'embargo', embargoIn: 20_000 },
      { kind: 'step', proc: 0, ms: 50 },
      { kind: 'step', proc: 0, ms: -50 },
      { kind: 'counts', reader: 0, proc: 0 },
    ],
  },
  // A model defect, not the product's (stop 55): readers' positions signed while process 0's clock
  // ran 89 s ahead, resumed at the end once the clocks were set right and a minute on: 28 s ahead,
  // within the allowance, they wait for the clock, and the end took them for stuck (seed 1463771795)
  {
    skew: 0,
    cmds: [
      { kind: 'step', proc: 0, ms: 30_000 },
      { kind: 'step', proc: 0, ms: 59_000 },
      { kind: 'tick', ms: 1 },
      { kind: 'tick', ms: 1 },
      { kind: 'step', proc: 0, ms: 2000 },
      { kind: 'drop', reader: 1 },
      { kind: 'step', proc: 0, ms: -2000 },
      { kind: 'restart', proc: 0, picks: [] },
      { kind: 'connect', reader: 1, proc: 0, other: false },
      { kind: 'connect', reader: 0, proc: 0, other: true },
      { kind: 'step', proc: 0, ms: 2000 },
      { kind: 'step', proc: 0, ms: 2000 },
      { kind: 'step', proc: 0, ms: -2000 },
      { kind: 'read', proc: 0, partition: 0, n: 2 },
      { kind: 'correct', proc: 0 },
    ],
  },
]
