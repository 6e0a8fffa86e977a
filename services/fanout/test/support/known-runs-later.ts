// Runs of the confidentiality model found once known-runs.ts was full (it keeps to ~500 lines),
// replayed after its own: each with what it found.
import type { Run } from './known-runs.ts'

export const LATER_RUNS: Run[] = [
  // red29a, 2026-12-07, seed 1477883861 (once in ~260 runs; shrunk by hand): a product defect. A
  // story killed, then an undecodable record of it saying a kill (nothing live: killed already),
  // then a backfill past a memory of 3: the newsroom reader's overrun loop replayed from the log,
  // which read the undecodable record as the earlier kill, and sent it again (store.ts
  // replayedUnreadable; unreadable-kill.test.ts case 4).
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 2, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'kill', id: 0, how: 'cancel', late: 0, corrected: false, after: null },
        { k: 'unreadable', id: 0, says: 'kill', late: 0 },
        { k: 'backfill', categories: [0, 0, 0, 0, 0], languages: [0, 0, 0, 0, 0], withheld: 0 },
      ],
      3,
    ],
    false,
    [],
  ],
]
