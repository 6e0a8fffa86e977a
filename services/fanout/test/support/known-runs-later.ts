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
  // red29e, 2026-12-07, seed -800900408 (shrunk by hand): a model defect. Entries of story a, the
  // story put under a far embargo, two more entries (a-e3, a-e4) under it, the clock to 1 ms before
  // that embargo, an undecodable record of a-e4 (a stand-in hold), the story posted again without an
  // embargo, a kill of another story after which the public story reader resumes from memory, a-e4
  // deleted: the resumed reader was told of the deletion in default words, as the README's race
  // allowance says (for an entry, its own embargo's or its story's: another instance, its clock
  // ahead, may have released the story and shown a-e4); the model knew only the entry's own
  // (model.ts applyEntry).
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'backfill', categories: [0, 0, 0, 0, 0], languages: [0, 0, 0, 0, 0], withheld: 0 },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'far', late: 0, dated: null, live: false },
        { k: 'entry', story: 0, op: 'create', which: 13, embargo: 'none', withheld: false, pinned: false },
        { k: 'toEmbargo', id: 0, delta: -1 },
        { k: 'entry', story: 0, op: 'unreadable', which: 15, embargo: 'none', withheld: false, pinned: false },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'kill', id: 5, how: 'withdraw', late: 0, corrected: false, after: { slot: 3, act: 'resume' } },
        { k: 'entry', story: 0, op: 'delete', which: 15, embargo: 'none', withheld: false, pinned: false },
      ],
      1000,
    ],
    false,
    [],
  ],
]
