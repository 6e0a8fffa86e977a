// GET /v1/snapshot and GET /v1/counts over real HTTP against Kafka-fed fan-out: older pages from
// `subscribed.more` (WebSocket) and from SSE's `subscribed`, public and newsroom, the token's scope
// held whatever the query or the cursor says, the state filter, caching (public: no-cache + ETag
// and 304; newsroom: private, no-store), CORS, and problems (bad cursor 400, states for the public
// 400, `all` for the public 403, bad token 401).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { http, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { signNewsroomToken } from '../src/index.ts'
import { article, connect, publish, publishBatch, startTestFanout } from './helpers.ts'

type Page = { items: ({ article: { id: string; category: string } } & { embargoed?: boolean })[]; next: string | null }
const ids = (p: Page) => p.items.map((e) => e.article.id)

test('older pages and counts over HTTP: the stream rules, public and newsroom, scope, caching, problems', {
  timeout: 90_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix, { FANOUT_SNAPSHOT_SIZE: '10', FANOUT_ALLOWED_ORIGINS: 'https://site.example' })
  const newsroom = await signNewsroomToken(DEV_NEWSROOM_SECRET)
  const businessDesk = await signNewsroomToken(DEV_NEWSROOM_SECRET, { desks: ['business'] })

  await publish(
    ingest.url,
    article('today-embargoed', { category: 'business', embargoedUntil: new Date(Date.now() + 3_600_000).toISOString() }),
  )
  await publish(ingest.url, article('today-withheld', { category: 'business', pubStatus: 'withheld' }))
  await publish(ingest.url, article('today-live', { category: 'national', urgency: 1 }))
  const old = Array.from({ length: 30 }, (_, i) =>
    article(`old-${String(i).padStart(2, '0')}`, {
      category: i % 3 === 0 ? 'business' : 'international',
      publishedAt: new Date(Date.parse('2024-03-01T00:00:00Z') + i * 3_600_000).toISOString(),
      updatedAt: new Date(Date.parse('2024-03-01T00:00:00Z') + i * 3_600_000).toISOString(),
    }),
  )
  await publishBatch(ingest.url, old)

  const page = async (query: string, token?: string, headers: Record<string, string> = {}) => {
    const res = await http(`${fanout.url}/v1/snapshot?${query}`, { key: token ?? null, headers })
    return { ...res, page: res.body as Page }
  }
  // the fan-out has read everything
  for (let i = 0; (await page('channels=all&limit=200', newsroom)).page.items.length < 33; i++) {
    if (i > 100) assert.fail('the fan-out did not read the 33 stories')
    await new Promise((r) => setTimeout(r, 100))
  }

  // The newsroom: the WebSocket snapshot, then pages from its cursor to the end
  const desk = await connect(t, fanout.wsUrl, { token: newsroom })
  desk.send({ type: 'subscribe', id: 'd', channels: ['all'] })
  const sub = await desk.next((m) => m.type === 'subscribed')
  const snap = (sub.snapshot as { article: { id: string } }[]).map((e) => e.article.id)
  assert.deepEqual(snap.slice(0, 3), ['today-live', 'today-withheld', 'today-embargoed'])
  assert.equal(snap[3], 'old-29')
  const seen = [...snap]
  let cursor = sub.more as string | null
  let n = 0
  while (cursor !== null) {
    const r = await page(`channels=all&limit=7&before=${encodeURIComponent(cursor)}`, newsroom)
    assert.equal(r.status, 200, r.text)
    assert.equal(r.headers.get('cache-control'), 'private, no-store')
    assert.equal(r.headers.get('etag'), null)
    seen.push(...ids(r.page))
    cursor = r.page.next
    n++
  }
  assert.equal(seen.length, 33, `${n} pages`)
  assert.equal(new Set(seen).size, 33)
  assert.equal(seen.at(-1), 'old-00')

  // The public, over SSE then HTTP: live stories only, the same order; cached with revalidation
  const ac = new AbortController()
  t.after(() => ac.abort())
  const sse = await fetch(`${fanout.url}/v1/sse?channels=breaking,category:business,category:international`, { signal: ac.signal })
  const reader = (sse.body as ReadableStream<Uint8Array>).getReader()
  let text = ''
  while (!text.includes('event: subscribed')) text += new TextDecoder().decode((await reader.read()).value)
  const data = JSON.parse((/event: subscribed\ndata: (.*)\n/.exec(text) as RegExpExecArray)[1] as string) as {
    snapshot: { article: { id: string } }[]
    more: string
  }
  assert.deepEqual(data.snapshot.map((e) => e.article.id).slice(0, 2), ['today-live', 'old-29'])
  const q = `channels=breaking,category:business,category:international&before=${encodeURIComponent(data.more)}&limit=100`
  const pub = await page(q)
  assert.equal(pub.status, 200)
  assert.equal(pub.page.items.length, 21, '31 public stories, 10 in the snapshot')
  assert.ok(!ids(pub.page).some((id) => id.startsWith('today-')))
  assert.equal(pub.page.next, null)
  assert.equal(pub.headers.get('cache-control'), 'public, no-cache')
  const etag = pub.headers.get('etag') as string
  assert.match(etag, /^"[\w-]+"$/)
  assert.match(pub.headers.get('vary') ?? '', /Authorization/)
  const again = await page(q, undefined, { 'if-none-match': etag })
  assert.equal(again.status, 304)
  // a newsroom cursor in public hands: still the public's view
  const leak = await page(`before=${encodeURIComponent(sub.more as string)}&limit=200`)
  assert.equal(leak.status, 200)
  assert.ok(!ids(leak.page).some((id) => id === 'today-embargoed' || id === 'today-withheld'))

  // Scope: a business desk token sees business only, whatever it asks
  const biz = await page('channels=all&limit=200', businessDesk)
  assert.ok(
    biz.page.items.every((e) => e.article.category === 'business'),
    JSON.stringify(ids(biz.page)),
  )
  assert.deepEqual(ids(biz.page).slice(0, 2), ['today-withheld', 'today-embargoed'])
  assert.equal(biz.page.items[1]?.embargoed, true)
  assert.deepEqual(ids((await page('categories=international', businessDesk)).page), [])

  // The state filter
  assert.deepEqual(ids((await page('channels=all&states=embargoed,withheld', newsroom)).page), ['today-withheld', 'today-embargoed'])
  assert.deepEqual(ids((await page('states=live&limit=2', newsroom)).page), ['today-live', 'old-29'])

  // Counts: the last hour per category, the desk's and the public's (the 2024 backfill is not in it)
  type Counts = { categories: unknown[]; articles: { id: string }[]; from: string; to: string; truncated: boolean }
  const counts = async (query: string, token?: string) =>
    (await http(`${fanout.url}/v1/counts?${query}`, { key: token ?? null })).body as Counts
  const deskCounts = await counts('channels=all', newsroom)
  assert.deepEqual(deskCounts.categories, [
    { category: 'business', label: null, count: 2 },
    { category: 'national', label: null, count: 1 },
  ])
  assert.deepEqual(deskCounts.articles.map((a) => a.id).sort(), ['today-embargoed', 'today-live', 'today-withheld'])
  assert.equal(Date.parse(deskCounts.to) - Date.parse(deskCounts.from), 3_600_000)
  assert.deepEqual((await counts('')).categories, [{ category: 'national', label: null, count: 1 }])

  // CORS for an allowed origin, with the Authorization header
  const pre = await fetch(`${fanout.url}/v1/snapshot`, {
    method: 'OPTIONS',
    headers: { origin: 'https://site.example', 'access-control-request-headers': 'authorization' },
  })
  assert.equal(pre.status, 204)
  assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization/)

  // Problems
  const problem = async (query: string, status: number, code: string, token?: string) => {
    const r = await http(`${fanout.url}/v1/snapshot?${query}`, { key: token ?? null })
    assert.equal(r.status, status, `${query}: ${r.text}`)
    assert.equal(r.headers.get('content-type'), 'application/problem+json')
    assert.equal((r.body as { code: string }).code, code)
    return (r.body as { detail: string }).detail
  }
  assert.match(await problem('channels=all&before=not-a-cursor', 400, 'invalid_cursor', newsroom), /not one this server gave/)
  assert.match(await problem('states=embargoed', 400, 'forbidden_filter'), /needs a newsroom token/)
  await problem('channels=all', 403, 'forbidden_channel')
  await problem('limit=500', 400, 'bad_message')
  await problem('channels=all', 401, 'unauthorized', 'not.a.token')
})
