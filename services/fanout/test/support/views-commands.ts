// The steps of red25b-views-shed-model.test.ts and their generator, and its readers' views with the
// README's matching rules ("Protocol": channels and filter), written apart from channels.ts.
import type { Article } from '@newswire/shared'
import fc from 'fast-check'

export const STORIES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']
export const CATEGORIES = ['home', 'world']
export const LANGUAGES = ['en', 'bn-BD']
export const READERS = 3

/** A subscription's channels and filter, as a client sends them. */
export interface View {
  channels: string[]
  filter: { languages?: string[]; categories?: string[]; maxUrgency?: number; states?: string[]; tickerFieldsOnly?: boolean } | null
}

export const VIEWS: View[] = [
  { channels: [], filter: null },
  { channels: ['breaking'], filter: null },
  { channels: ['category:home'], filter: null },
  { channels: ['breaking', 'category:home'], filter: null },
  { channels: ['lang:bn'], filter: null },
  { channels: [], filter: { maxUrgency: 2 } },
  { channels: ['category:world', 'lang:bn'], filter: null },
  { channels: [], filter: { categories: ['home'], languages: ['en'], states: ['live'] } },
  { channels: ['breaking'], filter: { languages: ['bn'] } },
  // a ticker (README: skips UPDATED events that change none of the fields it shows; no `more`)
  { channels: ['breaking'], filter: { tickerFieldsOnly: true } },
  { channels: ['category:home'], filter: { languages: ['en'], tickerFieldsOnly: true } },
  // the newsroom's own states (red27a: a public reader is refused them, forbidden_filter; `embargoed` needs embargo rights)
  { channels: [], filter: { states: ['withheld', 'embargoed'] } },
  { channels: ['category:home'], filter: { states: ['withheld', 'live'] } },
]

/** Whether a view is a ticker's (tickerFieldsOnly): it may show an older version whose ticker fields are the latest's. */
export const isTicker = (v: View): boolean => v.filter?.tickerFieldsOnly === true

/** The fields a ticker shows (README "Protocol", `tickerFieldsOnly`), written apart from channels.ts. */
export const TICKER_FIELDS = [
  'headline',
  'urgency',
  'breaking',
  'category',
  'language',
  'pubStatus',
  'embargoedUntil',
  'url',
  'summary',
] as const

/** A view as GET /v1/snapshot's query (the SDK's snapshotUrl; tickerFieldsOnly is for streams and left out). */
export function viewQuery(v: View): URLSearchParams {
  const q = new URLSearchParams()
  if (v.channels.length > 0) q.set('channels', v.channels.join(','))
  const f = v.filter
  if (f?.languages) q.set('languages', f.languages.join(','))
  if (f?.categories) q.set('categories', f.categories.join(','))
  if (f?.maxUrgency !== undefined) q.set('maxUrgency', String(f.maxUrgency))
  if (f?.states) q.set('states', f.states.join(','))
  return q
}

/** `bn` matches `bn` and `bn-BD` (README, channels). */
const lang = (wanted: string, tag: string) => tag.toLowerCase() === wanted || tag.toLowerCase().startsWith(`${wanted}-`)

/** Whether a version is in the view (README "Protocol": channels, then the filter). */
export function viewMatches(v: View, a: Pick<Article, 'category' | 'language' | 'urgency' | 'breaking'>): boolean {
  const f = v.filter
  if (f?.languages && !f.languages.some((l) => lang(l, a.language))) return false
  if (f?.categories && (a.category === null || !f.categories.includes(a.category))) return false
  if (f?.maxUrgency !== undefined && a.urgency > f.maxUrgency) return false
  if (v.channels.length === 0) return true
  return v.channels.some((c) => {
    if (c === 'breaking') return a.urgency <= 2 || a.breaking
    if (c.startsWith('category:')) return a.category === c.slice('category:'.length)
    if (c.startsWith('lang:')) return lang(c.slice('lang:'.length), a.language)
    return false
  })
}

/** A story written (its desk, language, urgency, hold, embargo ms ahead), or killed (or erased). */
export type Write =
  | {
      k: 'write'
      story: number
      category: number
      language: number
      urgency: number
      breaking: boolean
      held: boolean
      embargo: number | null
      /** A new headline (a ticker shows it); else only the body changes, unless desk, urgency or status do. */
      retitle: boolean
      /** Desk, language, urgency and flag as the story's last version has them (a routine update a ticker skips). */
      keep: boolean
    }
  /** `erase`: a legal erasure (a kill whose record carries no text: visibility.ts isErasure). */
  | { k: 'kill'; story: number; erase: boolean }

/**
 * A write; time passing; a reader away for `steps` steps, back with `catchUp`; or a burst of
 * writes, appended `together` (the live loop matches none before the last: a small history
 * overruns it) or one at a time, while reader `reader`'s socket takes no writes (null: nobody's);
 * with `keep`, its link dies as it drains, after `keep` messages it had not read, and it resumes.
 */
export type Step =
  | Write
  | { k: 'tick'; ms: number }
  | { k: 'away'; reader: number; steps: number; catchUp: 'all' | 'latest' }
  /** The reader's app changes its view and reconnects, from the old view's position with what it shows (red16: a reset). */
  | { k: 'view'; reader: number; view: number }
  | { k: 'burst'; reader: number | null; together: boolean; writes: Write[]; keep: number | null; catchUp: 'all' | 'latest' }
  /** The reader's app changes its view on the open socket, as the SDK's update() does (unsubscribe, subscribe afresh). */
  | { k: 'update'; reader: number; view: number }
  /** The reader's page reloads: it forgets what it showed and its position, and subscribes afresh (a snapshot with `more`). */
  | { k: 'reload'; reader: number }
  /** The reader fetches its next older page (GET /v1/snapshot, `before` its cursor, `at` its position), as the SDK's older() does. */
  /** `late`: its answer reaches the SDK only after what the stream brings in the next step (HTTP and the socket race). */
  /** `b`: process B answers it, after reading that many more records of each partition (red27a: a process behind the stream's). */
  /** `noAt` (red28a): asked of A without the stream's position (a raw client, an SDK before `at`: A's state now). */
  /** `newest`: the newest page (no cursor), as the SDK's older(client, null) asks it, beside the stream. */
  | { k: 'page'; reader: number; late: boolean; b: number | null; noAt?: boolean; newest?: boolean }
  /**
   * The reader's app signs in with another token (0: none, else views-readers.ts TOKENS[token - 1]):
   * it resumes from its position with it (or will, away), keeping what it shows and its cursor (red27a).
   */
  /** `page`: it asks for its next older page with the new token before its stream is back (HTTP races the socket). */
  /** `life`: the new token expires that many ms on (red28a; none: it outlives the run), even one of the same claims (a refresh). */
  | { k: 'token'; reader: number; token: number; page: boolean; life?: number | null }
  /**
   * red28a: the operator revokes the reader's token (NEWSROOM_REVOKED_FILE: its `jti`, its subject up
   * to now, or every token issued up to now), the list handed to every open connection.
   */
  | { k: 'revoke'; reader: number; by: 'jti' | 'sub' | 'all' }
  /** red28a: the host's clock steps ahead (NTP correcting a clock behind, a VM resumed); timers, monotonic, do not move. */
  | { k: 'clockStep'; ms: number }
  /**
   * red28a: an SSE reader's stream comes back carrying `header` as Last-Event-ID and `since` in its
   * URL (an EventSource reconnecting on the URL it was made with; a raw client; a proxy that joins
   * or drops headers), each its last id, an older one it read, a forged or absurd one, another
   * reader's, empty, or none.
   */
  | { k: 'sseResume'; reader: number; header: OddPosition; since: OddPosition }
  /**
   * red28a: a story written under a one-second embargo, then the reader's next page asked of process
   * B, which reads it at once: with B's clock ahead, B has released what A has not (a racing page).
   */
  | { k: 'race'; reader: number; story: number; category: number; language: number }
  /** The next replay from Kafka breaks after reading `after` records (a broker gone, a fetch timed out midway). */
  | { k: 'kafkaBreak'; after: number }
  /** The next replay from Kafka reads nothing, ever, and reports nothing (kafkajs retrying a coordinator it cannot reach). */
  | { k: 'kafkaStall' }

/** What an SSE reconnect may carry as Last-Event-ID or `since` (views-sessions.ts oddPosition). */
export type OddPosition = 'none' | 'last' | 'stale' | 'forged' | 'other' | 'empty' | 'absurd'

const oddPosition = fc.constantFrom<OddPosition>('none', 'last', 'last', 'stale', 'forged', 'other', 'empty', 'absurd')

const catchUp = fc.constantFrom<'all' | 'latest'>('all', 'latest')

export const writeArb: fc.Arbitrary<Write> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('write' as const),
      story: fc.nat(STORIES.length - 1),
      category: fc.nat(CATEGORIES.length - 1),
      language: fc.nat(LANGUAGES.length - 1),
      urgency: fc.constantFrom(1, 3, 5, 5, 5),
      breaking: fc.constantFrom(false, false, false, true),
      held: fc.constantFrom(false, false, false, false, false, true),
      embargo: fc.option(fc.constantFrom(2_000, 30_000), { nil: null, freq: 6 }),
      retitle: fc.boolean(),
      keep: fc.constant(false),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('kill' as const),
      story: fc.nat(STORIES.length - 1),
      erase: fc.constantFrom(false, false, true),
    }),
  },
)

/** A race step's write (red28a): a new version of a story, usable, under a one-second embargo. */
export const RACE: Extract<Write, { k: 'write' }> = {
  k: 'write',
  story: 0,
  category: 0,
  language: 0,
  urgency: 3,
  breaking: false,
  held: false,
  embargo: 1_000,
  retitle: true,
  keep: false,
}

/** A routine update of a running story (what a slow reader's queue sheds), in a random desk and language. */
const routineArb: fc.Arbitrary<Write> = fc.record({
  k: fc.constant('write' as const),
  story: fc.nat(STORIES.length - 1),
  category: fc.nat(CATEGORIES.length - 1),
  language: fc.nat(LANGUAGES.length - 1),
  urgency: fc.constant(5),
  breaking: fc.constant(false),
  held: fc.constant(false),
  embargo: fc.constant(null),
  retitle: fc.constant(false),
  keep: fc.boolean(),
})

/** Running stories written before the readers come (their first snapshots cut at a small size: pages to take). */
export const preludeArb: fc.Arbitrary<Write[]> = fc.array(
  fc.record({
    k: fc.constant('write' as const),
    story: fc.nat(STORIES.length - 1),
    category: fc.nat(CATEGORIES.length - 1),
    language: fc.nat(LANGUAGES.length - 1),
    urgency: fc.constantFrom(1, 3, 5),
    breaking: fc.constant(false),
    held: fc.constant(false),
    embargo: fc.constant(null),
    retitle: fc.constant(true),
    keep: fc.constant(false),
  }),
  { maxLength: 8 },
)

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: writeArb },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.constantFrom(1_000, 5_000, 40_000) }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('away' as const), reader: fc.nat(READERS - 1), steps: fc.nat(4), catchUp }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('view' as const), reader: fc.nat(READERS - 1), view: fc.nat(VIEWS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('reload' as const), reader: fc.nat(READERS - 1) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('token' as const),
      reader: fc.nat(READERS - 1),
      token: fc.nat(6),
      page: fc.constantFrom(false, true, true),
      life: fc.option(fc.constantFrom(500, 3_000, 20_000), { nil: null, freq: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('revoke' as const), reader: fc.nat(READERS - 1), by: fc.constantFrom('jti', 'sub', 'all') }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('clockStep' as const), ms: fc.constantFrom(2_000, 60_000, 3_600_000) }) },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('sseResume' as const), reader: fc.nat(READERS - 1), header: oddPosition, since: oddPosition }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('race' as const),
      reader: fc.nat(READERS - 1),
      story: fc.nat(STORIES.length - 1),
      category: fc.nat(CATEGORIES.length - 1),
      language: fc.nat(LANGUAGES.length - 1),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('update' as const), reader: fc.nat(READERS - 1), view: fc.nat(VIEWS.length - 1) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('page' as const),
      reader: fc.nat(READERS - 1),
      late: fc.boolean(),
      b: fc.option(fc.constantFrom(0, 0, 1, 2, 100), { nil: null, freq: 3 }),
      noAt: fc.constantFrom(false, false, true),
      newest: fc.constantFrom(false, false, false, true),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({ k: fc.constant('kafkaBreak' as const), after: fc.nat(3) }),
      fc.record({ k: fc.constant('kafkaStall' as const) }),
    ),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('burst' as const),
      reader: fc.option(fc.nat(READERS - 1), { nil: null, freq: 3 }),
      together: fc.boolean(),
      writes: fc.array(fc.oneof(writeArb, routineArb), { minLength: 3, maxLength: 10 }),
      keep: fc.option(fc.nat(3), { nil: null, freq: 3 }),
      catchUp,
    }),
  },
)
