// Runs of the confidentiality model that once failed, replayed first in every test run (fast-check
// `examples`), each with what it found. The random runs stay the proof; these keep a found case found.
import type fc from 'fast-check'
import type { Rush, runArb } from './commands.ts'
import { LATER_RUNS } from './known-runs-later.ts'

/** A run, on a slow machine or not, and its ingest steps left unsettled (`rush`, none if absent). */
export type Run = [typeof runArb extends fc.Arbitrary<infer T> ? T : never, boolean, Rush[]?]

export const KNOWN_RUNS: Run[] = [
  // 2026-12-03, seed -190078861 (the failure of stop 24 was likely the same): a public reader of
  // story:a filtered to Bengali saw the story leave its view, went away and resumed from an older
  // position (where it still showed the story); the replay sent an entry of the story before the
  // story's event. Allowed (the entry was visible to the public through the story); the model had
  // required the story to be shown now. Fixed in the model: reader-checks.ts, `showed`.
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 2, catchUp: false },
      ],
      [
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'away', slot: 3, steps: 1, how: 'old', catchUp: false },
        { k: 'post', id: 0, category: 0, language: 1, urgency: 3, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'kill', id: 0, how: 'withdraw', late: 0 },
        { k: 'tick', ms: 1000 },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'kill', id: 0, how: 'withdraw', late: 0 },
      ],
      1000,
    ],
    false,
  ],
  // 2026-12-03, seed -1016918971: a real leak. An entry created while its story was under embargo
  // and replaced (pinned) before the story was released reached a public reader that resumed
  // from a position before the embargo: the replay judged the old version by the story as it
  // stands now, not as it stood when the version was written. Fixed in story-deliver.ts
  // (decideEntryReplay); story-regressions.test.ts "an entry version written and replaced while the story
  // was hidden…" is the same case through a resume from the reader's last position.
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'soon', late: 0, dated: null, live: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'entry', story: 0, op: 'pin', which: 3, embargo: 'none', withheld: false, pinned: false },
        { k: 'away', slot: 3, steps: 1, how: 'old', catchUp: false },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'page', slot: 0, pages: 1, limit: 1, reload: false },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
      ],
      1000,
    ],
    false,
  ],
  // 2026-12-03, seed 925462391: the model's, not a leak. A public reader of story:a saw the story
  // and its two entries, then a `withdrawn` when the story went under embargo (dropping the
  // entries, as the SDK does), went away and resumed from an older position, where it still
  // showed the story; the embargo passed meanwhile. The replay rightly sent the story as it is
  // now and no entry (the reader held them at that position), so the reader, whose state was its
  // last position's, showed the story without its entries. A replay is for a reader that holds
  // what it held at the position it names: a rewound reader is no longer held to having every
  // entry (confidentiality.test.ts, `resume`), only to showing nothing it may not.
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'soon', late: 0, dated: null, live: false },
        { k: 'away', slot: 3, steps: 1, how: 'old', catchUp: false },
        { k: 'tick', ms: 1000 },
        { k: 'backfill', categories: [0, 0, 0, 0, 0], languages: [0, 0, 0, 0, 0], withheld: 0 },
        { k: 'page', slot: 0, pages: 1, limit: 1, reload: false },
        { k: 'connect', slot: 0, who: 0, channels: 0, filter: 0, catchUp: false, expiresIn: null },
        { k: 'page', slot: 0, pages: 1, limit: 1, reload: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
      ],
      1000,
    ],
    false,
  ],
  // 2026-12-04, seed -115685507 (a fresh-clone CI run, run 300 of 300): four stories of one
  // editorial time, counts with the scan bound at three. Stories of one time are counted together
  // or not at all, so nothing was counted and `from` was now, with the stories left uncounted at
  // `from` itself; the model wanted one strictly before it. Allowed (README "counts"): fixed in the
  // model (confidentiality.test.ts, rule 7).
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'entry', story: 1, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'post', id: 2, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'post', id: 3, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'page', slot: 0, pages: 1, limit: 1, reload: false },
        { k: 'tick', ms: 1000 },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
      ],
      1000,
    ],
    false,
  ],
  // 2026-12-05, seed 1291305680 (a random run of the red13b attack run's unit pass): a duplicate,
  // and a version the reader already had. A hold numbered as the live version (a@1) stood in as a@2
  // (late-hold.ts); the story then moved on (a new embargo, a later version). A newsroom reader that
  // went away before the hold resumed from its last position, replayed from the log: the hold went
  // out as written, a@1 again, because the replay only knew the renumbering of an article's latest
  // record (Store.replayed). Fixed in store.ts: every renumbering is remembered for replays.
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 2, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'drop', slot: 2 },
        { k: 'hold', id: 0, embargo: null, late: 0 },
        { k: 'toEmbargo', id: 0, delta: 0 },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'resume', slot: 2, how: 'last', catchUp: false },
      ],
      3,
    ],
    false,
  ],
  // 2026-12-05, seed 855993441 (red13, the first runs with slow links): a newsroom reader of
  // story:a had the story come into view (a reset: it follows the live loop from a cursor at its
  // head) while another reader's socket was blocked; it was still a cursor when a version arrived
  // whose embargo had passed ten seconds before it was read. The cursor sent that version as
  // released (no flag), then its release step sent it again, `released: true`: a duplicate (the
  // SDK drops it by event id). A cursor that sends a released version now closes its release gate
  // for that version too (cursor.ts, stories.ts).
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 2, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'slow', slot: 0, steps: 3 },
        { k: 'backfill', categories: [0, 0, 0, 0, 0], languages: [0, 0, 0, 0, 0], withheld: 0 },
        { k: 'backfill', categories: [0, 0, 0, 0, 0], languages: [0, 0, 0, 0, 0], withheld: 0 },
        { k: 'tick', ms: 2592000000 },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'past', late: 0, dated: null, live: false },
        { k: 'page', slot: 0, pages: 1, limit: 1, reload: false },
        { k: 'unreadable', id: 0, says: 'hold', late: 0 },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'away', slot: 0, steps: 0, how: 'last', catchUp: false },
      ],
      3,
    ],
    false,
  ],
  // 2026-12-05, seed -682391744, run 791 (the stale command's 1,500-run soak, stop 38; shrunk
  // here): a real leak of an id. Story c was only ever withheld; an old-news record of it (usable,
  // numbered as its live version) was counted as surely seen by the public, though nobody is shown
  // it, and a public reader resuming from its last position was told of c's hold. Fixed in
  // ledger.ts (old news adds nothing to where a story was seen): old-news-unseen.test.ts.
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'post', id: 2, category: 0, language: 0, urgency: 1, withheld: true, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'stale', id: 2, below: 0 },
        { k: 'away', slot: 0, steps: 0, how: 'last', catchUp: false },
        { k: 'page', slot: 0, pages: 1, limit: 1, reload: false },
        { k: 'kill', id: 0, how: 'withdraw', late: 0 },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'unreadable', id: 0, says: 'hold', late: 0 },
        { k: 'tick', ms: 1000 },
      ],
      1000,
    ],
    false,
  ],
  // 2026-12-05, seed 737835985 (the unit pass of stop 39, run 68 of 300; it failed on main too):
  // the model's, not a leak. A public reader of story:a whose socket was blocked missed, queued,
  // the story's `withdrawn` (a hold), and paged its entries at the step its socket drained, before
  // the hub wrote the queue and before it read it: the route refused the page (the story is held)
  // while the reader still showed two entries (E2). A reader acts on what it has read: after a
  // drain the run settles and every reader reads, as after any command (confidentiality.test.ts),
  // and a reader whose socket is still blocked pages no entries (clients.ts; a run of the same seed
  // with the drain a step later paged while blocked).
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'entry', story: 0, op: 'create', which: 13, embargo: 'none', withheld: false, pinned: false },
        { k: 'slow', slot: 3, steps: 4 },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'unreadable', id: 0, says: 'hold', late: 0 },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'soon', late: 0, dated: null, live: false },
        { k: 'drop', slot: 0 },
        { k: 'page', slot: 3, pages: 1, limit: 1, reload: false },
      ],
      1000,
    ],
    false,
  ],
  // 2026-12-05, made by hand (stop 42): the leak fixed in 8e53798. A public reader reloads while
  // the store has read a story's update and its kill and the live loop has matched neither: on the
  // code before the fix it was sent the killed story's last version, then the kill (1., a story
  // hidden from it before it subscribed).
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'kill', id: 0, how: 'withdraw', late: 0 },
      ],
      1000,
    ],
    false,
    [false, false, false, false, false, true, { slot: 0, act: 'reload' }],
  ],
  // 2026-12-06, seed 1434921257 (CI of stop 43): public readers of story:a; a hold of the story is
  // read by the store, not yet matched by the live loop, when a reader pages its entries. The route
  // refuses the page (the store knows the story is held) while the reader still shows the entries
  // the coming `withdrawn` takes away. Safe (the page gave nothing); the model had required the
  // entries gone at the refusal. Fixed in the model: story-model.ts page, `behind`.
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'page', slot: 0, pages: 1, limit: 1, reload: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'hold', id: 0, embargo: null, late: 0 },
        { k: 'resume', slot: 0, how: 'last', catchUp: false },
      ],
      1000,
    ],
    false,
    [
      { slot: 0, act: 'reload' },
      true,
      { slot: 0, act: 'reload' },
      { slot: 0, act: 'reload' },
      true,
      true,
      { slot: 0, act: 'reload' },
      false,
      false,
      { slot: 3, act: 'page' },
    ],
  ],
  // 2026-12-06, seed -989467850 (300 runs): a public reader of the whole desk paged back in pages
  // of one; the page that held o2 gave a cursor though only o1, withheld, came after it, and the
  // next page was empty (rule 8): the cursor said that a story the reader may not see exists, and
  // how old it is (red14). Fixed in snapshot.ts: moreOnPages (530366c). Fails there without it,
  // alone as here as well as by seed and path.
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
        { k: 'away', slot: 0, steps: 0, how: 'garbage', catchUp: false },
        { k: 'page', slot: 0, pages: 2, limit: 1, reload: false },
        { k: 'slow', slot: 0, steps: 2 },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'unreadable', id: 0, says: 'hold', late: 0 },
        { k: 'unreadable', id: 0, says: 'hold', late: 0 },
      ],
      3,
    ],
    false,
    [true],
  ],
  // 2026-12-06, seed 1332636430 (600 runs): a public reader changed its view to the next channel
  // set and resumed from its last position, keeping what it showed: served for the new view, it
  // went on showing what the new view does not hold (red16). Fixed in position.ts: positions name
  // their view (`v`, viewProblem). Fails without it.
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 3, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'backfill', categories: [0, 0, 0, 0, 0], languages: [0, 0, 1, 0, 0], withheld: 0 },
        { k: 'away', slot: 0, steps: 0, how: 'viewed', catchUp: false },
        { k: 'slow', slot: 0, steps: 2 },
        { k: 'tick', ms: 1000 },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'tick', ms: 1 },
      ],
      1000,
    ],
    false,
    [true],
  ],
  // 2026-12-06, seed 223094996 (stop 48's CI): a public story reader paged older entries while the
  // live loop was behind the store, which had read an edit of an older entry: the page held the
  // new version, and the live loop then sent it (E3). Pages now carry the stream's position (`at`,
  // as the SDK's do) and leave out what was read from there on (story-snapshot.ts olderEntries).
  // Fails without it.
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'entry', story: 0, op: 'create', which: 13, embargo: 'none', withheld: false, pinned: false },
        { k: 'unreadable', id: 1, says: 'hold', late: 0 },
        { k: 'hold', id: 1, embargo: null, late: 0, copied: false },
        { k: 'connect', slot: 0, who: 0, channels: 0, filter: 0, catchUp: false, expiresIn: null },
        { k: 'entry', story: 0, op: 'edit', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'tick', ms: 1000 },
        { k: 'resume', slot: 0, how: 'last', catchUp: false },
        { k: 'page', slot: 0, pages: 1, limit: 1, reload: false },
        { k: 'slow', slot: 0, steps: 2 },
      ],
      1000,
    ],
    false,
    [
      true,
      { slot: 0, act: 'reload' },
      false,
      true,
      false,
      true,
      { slot: 0, act: 'reload' },
      { slot: 0, act: 'reload' },
      { slot: 3, act: 'page' },
    ],
  ],
  // 2026-12-06, seed -589650041 (600 runs): a newsroom reader of the whole desk fell behind a
  // backfill (memory of 3) and replayed from the log; a hold numbered as b's live version stood in
  // as b@2 under a 10-minute embargo, and a 30-day tick passed while the replay waited. The replay
  // sent b@2 released (the ledger's now), at a position still carrying the watermark it started
  // with, before that release; resumed from it, the reader got b@2 again, `released: true`, a
  // version it showed unflagged (rule 3; a public reader gets the same duplicate, never anything
  // early). Fixed in cursor.ts: a replay from the log steps its releases before each record once
  // the ledger has moved, as memory's steps do (kafka-replay-release-watermark.test.ts). Fails without it.
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 2, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'post', id: 1, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'slow', slot: 0, steps: 4 },
        { k: 'backfill', categories: [0, 0, 0, 0, 0], languages: [0, 0, 0, 0, 0], withheld: 0 },
        { k: 'hold', id: 1, embargo: 600_000, late: 0, copied: false },
        { k: 'entry', story: 0, op: 'create', which: 5, embargo: 'none', withheld: false, pinned: false },
        { k: 'tick', ms: 2_592_000_000 },
        { k: 'away', slot: 2, steps: 0, how: 'last', catchUp: false },
        { k: 'slow', slot: 0, steps: 2 },
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'slow', slot: 0, steps: 2 },
        { k: 'connect', slot: 0, who: 0, channels: 0, filter: 0, catchUp: false, expiresIn: null },
        { k: 'stale', id: 0, below: 0 },
      ],
      3,
    ],
    false,
    [],
  ],
  // 2026-12-07 (red22b, the first runs whose slow links die as they drain): a public `story:a`
  // reader's socket stalled while the story got entries, so its queue dropped one; as it drained,
  // the reader read one message of the write and its link died. What it read carried its own
  // position, past the entry dropped before it, and the gap that said so came last, unread: the
  // resume never brought the entry, nor did paging to the end (E2). Fixed in writer.ts: what is
  // written after the oldest dropped message carries the position from before the write
  // (lanes.ts `belowDropped`). Fails without it.
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
      ],
      [
        { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'none', withheld: false, pinned: false },
        { k: 'slow', slot: 3, steps: 2, cut: 1 },
        { k: 'entry', story: 0, op: 'create', which: 5, embargo: 'none', withheld: false, pinned: false },
        { k: 'slow', slot: 0, steps: 2 },
        { k: 'kill', id: 0, how: 'withdraw', late: 0, corrected: false, after: null },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'slow', slot: 0, steps: 2 },
      ],
      1000,
    ],
    false,
    [],
  ],
  // Stop 56 (red26c's unit run, seed 1681267679; a model defect): a story reader filtered to
  // Bengali shown a live story, which the next version moved to English while the live loop,
  // overrun (a history of 3), sent its subscriptions to replay from the log. Its page came while
  // that replay had yet to reach the move: the route refused it (the story out of the view) with
  // the entries still shown, and E2 took the reader for one the live loop had served. A page while
  // the reader's own subscription replays is now as one while the live loop is behind
  // (support/clients.ts); the `withdrawn` (left) comes when the replay reaches it.
  [
    [
      [
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 0, catchUp: false },
        { who: 0, channels: 0, filter: 2, catchUp: false },
      ],
      [
        { k: 'entry', story: 0, op: 'create', which: 7, embargo: 'none', withheld: false, pinned: false },
        { k: 'slow', slot: 0, steps: 4 },
        { k: 'backfill', categories: [0, 0, 0, 0, 0], languages: [0, 0, 0, 0, 0], withheld: 0 },
        { k: 'post', id: 0, category: 0, language: 0, urgency: 1, withheld: false, embargo: 'none', late: 0, dated: null, live: false },
        { k: 'page', slot: 3, pages: 1, limit: 1, reload: false },
      ],
      3,
    ],
    false,
    [],
  ],
  // later runs: known-runs-later.ts
  ...LATER_RUNS,
]
