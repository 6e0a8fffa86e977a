// What the two-process story model's runs reached (two-processes-story-model.test.ts), and the
// floors a run of the property must reach: a generator that stops reaching a case shows.
import assert from 'node:assert/strict'
import { newErasureStats } from './story-erasure.ts'
import type { ErasureStats } from './story-erasure.ts'

export function newStoryStats() {
  const stats = {
    runs: 0,
    pages: 0,
    paged: 0,
    notReady: 0,
    resumedAhead: 0,
    kills: 0,
    holds: 0,
    deletions: 0,
    hiddenEntries: 0,
    resets: 0,
    kafkaReplays: 0,
    kafkaAhead: 0,
    refills: 0,
    restarts: 0,
    pagedLoaded: 0,
    latestResumes: 0,
    /** Resumes per reader kind but the public's (READER_KINDS). */
    otherResumes: [0, 0, 0, 0, 0],
    moves: 0,
    leftView: 0,
    slowed: 0,
    pausedReplays: 0,
    slowDrops: 0,
    /** SSE readers resumed with Last-Event-ID (red26a). */
    sseResumes: 0,
  }
  return { stats, erasures: newErasureStats() }
}
export type StoryStats = ReturnType<typeof newStoryStats>['stats']

/** The floors of a property run (not a replayed seed). */
export function checkFloors(stats: StoryStats, erasures: ErasureStats): void {
  for (const k of [
    'pages',
    'notReady',
    'resumedAhead',
    'kills',
    'deletions',
    'hiddenEntries',
    'resets',
    'restarts',
    'pagedLoaded',
    'latestResumes',
    'slowed',
    'moves',
  ] as const)
    assert.ok(stats[k] > stats.runs / 10, `${k}: ${JSON.stringify(stats)}`)
  // rarer since the freshness commands (stall, check) share the runs: 7.6 % of 132 runs once (CI)
  assert.ok(stats.kafkaAhead > stats.runs / 25, `kafkaAhead: ${JSON.stringify(stats)}`)
  for (const [who, n] of stats.otherResumes.entries())
    if (who > 0) assert.ok(n > stats.runs / 10, `otherResumes ${who}: ${JSON.stringify(stats)}`)
  // a story held: 24 per 120 runs in 20 property runs (17 the fewest); runs/10 failed once
  assert.ok(stats.holds > stats.runs / 25, `holds: ${JSON.stringify(stats)}`)
  // a story moved out of the view of a reader shown it: 7.8 per 120 runs in 20 property runs (4 the
  // fewest); runs/60 failed CI (2 of 146): one is enough to show the generator reaches it
  assert.ok(stats.leftView > 0, `leftView: ${JSON.stringify(stats)}`)
  // a replay waiting behind a slow socket while the live loop reads on (red25a)
  assert.ok(stats.pausedReplays > stats.runs / 25, `pausedReplays: ${JSON.stringify(stats)}`)
  assert.ok(stats.sseResumes > stats.runs / 10, `sseResumes: ${JSON.stringify(stats)}`)
  // erasures (red26a): of a story (59 in 326 runs of a soak), after its withdrawal (15), a process
  // restarted after one (67), messages and pages checked against one (704); floors well below
  assert.ok(erasures.erasures > stats.runs / 20, `erasures: ${JSON.stringify(erasures)}`)
  assert.ok(erasures.afterKill > stats.runs / 150, `afterKill: ${JSON.stringify(erasures)}`)
  assert.ok(erasures.checked > stats.runs / 2, `checked: ${JSON.stringify(erasures)}`)
  assert.ok(erasures.restartedAfter > stats.runs / 20, `restartedAfter: ${JSON.stringify(erasures)}`)
}
