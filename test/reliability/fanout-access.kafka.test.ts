// Issue #7, access: (a) a property test of the pure visibility logic over thousands of random
// article histories; (b) the same promise at the socket level, a seeded random sequence of a few
// hundred posts through ingest watched by a public and a newsroom client; (c) bad newsroom
// tokens refused (WebSocket 4401, SSE 401); (d) ingest keys without the needed scope → 403.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import type { PubStatus } from '@newswire/shared'
import fc from 'fast-check'
import { SignJWT } from 'jose'
import { WebSocket } from 'ws'
import { checkAccess, parseClientMessage, ProtocolError } from '../../services/fanout/src/protocol.ts'
import { signNewsroomToken } from '../../services/fanout/src/token.ts'
import { connect, openSse, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { http, sleep, startTestIngest, uniquePrefix } from '../helpers.ts'
import { ms } from './support.ts'

const SECRET = 'dev-newsroom-secret'

// ---------------------------------------------------------------- (a) channel access, pure logic
// (The visibility promise itself is proven by the model-based test of the hub:
// services/fanout/test/confidentiality.test.ts.)

test('access (a): a public subscription can never use the newsroom-only channel', () => {
  // A public subscription can never use the newsroom-only channel, whatever else it asks for
  fc.assert(
    fc.property(fc.subarray(['breaking', 'category:sport', 'lang:en', 'all']), (channels) => {
      const msg = parseClientMessage(JSON.stringify({ type: 'subscribe', id: 's', channels: [...channels, 'all'] }))
      assert.throws(
        () => (msg.type === 'subscribe' ? checkAccess(msg, 'public') : undefined),
        (err: unknown) => err instanceof ProtocolError && err.code === 'forbidden_channel',
      )
      if (msg.type === 'subscribe') checkAccess(msg, 'newsroom')
    }),
    { numRuns: 100 },
  )
})

// ---------------------------------------------------------------- (b) the same at the socket level

/** mulberry32: a small seeded PRNG, so a failing sequence can be replayed with ACCESS_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

interface Posted {
  id: string
  version: number
  eventId: string
  kind: 'post' | 'withdraw'
  pubStatus: PubStatus
  embargoedUntil: number | null
  at: number
}

type StreamMsg = {
  type: string
  id?: string
  event?: { eventId: string; article: { id: string; version: number; pubStatus: string; embargoedUntil: string | null; category?: string } }
  articleId?: string
  cause?: string
  embargoed?: boolean
  released?: boolean
}

/** Where the public subscription 'everything' does not end as a simple reading of the rules says it must, now. */
function publicMismatch(posted: Posted[], pubMsgs: StreamMsg[]): { wrong: string[]; checked: number } {
  const expected = new Map<string, number | null>()
  const hist = new Map<string, Posted[]>()
  for (const p of posted) hist.set(p.id, [...(hist.get(p.id) ?? []), p])
  for (const [id, ps] of hist) {
    const last = ps[ps.length - 1] as Posted
    const visible = (p: Posted) =>
      p.kind === 'post' && p.pubStatus === 'usable' && (p.embargoedUntil === null || p.embargoedUntil <= Date.now())
    // the latest version or nothing: an embargo (even on an update) hides the story until it passes
    expected.set(id, visible(last) ? last.version : null)
  }
  const shown = new Map<string, number | null>()
  for (const m of pubMsgs) {
    if (m.id !== 'everything') continue
    if (m.type === 'event' && m.event) shown.set(m.event.article.id, m.event.article.version)
    if (m.type === 'withdrawn' && m.articleId) shown.set(m.articleId, null)
  }
  const wrong = [...expected]
    .filter(([id, v]) => (shown.get(id) ?? null) !== v)
    .map(([id, v]) => `${id}: expected ${v}, shown ${shown.get(id)}`)
  return { wrong, checked: expected.size }
}

test('access (b): a seeded random sequence through ingest; the public socket never sees hidden content', async (t) => {
  const seed = Number(process.env.ACCESS_SEED ?? 20261126)
  const rand = prng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const token = await signNewsroomToken(SECRET, { ttlSeconds: 600 })
  const pub = await connect(t, fanout.wsUrl)
  const nr = await connect(t, fanout.wsUrl, { token })
  const pubAt = new Map<number, number>()
  pub.ws.on('message', () => pubAt.set(pub.messages.length - 1, Date.now()))
  const nrAt = new Map<number, number>()
  nr.ws.on('message', () => nrAt.set(nr.messages.length - 1, Date.now()))
  // The same over SSE: a public stream, and a newsroom token held to embargoes and one desk
  const restricted = await signNewsroomToken(SECRET, { ttlSeconds: 600, embargo: false, desks: ['politics'] })
  const pubSse = await openSse(t, `${fanout.url}/v1/sse?maxUrgency=9`)
  const deskSse = await openSse(t, `${fanout.url}/v1/sse?channels=all&token=${restricted}`)
  pub.send({ type: 'subscribe', id: 'everything', filter: { maxUrgency: 9 } })
  pub.send({ type: 'subscribe', id: 'breaking', channels: ['breaking'] })
  nr.send({ type: 'subscribe', id: 'all', channels: ['all'] })
  await pub.until((all) => all.filter((m) => m.type === 'subscribed').length === 2)
  await nr.next((m) => m.type === 'subscribed')
  for (const s of [pubSse, deskSse]) await s.until((all) => all.some((e) => e.event === 'subscribed'))

  const posted: Posted[] = []
  const versions = new Map<string, number>()
  const withdrawn = new Set<string>()
  const t0 = Date.now()
  const OPS = 320
  for (let i = 0; i < OPS; i++) {
    const id = `acc-${Math.floor(rand() * 120)}`
    if (withdrawn.has(id)) continue
    const r = rand()
    if (versions.has(id) && r < 0.12) {
      const res = await http(`${ingest.url}/v1/articles/${id}/withdraw`, { method: 'POST', json: { reason: 'legal' } })
      assert.equal(res.status, 200, res.text)
      const b = res.body as { eventId: string; version: number }
      posted.push({
        id,
        version: b.version,
        eventId: b.eventId,
        kind: 'withdraw',
        pubStatus: 'canceled',
        embargoedUntil: null,
        at: Date.now(),
      })
      withdrawn.add(id)
      continue
    }
    // A kill goes through withdraw (above): ingest refuses pubStatus canceled in a POST
    const pubStatus = pick<PubStatus>(['usable', 'usable', 'usable', 'usable', 'usable', 'withheld', 'withheld'])
    const e = rand()
    // none, past, soon (released during the test), far future
    const embargoedUntil =
      e < 0.6 ? null : e < 0.75 ? Date.now() - 60_000 : e < 0.9 ? Date.now() + 1500 + Math.floor(rand() * 2000) : Date.now() + 3_600_000
    const body = {
      id,
      language: pick(['en', 'bn']),
      headline: `Story ${id} take ${i}`,
      body: ['Text.'],
      category: pick(['politics', 'sport', 'tech']),
      urgency: 1 + Math.floor(rand() * 9),
      pubStatus,
      // Explicit either way: an update that leaves the embargo out keeps the current one
      embargoedUntil: embargoedUntil === null ? null : new Date(embargoedUntil).toISOString(),
    }
    const res = await http(`${ingest.url}/v1/articles`, { method: 'POST', json: body })
    assert.ok(res.status === 201 || res.status === 200, res.text)
    const b = res.body as { eventId?: string; version: number }
    assert.ok(b.eventId, `a new version each time: ${res.text}`)
    versions.set(id, b.version)
    posted.push({ id, version: b.version, eventId: b.eventId, kind: 'post', pubStatus, embargoedUntil, at: Date.now() })
  }
  const postedMs = Date.now() - t0
  // The newsroom gets every event exactly once; then wait past the last short embargo
  const nrEvents = (all: StreamMsg[]) => all.filter((m) => m.type === 'event' || m.type === 'withdrawn')
  await nr.until((all) => nrEvents(all as StreamMsg[]).length >= posted.length, 20_000)
  const lastSoon = Math.max(
    0,
    ...posted.map((p) => (p.embargoedUntil !== null && p.embargoedUntil < Date.now() + 600_000 ? p.embargoedUntil : 0)),
  )
  // Short embargoes pass on the clock; then wait for their releases to reach the public client
  await sleep(Math.max(0, lastSoon - Date.now()))
  await pub.until((all) => publicMismatch(posted, all as StreamMsg[]).wrong.length === 0, 10_000).catch(() => undefined)

  const nrMsgs = nr.messages as StreamMsg[]
  const nrIds = nrMsgs.filter((m) => m.type === 'event' && !m.released).map((m) => m.event?.eventId)
  const postIds = posted.filter((p) => p.kind === 'post').map((p) => p.eventId)
  assert.deepEqual([...nrIds].sort(), [...postIds].sort(), 'newsroom: every version exactly once')
  // and each version it got flagged embargoed, once more when the embargo passes (if still the latest)
  const nrReleased = nrMsgs.filter((m) => m.type === 'event' && m.released).map((m) => m.event?.eventId)
  assert.equal(new Set(nrReleased).size, nrReleased.length, 'newsroom: each release once')
  for (const id of nrReleased) {
    const flagged = nrMsgs.find((m) => m.type === 'event' && !m.released && m.event?.eventId === id)
    assert.equal(flagged?.embargoed, true, `newsroom: released ${id} had come flagged embargoed`)
  }
  assert.equal(
    nrMsgs.filter((m) => m.type === 'withdrawn').length,
    posted.filter((p) => p.kind === 'withdraw').length,
    'newsroom: every withdrawal',
  )
  const byEventId = new Map(posted.map((p) => [p.eventId, p]))
  for (const [i, m] of nrMsgs.entries()) {
    if (m.type !== 'event' || !m.event || m.released) continue
    const p = byEventId.get(m.event.eventId) as Posted
    // flagged while its embargo is ahead of the server's clock (the server's ledger ticks with its passes)
    const receivedAt = nrAt.get(i) ?? 0
    // (a killed story is killed, whatever its embargo said)
    if (p.embargoedUntil !== null && p.embargoedUntil > receivedAt + 5 && p.pubStatus !== 'canceled')
      assert.equal(m.embargoed, true, `newsroom: ${p.id} v${p.version} flagged embargoed`)
    if (p.embargoedUntil === null || p.embargoedUntil < p.at - 5)
      assert.equal(m.embargoed, undefined, `newsroom: ${p.id} v${p.version} not flagged`)
  }

  // Public: safety on every message
  const pubMsgs = pub.messages as StreamMsg[]
  const has = new Map<string, boolean>() // per subscription:article → currently shown
  const ever = new Set<string>() // per subscription:article → shown at some point
  let releases = 0
  for (const [i, m] of pubMsgs.entries()) {
    if (m.type === 'event' && m.event) {
      const a = m.event.article
      const receivedAt = pubAt.get(i) ?? 0
      assert.equal(a.pubStatus, 'usable', `public got ${a.id} v${a.version} ${a.pubStatus}`)
      if (a.embargoedUntil !== null)
        assert.ok(Date.parse(a.embargoedUntil) <= receivedAt + 5, `public got ${a.id} v${a.version} before its embargo`)
      if (m.released) releases++
      has.set(`${m.id}:${a.id}`, true)
      ever.add(`${m.id}:${a.id}`)
    } else if (m.type === 'withdrawn') {
      const key = `${m.id}:${m.articleId}`
      // a kill reaches whoever saw the story, even after it was held back; other retractions only what is shown
      const kill = m.cause === 'withdrawn' || m.cause === 'canceled'
      assert.ok(kill ? ever.has(key) : has.get(key) === true, `public told to withdraw ${m.articleId} it never had (${m.id}, ${m.cause})`)
      has.set(key, false)
    }
  }
  // Public: completeness
  const { wrong, checked } = publicMismatch(posted, pubMsgs)
  assert.deepEqual(wrong, [], 'public: every article ends as the rules say')

  // SSE, public: the same safety on every frame, and the same end state
  const sseMsgs = pubSse.events.map((e) => ({ ...e.data, type: e.event, id: 'everything' }) as StreamMsg)
  for (const [i, m] of sseMsgs.entries()) {
    if (m.type !== 'event' || !m.event) continue
    const a = m.event.article
    assert.equal(a.pubStatus, 'usable', `public SSE got ${a.id} v${a.version} ${a.pubStatus}`)
    if (a.embargoedUntil !== null)
      assert.ok(Date.parse(a.embargoedUntil) <= (pubSse.events[i]?.at ?? 0) + 5, `public SSE got ${a.id} v${a.version} before its embargo`)
  }
  assert.deepEqual(publicMismatch(posted, sseMsgs).wrong, [], 'public SSE: every article ends as the rules say')
  // SSE, a newsroom token held to embargoes and the politics desk: never outside the desk, never under embargo
  for (const e of deskSse.events) {
    if (e.event !== 'event' || !e.data.event) continue
    const a = (e.data as unknown as StreamMsg).event?.article as {
      id: string
      version: number
      embargoedUntil: string | null
      category?: string
      pubStatus: string
    }
    const p = byEventId.get(e.data.event.eventId) as Posted
    assert.equal(a.category, 'politics', `desk SSE got ${a.id} from ${a.category}`)
    assert.ok(e.data.embargoed !== true, 'no embargo flag for a token held to embargoes')
    if (p.embargoedUntil !== null && p.pubStatus !== 'canceled')
      assert.ok(p.embargoedUntil <= e.at + 5, `desk SSE got ${a.id} before its embargo`)
  }

  const figures = {
    seed,
    posts: posted.length,
    withdrawals: posted.filter((p) => p.kind === 'withdraw').length,
    'posted in': ms(postedMs),
    'public messages': pubMsgs.length,
    'public releases (embargo passed)': releases,
    'articles checked at the end': checked,
    'public SSE frames': pubSse.events.length,
    'desk SSE frames': deskSse.events.length,
  }
  t.diagnostic(`figures ${JSON.stringify(figures)}`)
  assert.ok(releases > 0, 'some embargoes were released during the test')
})

// ---------------------------------------------------------------- (c) newsroom tokens, (d) ingest scopes

test('access (c): bad newsroom tokens get 4401 on WebSocket and 401 on SSE, with the reason', async (t) => {
  const prefix = uniquePrefix()
  const fanout = await startTestFanout(t, prefix)
  const now = Math.floor(Date.now() / 1000)
  const sign = (claims: Record<string, unknown>, secret = SECRET) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret))
  const cases: [string, string, string][] = [
    ['expired', await sign({ scope: 'newsroom', aud: 'newswire', exp: now - 60 }), 'token expired'],
    ['wrongly signed', await signNewsroomToken('another-secret-of-16+chars', { ttlSeconds: 600 }), 'token signature is invalid'],
    ['no newsroom scope', await signNewsroomToken(SECRET, { ttlSeconds: 600, scope: 'reader' }), 'token lacks the newsroom scope'],
    ['other audience', await signNewsroomToken(SECRET, { ttlSeconds: 600, audience: 'other-app' }), "token claim 'aud' is invalid"],
    ['no exp', await sign({ scope: 'newsroom', aud: 'newswire' }), "token claim 'exp' is invalid"],
    [
      'alg none',
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ scope: 'newsroom', aud: 'newswire', exp: now + 600 })).toString('base64url')}.`,
      'token is malformed',
    ],
    ['garbage', 'not.a.token', 'token is malformed'],
  ]
  for (const [name, token, reason] of cases) {
    const c = await connect(t, fanout.wsUrl, { token })
    assert.deepEqual(await c.closed, { code: 4401, reason }, `WebSocket, ${name}`)
    const sse = await fetch(`${fanout.url}/v1/sse?channels=all&token=${encodeURIComponent(token)}`)
    assert.equal(sse.status, 401, `SSE, ${name}`)
    assert.equal(sse.headers.get('content-type'), 'application/problem+json', `SSE type, ${name}`)
    const problem = (await sse.json()) as { code: string; detail: string; status: number }
    assert.deepEqual([problem.code, problem.detail, problem.status], ['unauthorized', reason, 401], `SSE body, ${name}`)
    // Authorization header, the other way to present a token
    const ws = new WebSocket(fanout.wsUrl, { headers: { authorization: `Bearer ${token}` } })
    ws.on('error', () => undefined)
    const [code, why] = (await once(ws, 'close')) as [number, Buffer]
    assert.deepEqual([code, why.toString()], [4401, reason], `Authorization header, ${name}`)
  }
  // A good token works on both, and a public client cannot ask for `all`
  const good = await connect(t, fanout.wsUrl, { token: await signNewsroomToken(SECRET, { ttlSeconds: 600 }) })
  good.send({ type: 'subscribe', id: 'a', channels: ['all'] })
  assert.equal((await good.next((m) => m.type === 'subscribed' || m.type === 'error')).type, 'subscribed')
  const anon = await connect(t, fanout.wsUrl)
  anon.send({ type: 'subscribe', id: 'a', channels: ['all'] })
  assert.deepEqual(await anon.next((m) => m.type === 'error'), {
    type: 'error',
    code: 'forbidden_channel',
    message: "channel 'all' needs a newsroom token",
    ref: 'a',
  })
  const anonSse = await fetch(`${fanout.url}/v1/sse?channels=all`)
  assert.equal(anonSse.status, 403)
  await anonSse.body?.cancel()
})

test('access (d): ingest keys without the needed scope get 403 problem+json', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix, {
    INGEST_API_KEYS: 'all:all-key-0123456789:*,reader:read-key-0123456789:read,writer:write-key-0123456789:write',
  })
  const art = { id: 'scoped-1', language: 'en', headline: 'Scoped', body: ['x'] }
  const cases: [string, string, string, unknown, string][] = [
    ['read key posting', 'read-key-0123456789', '/v1/articles', art, 'write'],
    ['read key withdrawing', 'read-key-0123456789', '/v1/articles/scoped-1/withdraw', { reason: 'x' }, 'withdraw'],
    ['write key withdrawing', 'write-key-0123456789', '/v1/articles/scoped-1/withdraw', { reason: 'x' }, 'withdraw'],
  ]
  for (const [name, key, path, json, scope] of cases) {
    const r = await http(`${ingest.url}${path}`, { method: 'POST', json, key })
    assert.equal(r.status, 403, `${name}: ${r.text}`)
    assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/, name)
    const body = r.body as { code?: string; requiredScope?: string; status?: number }
    assert.equal(body.code, 'forbidden', name)
    assert.equal(body.requiredScope, scope, name)
    assert.equal(body.status, 403, name)
  }
  const ok = await http(`${ingest.url}/v1/articles`, { method: 'POST', json: art, key: 'write-key-0123456789' })
  assert.equal(ok.status, 201, ok.text)
  const unknown = await http(`${ingest.url}/v1/articles`, { method: 'POST', json: art, key: 'no-such-key-0123456789' })
  assert.equal(unknown.status, 401)
})
