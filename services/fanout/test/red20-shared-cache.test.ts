// red20 attack run, 2026-12-06: a shared cache in front of the public endpoints (a CDN or reverse
// proxy, as a site owner deploys one), modelled by support/shared-cache.ts as RFC 9111 lets a cache
// behave, taking the bolder choice wherever the RFC gives one (heuristic freshness, validating with
// every stored entity tag of a URI, serving the stored answer a 304 names). Readers of every kind
// (public from no origin or one of two sites, public with a Basic Authorization, newsroom tokens in
// the header or the query, a desk-limited and an `embargo: false` token) ask pages, counts and a
// live story's entries through it, GET and HEAD, with and without their own If-None-Match, on
// query variants (a channel list repeated, percent-encoded, an unknown parameter), while stories
// are killed, held, put under embargo again, released, and entries posted and deleted (a live
// story held and running again). Each answer
// the cache gives is checked against what the fan-out answers the same request now, with nothing
// between: the same status and body (a 304 only for the tag the fan-out would give now), and the
// cache never keeps an answer made for a newsroom token. Held: public answers are `public,
// no-cache` with an ETag over the body (revalidated every time, so a kill is never served from a
// cache), newsroom answers `private, no-store`, errors `no-store`.
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { test } from 'node:test'
import type { Article } from '@newswire/shared'
import { SignJWT } from 'jose'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { serveRoutes } from './support/serve-routes.ts'
import { Story } from './support/live-story.ts'
import { type Answer, ask, SharedCache } from './support/shared-cache.ts'

const SECRET = 'red20-cache-secret-000000000000001'
const SITES = ['https://a.example', 'https://b.example']

const token = (claims: Record<string, unknown>) =>
  new SignJWT({ scope: 'newsroom', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('editor')
    .setAudience('newswire')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET))

/** A seeded PRNG (mulberry32): a failing run is replayed by its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

async function routes(t: TestContext, h: Harness): Promise<string> {
  return (await serveRoutes(t, h, { allowedOrigins: SITES, jwtSecret: SECRET })).url
}

const paths = [
  '/v1/snapshot?channels=breaking&limit=3',
  '/v1/snapshot?channels=breaking&limit=50',
  '/v1/snapshot?limit=4',
  '/v1/snapshot?channels=breaking&channels=category:sport',
  '/v1/snapshot?channels=breaking%2Ccategory%3Asport&limit=5',
  '/v1/snapshot?channels=article:p1,article:w0',
  '/v1/snapshot?Channels=all&limit=5',
  '/v1/counts?window=86400',
  '/v1/counts?categories=sport',
  '/v1/stories/Live-1/entries?limit=2',
  '/v1/stories/Live-1/entries?limit=100',
  '/v1/stories/Live-1/entries?before=4&limit=2',
  '/v1/stories/Held-2/entries',
]

/** Counts carry their window (`from`, `to`), which a revalidated answer keeps from when it was stored. */
const comparable = (uri: string, body: string) =>
  uri.startsWith('/v1/counts') && body.startsWith('{"from"') ? body.replace(/^\{"from":"[^"]*","to":"[^"]*",/, '{') : body

async function run(t: TestContext, seed: number, steps: number) {
  const rnd = prng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T
  const h = new Harness({ partitions: 1, start: Date.now() })
  h.start()
  t.after(() => h.hub.stop())
  const now = h.clock.now()
  const latest = new Map<string, Article>()
  const write = (type: 'CREATED' | 'UPDATED' | 'WITHDRAWN', a: Partial<Article> & { id: string; version: number }) => {
    const e = event(type, a, h.clock.now())
    latest.set(e.article.id, e.article)
    h.append(e, 0)
  }
  for (let i = 0; i < 6; i++) write('CREATED', { id: `p${i}`, version: 1, urgency: 1 + (i % 3), category: i % 2 ? 'sport' : 'news' })
  write('CREATED', { id: 'e0', version: 1, urgency: 1, embargoedUntil: now + 20 * 60_000, headline: 'EMBARGOED' })
  write('CREATED', { id: 'w0', version: 1, urgency: 1, pubStatus: 'withheld', headline: 'WITHHELD' })
  const live = new Story(h, 'Live-1', { urgency: 1 })
  for (let i = 1; i <= 6; i++) live.post(`x${i}`, i === 5 ? { embargoedUntil: now + 15 * 60_000 } : {})
  const held = new Story(h, 'Held-2', { pubStatus: 'withheld' })
  held.post('h1')
  await h.settle()

  const base = await routes(t, h)
  const cache = new SharedCache(base, () => h.clock.now())
  const [full, desk, released] = await Promise.all([token({}), token({ desks: ['sport'] }), token({ embargo: false })])
  const readers: { name: string; headers: Record<string, string>; query?: string; newsroom: boolean }[] = [
    { name: 'public', headers: {}, newsroom: false },
    { name: 'public from site a', headers: { origin: SITES[0] as string }, newsroom: false },
    { name: 'public from site b', headers: { origin: SITES[1] as string }, newsroom: false },
    { name: 'public with Basic', headers: { authorization: 'Basic Zm9vOmJhcg==' }, newsroom: false },
    { name: 'newsroom', headers: { authorization: `Bearer ${full}` }, newsroom: true },
    { name: 'newsroom in the query', headers: { origin: SITES[0] as string }, query: full, newsroom: true },
    { name: 'sport desk', headers: { authorization: `Bearer ${desk}` }, newsroom: true },
    { name: 'released clearance', headers: {}, query: released, newsroom: true },
  ]
  /** What each reader last got per URI (its own browser cache): the tag and the body. */
  const seen = new Map<string, { etag: string; body: string }>()
  let entrySeq = 6
  const log: string[] = []

  for (let step = 0; step < steps; step++) {
    if (rnd() < 0.25) {
      const ids = [...latest.keys()].filter((id) => id.startsWith('p'))
      const a = latest.get(pick(ids)) as Article
      const change = pick(['kill', 'hold', 'embargo', 'release', 'new', 'post', 'delete', 'hold live', 'run live'] as const)
      log.push(`${step}: ${change} ${a.id}`)
      if (change === 'kill') write('WITHDRAWN', { ...a, version: a.version + 1, pubStatus: 'canceled' })
      else if (change === 'hold') write('UPDATED', { ...a, version: a.version + 1, pubStatus: 'withheld' })
      else if (change === 'embargo')
        write('UPDATED', { ...a, version: a.version + 1, pubStatus: 'usable', embargoedUntil: h.clock.now() + 10 * 60_000 })
      else if (change === 'release') await h.tick(11 * 60_000)
      else if (change === 'new') write('CREATED', { id: `p${latest.size}`, version: 1, urgency: 1, category: pick(['news', 'sport']) })
      else if (change === 'post') live.post(`x${++entrySeq}`)
      else if (change === 'hold live') live.update({ pubStatus: 'withheld' })
      else if (change === 'run live') live.update({ pubStatus: 'usable' })
      else live.edit(`x${1 + Math.floor(rnd() * entrySeq)}`, {}, { delete: 'legal' })
      await h.settle()
      continue
    }
    const reader = pick(readers)
    const path = pick(paths)
    const uri = reader.query === undefined ? path : `${path}${path.includes('?') ? '&' : '?'}token=${reader.query}`
    const method = rnd() < 0.1 ? 'HEAD' : 'GET'
    const mine = seen.get(`${reader.name} ${uri}`)
    const req = { ...reader.headers, ...(mine && rnd() < 0.4 ? { 'if-none-match': mine.etag } : {}) }
    const got = await cache.fetch(uri, req, method)
    const fresh: Answer = await ask(base, uri, reader.headers, method)
    const what = `seed ${seed} step ${step}: ${reader.name} ${method} ${path} (${got.fromCache ? 'from the cache' : 'forwarded'})\n${log.slice(-6).join('\n')}`
    if (got.status === 304) {
      assert.equal(req['if-none-match'], fresh.headers.etag, `a 304 for a tag the fan-out would not give now: ${what}`)
    } else {
      assert.equal(got.status, fresh.status, what)
      assert.equal(comparable(uri, got.body), comparable(uri, fresh.body), `the cache's answer is not the fan-out's now: ${what}`)
      // (a reader without an Origin may get another site's grant: a stored answer's headers the 304
      // for it did not replace, §4.3.4; no browser reads it across origins)
      const grant = fresh.headers['access-control-allow-origin']
      if (grant !== undefined) assert.equal(got.headers['access-control-allow-origin'], grant, `CORS: ${what}`)
      if (got.status === 200 && method === 'GET' && got.headers.etag)
        seen.set(`${reader.name} ${uri}`, { etag: got.headers.etag, body: got.body })
    }
    for (const s of cache.stored)
      assert.ok(
        !s.uri.includes('token=') && !(s.req.authorization ?? '').startsWith('Bearer '),
        `the cache keeps an answer made for a newsroom token (${s.uri}): ${what}`,
      )
  }
  return { hits: cache.hits, stored: cache.stored.length }
}

test('through an RFC 9111 shared cache, every reader gets what the fan-out answers now, and no newsroom answer is kept', async (t) => {
  for (const seed of [1, 2, 3, 20]) {
    const { hits, stored } = await run(t, seed, 250)
    // the run exercised the cache: answers kept and served again after revalidation
    assert.ok(hits > 10 && stored > 5, `seed ${seed}: ${hits} answers from the cache, ${stored} kept`)
  }
})
