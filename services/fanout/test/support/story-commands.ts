// The commands of the two-process story model (two-processes-story-model.test.ts) and their
// generator: ingest writes to two live stories and their entries, each process's reads, server
// time, and what public readers do (open, resume, drop, page, a slow socket).
import fc from 'fast-check'
import type { AudienceScope } from '../../src/audience.ts'
import { unrestricted } from '../../src/audience.ts'
import type { Viewer } from './story-log.ts'
import type { Cmd, StoryOp } from './story-known-runs.ts'
import type { EntryOp } from './story-model.ts'

/** The two stories' ids (L0 in partition 0, L1 in 1); a killed one's slot takes a new id on its next create. */
export const SLOTS = ['L0', 'L1']
export const READERS = 3
/** The category filtered readers and desk tokens follow (`news`, every story's at first; a `move` takes it to `world` and back). */
export const FILTERED = 'news'
const inCategory = (a: { category: string | null }) => a.category === FILTERED
const everything = () => true

/** Who a reader is: its token (audience, scope) and its subscription's filter (query parameters for its pages too). */
export interface ReaderKind {
  audience: 'public' | 'newsroom'
  scope: AudienceScope
  filter: { categories: string[] } | null
  query: string
  viewer: Viewer
}
/** Newsroom tokens held to embargoes (clearance `released`): they see withheld stories and entries, never an embargo early. */
const held: AudienceScope = { categories: null, languages: null, embargo: false }
export const READER_KINDS: ReaderKind[] = [
  { audience: 'public', scope: unrestricted, filter: null, query: '', viewer: { withheld: false, inView: everything } },
  // a public reader filtering its story to a category: a move out of it is a `withdrawn` (left)
  {
    audience: 'public',
    scope: unrestricted,
    filter: { categories: [FILTERED] },
    query: `&categories=${FILTERED}`,
    viewer: { withheld: false, inView: inCategory },
  },
  { audience: 'newsroom', scope: held, filter: null, query: '', viewer: { withheld: true, inView: everything } },
  // a desk's token (`desks` claim): the server holds it to the category, whatever its filter
  {
    audience: 'newsroom',
    scope: { ...held, categories: [FILTERED] },
    filter: null,
    query: '',
    viewer: { withheld: true, inView: inCategory },
  },
  // the newsroom: every story and entry, under embargo (flagged) or withheld, a killed story as killed
  { audience: 'newsroom', scope: unrestricted, filter: null, query: '', viewer: { withheld: true, all: true, inView: everything } },
]

const proc = fc.integer({ min: 0, max: 1 })
const reader = fc.integer({ min: 0, max: READERS - 1 })
const partition = fc.integer({ min: 0, max: 1 })
const slot = fc.integer({ min: 0, max: SLOTS.length - 1 })
const entryOp = fc.constantFrom<EntryOp>(
  'create',
  'create',
  'create',
  'create',
  'edit',
  'correct',
  'pin',
  'delete',
  'delete',
  'withhold',
  'usable',
  'embargo',
)
export const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('story' as const),
      slot,
      op: fc.constantFrom<StoryOp>('create', 'create', 'embargo', 'hold', 'lift', 'lift', 'kill', 'move', 'move', 'move', 'move', 'erase'),
      embargoIn: fc.constantFrom(null, null, null, null, null, 1, 400, 3_000, 9_000, 65_000),
      held: fc.constantFrom(false, false, false, true),
    }),
  },
  {
    weight: 7,
    arbitrary: fc.record({
      kind: fc.constant('entry' as const),
      entry: fc.record({
        k: fc.constant('entry' as const),
        story: slot,
        op: entryOp,
        which: fc.nat(20),
        embargo: fc.constantFrom<'none' | 'soon' | 'later'>('none', 'none', 'none', 'none', 'soon', 'later'),
        withheld: fc.constantFrom(false, false, false, false, false, true),
        pinned: fc.constantFrom(false, false, false, false, true),
      }),
    }),
  },
  // process 1 reads less often: it lags, as a busy worker does
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('read' as const), proc: fc.constant(0), partition, n: fc.constantFrom(2, 5) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), proc: fc.constant(1), partition, n: fc.constant(1) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('readConnect' as const), proc, partition, n: fc.constantFrom(1, 5), reader }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.constantFrom(1, 299, 1_000, 4_999, 10_000, 70_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('toEmbargo' as const), delta: fc.constantFrom(-1, 0, 1), proc }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('open' as const),
      reader,
      slot,
      proc,
      latest: fc.constantFrom(false, false, true),
      who: fc.constantFrom(0, 0, 0, 1, 2, 3, 4),
      sse: fc.constantFrom(false, false, true),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('resume' as const), reader, proc, other: fc.constantFrom(true, true, true, false) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), reader }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('away' as const), reader, steps: fc.integer({ min: 2, max: 8 }), proc, other: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stall' as const), proc }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('check' as const), proc, ago: fc.constantFrom(0, 2_000, 15_000) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('restart' as const),
      proc,
      picks: fc.array(fc.nat(), { maxLength: 6 }),
      // the new process's memory: so short that most entries are known from news.articles only
      history: fc.constantFrom(2, 4, 1000),
      compacted: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('slow' as const),
      reader,
      steps: fc.integer({ min: 1, max: 10 }),
      resume: fc.boolean(),
      proc,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('page' as const),
      reader,
      proc,
      other: fc.constantFrom(true, true, false),
      limit: fc.constantFrom(1, 3),
    }),
  },
)
