// The commands of restart-model.test.ts and the generator of its ingest-skew property (the live
// story with ingest's clock off the fan-outs'), kept here so the test file stays short.
import fc from 'fast-check'
import { leadArb } from './ingest-lead.ts'

/** Readers of the three desks' slots, and one of story a's live coverage (its entries). */
export const SLOTS = 4
export const ENTRIES = ['e1', 'e2']

export type Cmd =
  | { k: 'post'; id: number; category: number; withheld: boolean; embargo: number | null }
  | { k: 'kill'; id: number }
  | { k: 'entry'; id: number; withheld: boolean; embargo: number | null }
  | { k: 'deleteEntry'; id: number }
  | { k: 'tick'; ms: number }
  | { k: 'connect'; slot: number }
  | { k: 'away'; slot: number }
  | { k: 'resume'; slot: number }
  | { k: 'restart'; picks: number[] }
  /** Ingest's clock now stamps `ingestedAt` this far ahead of the fan-outs' (true time); negative: behind. */
  | { k: 'lead'; ms: number }

const entryArb = (embargo: fc.Arbitrary<number | null>) =>
  fc.record({ k: fc.constant('entry' as const), id: fc.nat(ENTRIES.length - 1), withheld: fc.constantFrom(false, false, true), embargo })
const restartArb = fc.record({ k: fc.constant('restart' as const), picks: fc.array(fc.nat(), { maxLength: 6 }) })

/** The live story with ingest's clock off the fan-outs': embargoes and ticks seconds apart, so versions are replaced within the lead of their embargo. */
const skewLiveCmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    arbitrary: fc.record({
      k: fc.constant('post' as const),
      id: fc.constant(0),
      category: fc.constant(0),
      withheld: fc.constantFrom(false, false, true),
      embargo: fc.option(fc.constantFrom(1_000, 20_000, 90_000), { nil: null, freq: 3 }),
    }),
    weight: 2,
  },
  { arbitrary: entryArb(fc.option(fc.constantFrom(1_000, 20_000, 20_000, 90_000), { nil: null, freq: 4 })), weight: 5 },
  { arbitrary: fc.record({ k: fc.constant('deleteEntry' as const), id: fc.nat(ENTRIES.length - 1) }), weight: 2 },
  // short ticks more often than long ones (which pass every embargo): with the five lengths equally
  // often, a version released less than the lead before its replacement came 20-52 times in 500
  // runs and an entry's 15-41 (30 seeds), against the coverage floor of 13; now 37-71 and 27-53
  {
    arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.constantFrom(1_000, 5_000, 15_000, 15_000, 30_000, 70_000, 700_000) }),
    weight: 3,
  },
  { arbitrary: fc.record({ k: fc.constant('away' as const), slot: fc.constant(SLOTS - 1) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('resume' as const), slot: fc.constant(SLOTS - 1) }), weight: 2 },
  { arbitrary: restartArb, weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('lead' as const), ms: leadArb }), weight: 1 },
)

/**
 * An entry draft replaced (or deleted) at once, before its embargo, then time past the embargo and
 * a restart: the restarted instance reads the draft among the last events of its partition, stamped
 * by an ingest ahead as written after its embargo (while its own clock has passed it too). Only a
 * catch-up that judges an entry's release INGEST_LEAD_MS behind ingest's clock keeps the draft from a
 * reader resuming from before it. Random commands alone reached this in about half of the default runs.
 */
const draftArb: fc.Arbitrary<Cmd[]> = fc
  .tuple(
    fc.boolean(),
    entryArb(fc.constantFrom(1_000, 20_000)),
    fc.oneof(entryArb(fc.option(fc.constantFrom(1_000, 20_000), { nil: null })), fc.constant(null)),
    fc.constantFrom(1_000, 5_000, 30_000),
    restartArb,
  )
  .map(([away, draft, next, ms, restart]): Cmd[] => [
    ...(away ? [{ k: 'away' as const, slot: SLOTS - 1 }] : []),
    { ...draft, withheld: false },
    next === null ? { k: 'deleteEntry', id: draft.id } : { ...next, id: draft.id },
    { k: 'tick', ms },
    restart,
  ])

/** The ingest-skew property's runs: single commands, and now and then a draft (above). */
export const skewLiveRunArb: fc.Arbitrary<Cmd[]> = fc
  .array(fc.oneof({ arbitrary: skewLiveCmdArb.map((c) => [c]), weight: 12 }, { arbitrary: draftArb, weight: 1 }), {
    minLength: 1,
    maxLength: 30,
    size: 'max',
  })
  .map((chunks) => chunks.flat())

/**
 * Runs of the ingest-skew property (commands after its start, history, lead) replayed first in
 * every test run, each with what it found.
 *
 * None is here for Ledger.catchUp's `entries.mayRelease` (the maybe bit of an entry whose embargo
 * ingest's clock passed while catching up): with the call removed, 0 of 3,000 runs failed
 * (2026-12-05), and within this model it changes nothing a reader gets. An entry version replaced or
 * deleted later gets the bit again from Entries.apply (maybeMask of the version it replaces, at the
 * reading clock + raceWindowMs - 1: that clock is never behind the one mayRelease used); one never
 * replaced is released for sure at goLive (catch-up clocks never pass the server's, Store.append, so
 * what mayRelease found due is due when advance(now) runs). Only the story may differ (the bit is
 * taken with the story as it stood when the clock passed the embargo): then the story was hidden in
 * between, and a reader drops a story's entries with its retraction, a resuming one by the replay of
 * the hide. A probe of that (entry released and shown, reader away, story held, entry deleted, story
 * public again, restart within the minute, lead 0, history 12) passes with and without the call.
 */
export const SKEW_KNOWN_RUNS: [Cmd[], number, number][] = [
  // 2026-12-05, mutation check: with the lead dropped from the entries' catch-up (Entries
  // #applied judging a version released by ingest's clock itself), the restarted instance read
  // e1's draft (embargo 1 s, deleted at once, stamped 1 s ahead) as released: the deletion went to
  // the reader with the newsroom's reason (rule 3), though the draft was never public.
  [
    [
      { k: 'entry', id: 0, withheld: false, embargo: 1000 },
      { k: 'deleteEntry', id: 0 },
      { k: 'tick', ms: 1000 },
      { k: 'restart', picks: [] },
    ],
    4,
    1000,
  ],
  // 2026-12-05, the same mutation: the draft replaced at once (not deleted), ingest 2 s ahead; the
  // reader, away since before the draft, resumed on the restarted instance and was replayed it (rule 1).
  [
    [
      { k: 'away', slot: 3 },
      { k: 'entry', id: 0, withheld: false, embargo: 1000 },
      { k: 'entry', id: 0, withheld: false, embargo: null },
      { k: 'tick', ms: 1000 },
      { k: 'restart', picks: [] },
      { k: 'entry', id: 0, withheld: false, embargo: null },
    ],
    4,
    2000,
  ],
  // 2026-12-06, a fresh seed (-387865837) in stop 45's unit run, no skew: e2 shown, deleted while the
  // reader was away, the story updated under a 1 s embargo; the reader resumed on an instance whose
  // history no longer held the deletion, and the Kafka replay judged it while the story was out of
  // view (nothing sent) but passed the story's embargoed record only after the release: nobody told
  // the reader to drop the story or the entry, and it kept e2 (rule 2; story-deliver.ts hiddenByItself)
  [
    [
      { k: 'entry', id: 1, withheld: false, embargo: null },
      { k: 'restart', picks: [] },
      { k: 'deleteEntry', id: 1 },
      { k: 'entry', id: 0, withheld: false, embargo: null },
      { k: 'restart', picks: [] },
      { k: 'entry', id: 0, withheld: false, embargo: null },
      { k: 'entry', id: 0, withheld: false, embargo: null },
      { k: 'post', id: 0, category: 0, withheld: false, embargo: 1000 },
    ],
    4,
    0,
  ],
]
