import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Article, ArticleEvent } from '@newswire/shared'
import type { ArticleView } from '../src/channels.ts'
import type { Clearance, Latest } from '../src/visibility.ts'
import { causeOf, changeFor, clearanceOf, decide, INGEST_LEAD_MS, isKill, releasedOnArrival, visibleVersion } from '../src/visibility.ts'
import { unrestricted } from '../src/audience.ts'

export const art = (extra: Partial<Article> = {}): Article => ({
  id: 'x',
  version: 1,
  url: null,
  language: 'en',
  headline: 'h',
  summary: null,
  body: [],
  category: 'news',
  categoryLabel: null,
  subjects: [],
  authors: [],
  publishedAt: null,
  updatedAt: null,
  urgency: 4,
  pubStatus: 'usable',
  embargoedUntil: null,
  breaking: false,
  dateline: null,
  timeZone: null,
  related: [],
  ...extra,
})

const ev = (type: ArticleEvent['type'], article: Article): Pick<ArticleEvent, 'type' | 'article'> => ({ type, article })
const st = (type: ArticleEvent['type'], article: Article, released = true): Latest => ({ event: ev(type, article), released })

test('clearance from audience and token scope', () => {
  assert.equal(clearanceOf('public', unrestricted), 'public')
  assert.equal(clearanceOf('newsroom', unrestricted), 'all')
  assert.equal(clearanceOf('newsroom', { categories: null, languages: null, embargo: false }), 'released')
})

test('the latest version or nothing: never an older one in place of a hidden one', () => {
  const usable = st('UPDATED', art({ version: 2 }))
  const held = st('UPDATED', art({ version: 2, embargoedUntil: 5000 }), false)
  const withheld = st('UPDATED', art({ version: 2, pubStatus: 'withheld' }))
  const killed = st('WITHDRAWN', art({ version: 3, pubStatus: 'canceled' }))
  const canceled = st('UPDATED', art({ version: 3, pubStatus: 'canceled' }))
  const table: [Latest, Record<Clearance, boolean>][] = [
    [usable, { public: true, released: true, all: true }],
    [held, { public: false, released: false, all: true }],
    [withheld, { public: false, released: true, all: true }],
    // the newsroom keeps a killed story, as killed
    [killed, { public: false, released: false, all: true }],
    [canceled, { public: false, released: false, all: true }],
  ]
  for (const [s, want] of table) {
    for (const c of ['public', 'released', 'all'] as const) {
      assert.equal(visibleVersion(s, c) !== null, want[c], `${s.event.type} ${s.event.article.pubStatus} ${c}`)
    }
  }
  assert.equal(visibleVersion(undefined, 'all'), null)
})

test('causes of a retraction', () => {
  assert.equal(causeOf(st('WITHDRAWN', art({ pubStatus: 'canceled' })), 'public'), 'withdrawn')
  assert.equal(causeOf(st('UPDATED', art({ pubStatus: 'canceled' })), 'public'), 'canceled')
  assert.equal(causeOf(st('UPDATED', art({ pubStatus: 'withheld' })), 'public'), 'withheld')
  assert.equal(causeOf(st('UPDATED', art({ embargoedUntil: 9 }), false), 'public'), 'embargoed')
  assert.equal(causeOf(st('UPDATED', art()), 'public'), 'left')
  assert.equal(isKill(ev('UPDATED', art({ pubStatus: 'canceled' }))), true)
  assert.equal(isKill(ev('UPDATED', art({ pubStatus: 'withheld' }))), false)
})

test('decide: new, updated, moved out of view, killed after moving, never told of what was never visible', () => {
  const inA = (a: ArticleView) => a.category === 'a'
  const v1 = st('CREATED', art({ category: 'a' }))
  const v2 = st('UPDATED', art({ version: 2, category: 'b' }))
  const v3 = st('WITHDRAWN', art({ version: 3, category: 'b', pubStatus: 'canceled' }))
  assert.deepEqual(
    decide(changeFor(undefined, v1, 'public'), 'public', inA, () => null),
    { kind: 'event', article: v1.event.article, embargoed: false },
  )
  assert.deepEqual(
    decide(changeFor(v1, v2, 'public'), 'public', inA, () => null),
    { kind: 'retract', cause: 'left', match: v1.event.article },
  )
  // the kill of a story that left the view reaches those who saw it (exposure finds the view)
  assert.deepEqual(
    decide(changeFor(v2, v3, 'public'), 'public', inA, () => ({ view: v1.event.article, sure: true })),
    {
      kind: 'retract',
      cause: 'withdrawn',
      match: v1.event.article,
    },
  )
  // only possibly seen there (an estimate after a restart): the retraction says so, and goes out without the newsroom's words
  assert.deepEqual(
    decide(changeFor(v2, v3, 'public'), 'public', inA, () => ({ view: v1.event.article, sure: false })),
    {
      kind: 'retract',
      cause: 'withdrawn',
      match: v1.event.article,
      unsure: true,
    },
  )
  assert.equal(
    decide(changeFor(v2, v3, 'public'), 'public', inA, () => null),
    null,
  )
  // withheld from creation: the public hears nothing, ever
  const w1 = st('CREATED', art({ pubStatus: 'withheld', category: 'a' }))
  const w2 = st('WITHDRAWN', art({ version: 2, pubStatus: 'canceled', category: 'a' }))
  assert.equal(
    decide(changeFor(undefined, w1, 'public'), 'public', inA, () => null),
    null,
  )
  assert.equal(
    decide(changeFor(w1, w2, 'public'), 'public', inA, () => null),
    null,
  )
  // the newsroom sees the withheld version and hears of the kill: a withdrawal as `withdrawn`, a canceled version as itself
  assert.equal(decide(changeFor(undefined, w1, 'all'), 'all', inA, () => null)?.kind, 'event')
  assert.deepEqual(
    decide(changeFor(w1, w2, 'all'), 'all', inA, () => null),
    { kind: 'retract', cause: 'withdrawn', match: w2.event.article },
  )
  const c2 = st('UPDATED', art({ version: 2, pubStatus: 'canceled', category: 'a' }))
  assert.equal(decide(changeFor(w1, c2, 'all'), 'all', inA, () => null)?.kind, 'event')
  assert.equal(
    decide(changeFor(w1, c2, 'public'), 'public', inA, () => null),
    null,
  )
  // an embargo put on a public story hides it
  const e2 = st('UPDATED', art({ version: 2, category: 'a', embargoedUntil: 99 }), false)
  assert.deepEqual(
    decide(changeFor(v1, e2, 'public'), 'public', inA, () => null),
    { kind: 'retract', cause: 'embargoed', match: v1.event.article },
  )
  assert.deepEqual(
    decide(changeFor(v1, e2, 'all'), 'all', inA, () => null),
    { kind: 'event', article: e2.event.article, embargoed: true },
  )
})

test("released on arrival: the embargo had passed when the event was ingested, by ingest's clock at its most ahead", () => {
  const e = (embargoedUntil: number | null) => ({ article: art({ embargoedUntil }), ingestedAt: 100_000 })
  assert.equal(releasedOnArrival(e(null)), true)
  assert.equal(releasedOnArrival(e(100_000 - INGEST_LEAD_MS)), true)
  assert.equal(releasedOnArrival(e(100_000 - INGEST_LEAD_MS + 1)), false, 'ingest may run INGEST_LEAD_MS ahead')
  // an estimate: some server may have found it released
  assert.equal(releasedOnArrival(e(100_000), 0), true)
  assert.equal(releasedOnArrival(e(100_001), 0), false)
})

test('a story put under embargo again is retracted as `embargoed` for a token held to embargoes, not as `left`', () => {
  const inA = (a: ArticleView) => a.category === 'a'
  const v1 = st('CREATED', art({ category: 'a' }))
  const e2 = st('UPDATED', art({ version: 2, category: 'a', embargoedUntil: 99 }), false)
  assert.equal(causeOf(e2, 'released'), 'embargoed')
  assert.deepEqual(
    decide(changeFor(v1, e2, 'released'), 'released', inA, () => null),
    { kind: 'retract', cause: 'embargoed', match: v1.event.article },
  )
})

test('a kill after a kill is still a kill: it reaches whoever may have seen the story, and names itself', () => {
  const inA = (a: ArticleView) => a.category === 'a'
  const v1 = st('CREATED', art({ category: 'a' }))
  const c2 = st('UPDATED', art({ version: 2, category: 'a', pubStatus: 'canceled' }))
  const w3 = st('WITHDRAWN', art({ version: 3, category: 'b', pubStatus: 'canceled' }))
  assert.equal(changeFor(c2, w3, 'public').kill, true)
  // the newsroom had the canceled version in view; the withdrawal moved it out: a kill, not `left`
  assert.deepEqual(
    decide(changeFor(c2, w3, 'all'), 'all', inA, () => null),
    { kind: 'retract', cause: 'withdrawn', match: c2.event.article },
  )
  // the public saw v1 there: the withdrawal reaches it again (a reader that missed the cancel drops nothing it needs)
  assert.deepEqual(
    decide(changeFor(c2, w3, 'public'), 'public', inA, () => ({ view: v1.event.article, sure: true })),
    { kind: 'retract', cause: 'withdrawn', match: v1.event.article },
  )
})

test('the ingest lead is one minute (README, Known limits): a version ingested a minute after its embargo counts as released everywhere', () => {
  const e = (embargoedUntil: number) => ({ article: art({ embargoedUntil }), ingestedAt: 1_000_000 })
  assert.equal(INGEST_LEAD_MS, 60_000)
  assert.equal(releasedOnArrival(e(1_000_000 - 60_000)), true)
  assert.equal(releasedOnArrival(e(1_000_000 - 59_999)), false)
})
