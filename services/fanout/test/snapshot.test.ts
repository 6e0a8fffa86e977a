// Snapshots and older pages in editorial order: the index (desk-index.ts) against a plain sort, a
// backfill that must not bury today's desk, paging to the end with every item once, cursors that
// are refused, the state filter, and counts over the last hour.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import fc from 'fast-check'
import type { AudienceScope } from '../src/audience.ts'
import { unrestricted } from '../src/audience.ts'
import { compareKeys, DeskIndex, editorialAt } from '../src/desk-index.ts'
import type { DeskKey } from '../src/desk-index.ts'
import type { Admission } from '../src/http/access.ts'
import { answerCounts, answerPage, RequestError } from '../src/http/snapshot.ts'
import { CursorError, PageCursorCodec } from '../src/page-cursor.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import type { Message } from './support/harness.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR

test('the index walks articles newest editorial time first, per channel key and from any key, each once', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          id: fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `a${i}`)),
          at: fc.integer({ min: 0, max: 50 }),
          category: fc.constantFrom('home', 'world', 'sport'),
          language: fc.constantFrom('en', 'bn-BD'),
          urgency: fc.integer({ min: 1, max: 5 }),
        }),
        // past fast-check's default size (about ten items): an article put again at the same time
        // under other keys (a desk change) needs many puts (seventh mutation batch, dx2)
        { maxLength: 300, size: 'large' },
      ),
      fc.integer({ min: 0, max: 60 }),
      (puts, fromAt) => {
        const desk = new DeskIndex()
        const latest = new Map<string, (typeof puts)[number]>()
        for (const p of puts) {
          desk.put(
            event('UPDATED', { id: p.id, version: 1, category: p.category, language: p.language, urgency: p.urgency, updatedAt: p.at }, 0),
          )
          latest.set(p.id, p)
        }
        const expect = (pred: (p: (typeof puts)[number]) => boolean, from: DeskKey | null) =>
          [...latest.values()]
            .filter(pred)
            .map((p) => ({ at: p.at, id: p.id }))
            .sort(compareKeys)
            .filter((k) => from === null || compareKeys(k, from) > 0)
        const walked = (keys: string[] | null, from: DeskKey | null) => {
          const out: DeskKey[] = []
          const w = desk.walk(keys, from)
          for (let k = w.next(); k !== undefined; k = w.next()) out.push(k)
          return out
        }
        assert.equal(desk.size, latest.size)
        assert.deepEqual(
          walked(null, null),
          expect(() => true, null),
        )
        const from = { at: fromAt, id: 'a2' }
        assert.deepEqual(
          walked(null, from),
          expect(() => true, from),
        )
        // a union of lists: breaking or home, each article once
        assert.deepEqual(
          walked(['breaking', 'category:home'], from),
          expect((p) => p.urgency <= 2 || p.category === 'home', from),
        )
        // language prefixes: lang:bn holds bn-BD
        assert.deepEqual(
          walked(['lang:bn'], null),
          expect((p) => p.language === 'bn-BD', null),
        )
      },
    ),
  )
})

test('the index stays ordered across chunk splits (thousands of articles, in any order)', () => {
  const desk = new DeskIndex()
  const n = 5000
  for (let i = 0; i < n; i++) desk.put(event('CREATED', { id: `x${i}`, version: 1, updatedAt: (i * 7919) % n }, 0))
  for (let i = 0; i < n; i += 3) desk.put(event('UPDATED', { id: `x${i}`, version: 2, updatedAt: n + i }, 0))
  const w = desk.walk(null, null)
  let prev: DeskKey | undefined
  let count = 0
  for (let k = w.next(); k !== undefined; k = w.next()) {
    if (prev) assert.ok(compareKeys(prev, k) < 0, `${JSON.stringify(prev)} before ${JSON.stringify(k)}`)
    prev = k
    count++
  }
  assert.equal(count, n)
})

test('editorial time: updated, else published, else ingested', () => {
  const base = event('CREATED', { id: 'e', version: 1 }, 5000)
  assert.equal(editorialAt(base), 5000)
  assert.equal(editorialAt({ ...base, article: { ...base.article, publishedAt: 100 } }), 100)
  assert.equal(editorialAt({ ...base, article: { ...base.article, publishedAt: 100, updatedAt: 200 } }), 200)
})

test('cursors: round trip; sealed (no id readable, length by 128-byte steps); anything else is refused with a reason', () => {
  const codec = new PageCursorCodec(['cursor-key-at-least-16'])
  const c = { key: { at: 1_723_873_560_000, id: 'bd-১' }, o: [3, 0, 7], t: 1_800_000_000_000 }
  assert.deepEqual(codec.decode(codec.encode(c), 3), c)
  assert.throws(() => codec.decode(codec.encode(c), 2), /for 3 partitions, the stream has 2/)
  // what a reader holds tells nothing of the article: not its id, not its length
  const secret = { ...c, key: { at: c.key.at, id: 'secret-merger-acme-buys-globex' } }
  const sealed = codec.encode(secret)
  assert.ok(!Buffer.from(sealed.slice(3), 'base64url').includes('secret-merger'), sealed)
  assert.equal(sealed.length, codec.encode({ ...c, key: { at: c.key.at, id: 'x' } }).length)
  assert.equal(codec.encode(secret), codec.encode(secret), 'the same cursor twice in a row is sealed once')
  codec.encode(c)
  // the IV is synthetic: sealed again, the same cursor is the same string, on any instance with the key
  assert.equal(codec.encode(secret), sealed, 'sealed again, alike')
  assert.equal(new PageCursorCodec(['cursor-key-at-least-16']).encode(secret), sealed, 'another instance seals alike')
  assert.notEqual(new PageCursorCodec(['another-key-of-16+']).encode(secret), sealed)
  const ivOf = (x: string) => Buffer.from(x.slice(3), 'base64url').subarray(0, 12).toString('hex')
  assert.notEqual(ivOf(codec.encode(c)), ivOf(sealed), 'distinct cursors, distinct IVs')
  // rotation: the previous key still opens what it sealed; another key opens nothing
  assert.deepEqual(new PageCursorCodec(['new-cursor-key-16+', 'cursor-key-at-least-16']).decode(sealed, 3), secret)
  assert.throws(() => new PageCursorCodec(['another-key-of-16+']).decode(sealed, 3), CursorError)
  // altered anywhere (IV, text, tag): refused
  const bytes = Buffer.from(sealed.slice(3), 'base64url')
  for (const at of [0, 20, bytes.length - 1]) {
    const bad = Buffer.from(bytes)
    bad[at] = (bad[at] as number) ^ 1
    assert.throws(() => codec.decode(`p2.${bad.toString('base64url')}`, 3), CursorError, `byte ${at}`)
  }
  for (const bad of [
    '',
    'p2.',
    'nope',
    'p2.!!!',
    `p2.${Buffer.alloc(28).toString('base64url')}`,
    // the readable cursors of earlier releases: a reader made them up as easily
    `p1.${Buffer.from(JSON.stringify([1, 'a', [0, 0, 0], 0])).toString('base64url')}`,
  ]) {
    assert.throws(() => codec.decode(bad, 3), CursorError, bad)
  }
})

interface Desk {
  h: Harness
  subscribe(o: {
    audience?: 'public' | 'newsroom'
    scope?: AudienceScope
    channels?: string[]
    filter?: Record<string, unknown>
  }): Promise<Message>
  page(admission: Admission, query: string): { items: (ArticleEvent & { embargoed?: boolean })[]; next: string | null }
  counts(
    admission: Admission,
    query: string,
    maxScan?: number,
  ): { from: string; categories: { category: string | null; count: number }[]; articles: { id: string }[]; truncated: boolean }
}

const publicAccess: Admission = { audience: 'public', expiresAt: null, reject: null }
const newsroom: Admission = { audience: 'newsroom', scope: unrestricted, expiresAt: null, reject: null }

/** Today's desk (breaking, embargoed, withheld, killed, Bengali) then a backfill of 200 stories from 2024. */
async function deskWithBackfill(snapshotSize = 50): Promise<Desk> {
  const h = new Harness({ partitions: 3, historySize: 100, limits: { snapshotSize } })
  const now = h.clock.now()
  h.append(event('CREATED', { id: 'today-breaking', version: 1, urgency: 1, category: 'home', updatedAt: now - 60_000 }, now))
  h.append(
    event(
      'CREATED',
      { id: 'today-embargoed', version: 1, category: 'business', embargoedUntil: now + HOUR, updatedAt: now - 120_000 },
      now,
    ),
  )
  h.append(event('CREATED', { id: 'today-withheld', version: 1, category: 'home', pubStatus: 'withheld', updatedAt: now - 180_000 }, now))
  h.append(event('CREATED', { id: 'today-bn', version: 1, category: 'international', language: 'bn', updatedAt: now - 240_000 }, now))
  h.append(event('CREATED', { id: 'today-killed', version: 1, category: 'home', updatedAt: now - 300_000 }, now))
  h.append(event('WITHDRAWN', { id: 'today-killed', version: 2, category: 'home', pubStatus: 'canceled', updatedAt: now - 30_000 }, now))
  h.append(event('CREATED', { id: 'yesterday', version: 1, category: 'world', updatedAt: now - DAY }, now))
  const y2024 = Date.parse('2024-08-17T05:46:00Z')
  for (let i = 0; i < 200; i++) {
    const at = y2024 - i * 3_600_000
    h.append(
      event(
        'CREATED',
        { id: `old-${String(i).padStart(3, '0')}`, version: 1, category: 'international', publishedAt: at, updatedAt: at },
        now,
      ),
    )
  }
  h.start()
  await h.settle()
  return {
    h,
    async subscribe(o) {
      const { conn, t } = h.connect(o.audience ?? 'public', o.scope ?? unrestricted)
      h.hub.handle(conn, {
        type: 'subscribe',
        id: 's',
        channels: parseChannels(o.channels ?? [], 's'),
        filter: parseFilter(o.filter ?? {}, 's'),
        since: null,
        catchUp: 'all',
      })
      await h.settle()
      return t.messages[0] as Message
    },
    page(admission, query) {
      const deps = h.routeDeps(snapshotSize)
      return JSON.parse(answerPage(new URL(`http://f/v1/snapshot?${query}`), admission, deps))
    },
    counts(admission, query, maxScan) {
      const deps = h.routeDeps(snapshotSize, maxScan)
      return JSON.parse(answerCounts(new URL(`http://f/v1/counts?${query}`), admission, deps))
    },
  }
}

const ids = (items: readonly { article: { id: string } }[]) => items.map((e) => e.article.id)

test('a backfill of 200 old stories does not bury today: snapshots put the newest editorial time first', async () => {
  const d = await deskWithBackfill()
  const desk = await d.subscribe({ audience: 'newsroom', channels: ['all'] })
  const items = desk.snapshot as (ArticleEvent & { embargoed?: boolean })[]
  assert.equal(items.length, 50)
  assert.deepEqual(ids(items).slice(0, 6), ['today-killed', 'today-breaking', 'today-embargoed', 'today-withheld', 'today-bn', 'yesterday'])
  assert.equal(items[2]?.embargoed, true)
  assert.deepEqual(ids(items).slice(6, 9), ['old-000', 'old-001', 'old-002'])
  assert.equal(typeof desk.more, 'string')
  // the public: no embargoed, withheld or killed story, the same order otherwise
  const reader = await d.subscribe({ channels: [], filter: {} })
  assert.deepEqual(ids(reader.snapshot as ArticleEvent[]).slice(0, 4), ['today-breaking', 'today-bn', 'yesterday', 'old-000'])
  d.h.hub.stop()
})

test('paging from subscribed.more reaches the end with every story once, in order, as the stream decides', async () => {
  const d = await deskWithBackfill(20)
  for (const [who, admission, channels] of [
    ['newsroom', newsroom, ['all']],
    ['public', publicAccess, []],
  ] as const) {
    const first = await d.subscribe({ audience: admission.audience, channels: [...channels], filter: {} })
    const seen = ids(first.snapshot as ArticleEvent[])
    let cursor = first.more as string | null
    let pages = 0
    while (cursor !== null) {
      const p = d.page(admission, `${channels.length ? `channels=${channels.join(',')}&` : ''}before=${cursor}&limit=37`)
      assert.ok(p.items.length <= 37)
      seen.push(...ids(p.items))
      cursor = p.next
      pages++
    }
    assert.equal(new Set(seen).size, seen.length, `${who}: a story twice`)
    const want = who === 'newsroom' ? 206 : 203
    assert.equal(seen.length, want, `${who}: ${seen.length} stories over ${pages} pages`)
    assert.equal(seen.at(-1), 'old-199')
  }
  d.h.hub.stop()
})

test('older pages leave out what changed after the snapshot: the stream brings it', async () => {
  const d = await deskWithBackfill(10)
  const first = await d.subscribe({ audience: 'newsroom', channels: ['all'] })
  const now = d.h.clock.now()
  // old-010 is corrected (same old time), old-020 killed, old-030 re-dated to today
  d.h.append(
    event(
      'UPDATED',
      { id: 'old-010', version: 2, category: 'international', updatedAt: Date.parse('2024-08-17T05:46:00Z') - 10 * HOUR },
      now,
    ),
  )
  d.h.append(event('WITHDRAWN', { id: 'old-020', version: 2, category: 'international', pubStatus: 'canceled', updatedAt: now }, now))
  d.h.append(event('UPDATED', { id: 'old-030', version: 2, category: 'international', updatedAt: now }, now))
  await d.h.settle()
  const p = d.page(newsroom, `channels=all&before=${first.more}&limit=100`)
  const got = ids(p.items)
  for (const id of ['old-010', 'old-020', 'old-030']) assert.ok(!got.includes(id), `${id} changed after the snapshot`)
  assert.ok(got.includes('old-009') && got.includes('old-011'))
  // a fresh first page has them, as they are now: the kill and the re-dated story on top
  const fresh = d.page(newsroom, 'channels=all&limit=3')
  assert.deepEqual(ids(fresh.items), ['old-020', 'old-030', 'today-killed'])
  assert.equal(fresh.items[0]?.type, 'WITHDRAWN')
  d.h.hub.stop()
})

test('the state filter: each state alone, in snapshots and pages; the public may ask for live only', async () => {
  const d = await deskWithBackfill(5)
  const only = async (state: string) => {
    const m = await d.subscribe({ audience: 'newsroom', channels: ['all'], filter: { states: [state] } })
    return ids(m.snapshot as ArticleEvent[])
  }
  assert.deepEqual(await only('embargoed'), ['today-embargoed'])
  assert.deepEqual(await only('withheld'), ['today-withheld'])
  assert.deepEqual(await only('withdrawn'), ['today-killed'])
  assert.deepEqual(await only('live'), ['today-breaking', 'today-bn', 'yesterday', 'old-000', 'old-001'])
  assert.deepEqual(ids(d.page(newsroom, 'states=embargoed,withheld').items), ['today-embargoed', 'today-withheld'])
  // time passes the embargo: it is live now, by the server's clock
  await d.h.tick(HOUR + 1)
  assert.deepEqual(await only('embargoed'), [])
  assert.equal(ids(d.page(newsroom, 'states=live&limit=2').items)[1], 'today-embargoed')
  // the public
  assert.throws(
    () => d.page(publicAccess, 'states=embargoed'),
    (e: unknown) => e instanceof RequestError && e.status === 400 && e.code === 'forbidden_filter',
  )
  assert.throws(
    () => d.page(publicAccess, 'channels=all'),
    (e: unknown) => e instanceof RequestError && e.status === 403,
  )
  assert.equal(d.page(publicAccess, 'states=live&limit=1').items[0]?.article.id, 'today-breaking')
  d.h.hub.stop()
})

test('pages follow the token scope and the channels, never the cursor', async () => {
  const d = await deskWithBackfill(3)
  const desk = await d.subscribe({ audience: 'newsroom', channels: ['all'] })
  // a cursor from the newsroom, used by the public: still the public's view
  const p = d.page(publicAccess, `before=${desk.more}&limit=200`)
  assert.ok(!ids(p.items).some((id) => id.startsWith('today-') && id !== 'today-bn'), JSON.stringify(ids(p.items)))
  // a desk token scoped to business sees only business, whatever it asks
  const business: Admission = {
    audience: 'newsroom',
    scope: { categories: ['business'], languages: null, embargo: true },
    expiresAt: null,
    reject: null,
  }
  assert.deepEqual(ids(d.page(business, 'channels=all&limit=50').items), ['today-embargoed'])
  const noEmbargo: Admission = {
    audience: 'newsroom',
    scope: { categories: null, languages: null, embargo: false },
    expiresAt: null,
    reject: null,
  }
  assert.ok(!ids(d.page(noEmbargo, 'channels=all&limit=50').items).includes('today-embargoed'))
  // a Bengali channel
  assert.deepEqual(ids(d.page(publicAccess, 'channels=lang:bn').items), ['today-bn'])
  for (const bad of ['before=junk', 'limit=0', 'limit=201', 'tickerFieldsOnly=true', 'channels=nope']) {
    assert.throws(
      () => d.page(publicAccess, bad),
      (e: unknown) => e instanceof RequestError && e.status === 400,
      bad,
    )
  }
  d.h.hub.stop()
})

test('counts per category over the last hour by editorial time: today only, kills left out, the public sees what it may', async () => {
  const d = await deskWithBackfill()
  const desk = d.counts(newsroom, 'channels=all')
  assert.deepEqual(desk.categories, [
    { category: 'home', label: null, count: 2 },
    { category: 'business', label: null, count: 1 },
    { category: 'international', label: null, count: 1 },
  ])
  assert.deepEqual(ids(desk.articles.map((a) => ({ article: a }))).sort(), [
    'today-bn',
    'today-breaking',
    'today-embargoed',
    'today-withheld',
  ])
  const reader = d.counts(publicAccess, '')
  assert.deepEqual(reader.categories, [
    { category: 'home', label: null, count: 1 },
    { category: 'international', label: null, count: 1 },
  ])
  assert.equal(d.counts(newsroom, 'channels=all&window=172800').categories.find((c) => c.category === 'world')?.count, 1)
  d.h.hub.stop()
})

// a public request must not walk a week of a wire desk on the loop that delivers kills (red6
// attack run): like a page, counts stop after MAX_SCAN stories looked at, and say where they start
test('counts look at no more stories than a page: past the bound the window starts later, and says so', async () => {
  const d = await deskWithBackfill()
  const now = d.h.clock.now()
  const all = d.counts(newsroom, 'channels=all&window=172800')
  assert.equal(all.truncated, false)
  assert.equal(all.from, new Date(now - 2 * DAY).toISOString())
  // three looked at: today-killed (its kill, -30 s), today-breaking (-1 min), today-embargoed (-2 min)
  const cut = d.counts(newsroom, 'channels=all&window=172800', 3)
  assert.equal(cut.truncated, true)
  // from: the oldest story counted, never the one not looked at (which may be hidden: rev33 review)
  assert.equal(cut.from, new Date(now - 120_000).toISOString(), 'from the oldest story counted (today-embargoed)')
  assert.deepEqual(cut.categories, [
    { category: 'business', label: null, count: 1 },
    { category: 'home', label: null, count: 1 },
  ])
  d.h.hub.stop()
})
