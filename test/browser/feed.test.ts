// The dashboard's and the ticker's pure models (web/feed.ts, web/headlines.ts, web/format.ts) in
// Node: each story's state is itself however it arrived, ordering and counts go by editorial time,
// and times are in one zone with the story's language.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Article, ArticleEvent, NewsEventMessage, WithdrawnCause, WithdrawnMessage } from '@newswire/client'
import { DeskCounts } from '../../services/fanout/web/counts.ts'
import { Feed, type FeedItem, reasonOf, stateOf } from '../../services/fanout/web/feed.ts'
import { formatClock, formatRelative, localeFor, zoneLabel } from '../../services/fanout/web/format.ts'
import { Headlines } from '../../services/fanout/web/headlines.ts'

const T = Date.parse('2026-05-04T10:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString()

function event(id: string, version: number, article: Partial<Article> = {}, extra: Partial<ArticleEvent> = {}): ArticleEvent {
  return {
    eventId: `${id}-v${version}`,
    type: version === 1 ? 'CREATED' : 'UPDATED',
    ingestedAt: iso(T),
    article: { id, version, headline: `Headline ${id}`, language: 'en', category: 'national', urgency: 3, pubStatus: 'usable', ...article },
    ...extra,
  }
}

function msg(e: ArticleEvent, flags: Partial<NewsEventMessage> = {}): NewsEventMessage {
  return { type: 'event', channel: 'all', position: 'p', event: e, embargoed: false, released: false, snapshot: false, ...flags }
}

const withdrawn = (articleId: string, reason: string | null = 'legal', cause?: WithdrawnCause): WithdrawnMessage => ({
  type: 'withdrawn',
  position: 'p',
  articleId,
  reason,
  ...(cause ? { cause } : {}),
})

const itemOf = (feed: Feed, id: string): FeedItem => {
  const item = feed.items.get(id)
  assert.ok(item, `${id} is on the desk`)
  return item
}

/** The stack of the issue: embargoed, withheld, withdrawn (canceled), live; as a snapshot (reload) and live. */
function desk(snapshot: boolean): NewsEventMessage[] {
  return [
    msg(event('emb', 1, { embargoedUntil: iso(T + 10 * 60_000), updatedAt: iso(T - 60_000) }), { embargoed: true, snapshot }),
    msg(event('held', 2, { pubStatus: 'withheld', updatedAt: iso(T - 120_000) }, { reason: 'legal review' }), { snapshot }),
    msg(event('killed', 2, { pubStatus: 'canceled', updatedAt: iso(T - 180_000) }, { type: 'WITHDRAWN', reason: 'error' }), { snapshot }),
    msg(event('live', 1, { updatedAt: iso(T - 240_000) }), { snapshot }),
  ]
}

describe('dashboard feed', () => {
  test('each state is itself, the same from a snapshot (reload) as live', () => {
    for (const snapshot of [true, false]) {
      const feed = new Feed()
      for (const m of desk(snapshot)) feed.applyEvent(m, T)
      const states = Object.fromEntries(feed.list().map((i) => [i.id, stateOf(i)]))
      assert.deepEqual(states, { emb: 'embargoed', held: 'withheld', killed: 'withdrawn', live: 'live' }, `snapshot: ${snapshot}`)
    }
  })

  test('a withdrawn message kills a story that stays on the desk, marked; a newer version revives it', () => {
    const feed = new Feed()
    feed.applyEvent(msg(event('a', 1)), T)
    feed.applyWithdrawn(withdrawn('a', 'legal'), T + 1000)
    const item = feed.items.get('a')
    assert.ok(item)
    assert.equal(stateOf(item), 'withdrawn')
    assert.equal(item.kill?.reason, 'legal')
    assert.equal(feed.applyWithdrawn(withdrawn('unknown'), T), null)
    feed.applyEvent(msg(event('a', 3, { headline: 'Corrected and republished' })), T + 2000)
    assert.equal(stateOf(feed.items.get('a') as NonNullable<typeof item>), 'live')
  })

  // red21d's report: a desk already showing a story kept its headline, struck through, after a
  // legal erasure, until a reload (which shows "(erased: id)": dashboard-item.ts titleOf)
  test('an erasure takes the text back from the desk at once; an ordinary kill keeps it, struck through', () => {
    const feed = new Feed()
    const text = { headline: 'A name a court ordered removed', summary: 'The same name', body: ['It again'], authors: ['Reporter'] }
    feed.applyEvent(msg(event('a', 1, text)), T)
    feed.applyEvent(msg(event('b', 1, text)), T)
    feed.applyWithdrawn({ ...withdrawn('a', 'court order', 'withdrawn'), erased: true }, T + 1000)
    feed.applyWithdrawn(withdrawn('b', 'legal', 'withdrawn'), T + 1000)
    const a = itemOf(feed, 'a')
    assert.equal(stateOf(a), 'withdrawn')
    assert.ok(!JSON.stringify(a.article).includes('court ordered') && !JSON.stringify(a.article).includes('same name'))
    assert.deepEqual([a.article.headline, a.article.body, a.article.authors], ['', [], []])
    assert.equal(itemOf(feed, 'b').article.headline, text.headline)
  })

  test('embargoed again or withheld (a token with embargo: false) is a hold, never a kill; its next event shows it again', () => {
    for (const [cause, state] of [
      ['embargoed', 'embargoed'],
      ['withheld', 'withheld'],
    ] as const) {
      const feed = new Feed()
      feed.applyEvent(msg(event('a', 1, { updatedAt: iso(T - 60_000) })), T)
      feed.applyWithdrawn(withdrawn('a', 'legal review', cause), T + 1000)
      const held = itemOf(feed, 'a')
      assert.equal(stateOf(held), state, `${cause}: held, not killed`)
      assert.equal(held.kill, null, `${cause}: no kill`)
      assert.equal(reasonOf(held), 'legal review')
      assert.equal(feed.nextEmbargoEnd(T + 1000), null)
      // back, as a new version (a release for the embargo)
      feed.applyEvent(msg(event('a', 2, { updatedAt: iso(T + 2000) }), { released: cause === 'embargoed' }), T + 2000)
      const back = itemOf(feed, 'a')
      assert.equal(stateOf(back), 'live', `${cause}: running again`)
      assert.equal(back.hold, null)
      assert.equal(reasonOf(back), null)
    }
  })

  test('a kill (withdrawn, canceled) still reads withdrawn, and a hold after it does not soften it', () => {
    for (const cause of ['withdrawn', 'canceled'] as const) {
      const feed = new Feed()
      feed.applyEvent(msg(event('a', 1)), T)
      feed.applyWithdrawn(withdrawn('a', 'court order', cause), T + 1000)
      assert.equal(stateOf(itemOf(feed, 'a')), 'withdrawn', cause)
      feed.applyWithdrawn(withdrawn('a', null, 'embargoed'), T + 2000)
      assert.equal(stateOf(itemOf(feed, 'a')), 'withdrawn', `${cause}: still killed`)
      assert.equal(reasonOf(itemOf(feed, 'a')), 'court order')
    }
  })

  test('desk counts: a hold takes a story out until it comes back; a kill keeps it out for good', () => {
    const counts = new DeskCounts()
    const story = (id: string, version: number) => ({ id, version, category: 'national', label: null, at: T, killed: false })
    counts.note(story('held', 1))
    counts.note(story('killed', 1))
    counts.withdrawn(withdrawn('held', null, 'embargoed'))
    counts.withdrawn(withdrawn('killed', null, 'withdrawn'))
    assert.deepEqual(counts.list(T), [])
    counts.note(story('held', 2))
    counts.note(story('killed', 2))
    assert.deepEqual(counts.list(T), [{ category: 'national', label: null, count: 1 }])
  })

  test('withheld is a hold, not a kill: it goes live when a usable version follows', () => {
    const feed = new Feed()
    feed.applyEvent(msg(event('a', 1, { pubStatus: 'withheld' })), T)
    const held = feed.items.get('a')
    assert.equal(held && stateOf(held), 'withheld')
    feed.applyEvent(msg(event('a', 2, { pubStatus: 'usable' })), T)
    const live = feed.items.get('a')
    assert.equal(live && stateOf(live), 'live')
  })

  test("an embargo ends with the release message, not on the editor's clock; the release keeps how the story changed", () => {
    const feed = new Feed()
    const until = T + 5000
    feed.applyEvent(msg(event('a', 2, { embargoedUntil: iso(until) }, { changedFields: ['headline'] }), { embargoed: true }), T)
    assert.equal(feed.nextEmbargoEnd(T), until)
    const item = feed.items.get('a')
    assert.ok(item)
    // the editor's clock is not asked (stateOf takes no time): not running until the server has released it
    assert.equal(stateOf(item), 'embargoed')
    assert.equal(feed.nextEmbargoEnd(until), null)
    const released = feed.applyEvent(msg(event('a', 2, { embargoedUntil: iso(until) }), { released: true }), T + 1000)
    assert.equal(stateOf(released), 'live', 'released by the server')
    assert.deepEqual([released.change, released.changed], ['updated', ['headline']])
  })

  test('newest editorial time first (updated, else published): a backfilled 2024 story does not bury today', () => {
    const feed = new Feed()
    feed.applyEvent(msg(event('today', 1, { publishedAt: iso(T - 60_000), updatedAt: iso(T - 60_000) }), { snapshot: true }), T)
    feed.applyEvent(msg(event('backfill', 1, { publishedAt: '2024-03-01T08:00:00Z', updatedAt: '2024-03-01T09:00:00Z' })), T)
    feed.applyEvent(msg(event('published-only', 1, { publishedAt: iso(T - 30_000), updatedAt: null })), T)
    assert.deepEqual(
      feed.list().map((i) => i.id),
      ['published-only', 'today', 'backfill'],
    )
  })

  test('counts per category cover the last hour by editorial time, withdrawn left out', () => {
    const feed = new Feed()
    for (const m of desk(true)) feed.applyEvent(m, T)
    feed.applyEvent(msg(event('old', 1, { category: 'national', updatedAt: iso(T - 2 * 3600_000) })), T)
    feed.applyEvent(msg(event('sport', 1, { category: 'sports', categoryLabel: 'খেলা', updatedAt: iso(T - 59 * 60_000) })), T)
    assert.deepEqual(feed.countsLastHour(T), [
      { category: 'national', label: null, count: 3 },
      { category: 'sports', label: 'খেলা', count: 1 },
    ])
  })

  test('reset starts over from its items, flags included', () => {
    const feed = new Feed()
    feed.applyEvent(msg(event('gone', 1)), T)
    feed.reset(desk(true), T)
    assert.deepEqual([...feed.items.keys()].sort(), ['emb', 'held', 'killed', 'live'])
    const emb = feed.items.get('emb')
    assert.equal(emb && stateOf(emb), 'embargoed')
  })
})

describe('ticker headlines', () => {
  test('newest first by first publication, a correction keeps its place, at most max, removal', () => {
    const h = new Headlines(3)
    assert.equal(h.apply(msg(event('a', 1, { publishedAt: iso(T - 3000) }))), true)
    assert.equal(h.apply(msg(event('b', 1, { publishedAt: iso(T - 2000) }))), true)
    assert.equal(h.apply(msg(event('a', 2, { publishedAt: iso(T - 3000), updatedAt: iso(T), headline: 'A corrected' }))), false)
    assert.deepEqual(
      h.list().map((x) => [x.id, x.article.headline]),
      [
        ['b', 'Headline b'],
        ['a', 'A corrected'],
      ],
    )
    h.apply(msg(event('c', 1, { publishedAt: iso(T - 1000) })))
    h.apply(msg(event('d', 1, { publishedAt: iso(T) })))
    assert.deepEqual(
      h.list().map((x) => x.id),
      ['d', 'c', 'b'],
    )
    assert.equal(h.apply(msg(event('old', 1, { publishedAt: iso(T - 9000) }))), false, 'too old to make the list: not new to the reader')
    h.remove('c')
    assert.deepEqual(
      h.list().map((x) => x.id),
      ['d', 'b'],
    )
  })
})

describe('times', () => {
  test('one zone for everything, the story language for digits, seconds on request, the date when not today', () => {
    const at = Date.parse('2026-05-04T08:30:05Z')
    assert.equal(formatClock(at, { language: 'en', timeZone: 'Asia/Dhaka', now: at }), '14:30')
    assert.equal(formatClock(at, { language: 'en', timeZone: 'UTC', seconds: true, now: at }), '08:30:05')
    assert.equal(formatClock(at, { language: 'bn', timeZone: 'Asia/Dhaka', seconds: true, now: at }), '১৪:৩০:০৫')
    assert.match(formatClock(at, { language: 'en', timeZone: 'UTC', now: at + 86_400_000 }), /^4 May 2026,? 08:30$/)
    // Midnight in Dhaka is still the previous day in UTC: "today" is the zone's
    const late = Date.parse('2026-05-04T18:30:00Z')
    assert.equal(formatClock(late, { language: 'en', timeZone: 'UTC', now: late + 3 * 3600_000 }), '18:30')
    assert.match(formatClock(late, { language: 'en', timeZone: 'Asia/Dhaka', now: late - 3 * 3600_000 }), /5 May 2026/)
    assert.equal(zoneLabel('Asia/Dhaka', at), 'Asia/Dhaka (GMT+6)')
    assert.equal(zoneLabel('UTC', at), 'UTC')
    assert.equal(zoneLabel('Europe/London', Date.parse('2026-01-10T12:00:00Z')), 'Europe/London (GMT+0)')
  })

  test('relative times in the story language', () => {
    assert.equal(formatRelative(T - 3 * 60_000, T, 'en'), '3 min ago')
    assert.equal(formatRelative(T + 25 * 60_000, T, 'en'), 'in 25 min')
    assert.equal(formatRelative(T - 10_000, T, 'en'), 'now')
    assert.equal(formatRelative(T + 10_000, T, 'en'), 'in 1 min', 'a countdown never says now before it is')
    assert.equal(formatRelative(T + 9.5 * 60_000, T, 'en'), 'in 10 min')
    assert.equal(formatRelative(T - 3.5 * 60_000, T, 'en'), '3 min ago')
    assert.equal(formatRelative(T - 3 * 60_000, T, 'bn'), '৩ মিনিট আগে')
    assert.equal(formatRelative(T - 2 * 3600_000 - 1, T, 'bn-BD'), '২ ঘণ্টা আগে')
    assert.equal(localeFor('xx-invalid-tag-!!'), 'xx-invalid-tag-!!')
    assert.equal(formatRelative(T - 60_000, T, 'xx-invalid-tag-!!'), '1 min ago', 'a tag Intl refuses falls back to English')
  })
})
