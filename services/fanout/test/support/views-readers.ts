// The kinds of reader of red25b-views-shed-model.test.ts beyond a public WebSocket (red27a,
// 2026-12-07): SSE readers, which resume by the last `id:` line their EventSource read
// (Last-Event-ID), not by a message's `position`; newsroom readers, with a full token, one limited
// to desks or languages, or one without embargo rights, asking also for the newsroom's own states
// (README "Who sees what": the claims hold under every channel, filter and path: stream, replay,
// snapshot, page, counts; a withdrawn names only a story once within them); readers signing in
// with another token mid-run (paging with it before their stream is back); and what the README
// lets such a reader show in the end. Written apart from audience.ts and channels.ts.
import assert from 'node:assert/strict'
import type { Article, ArticleEvent } from '@newswire/shared'
import fc from 'fast-check'
import { type AudienceScope, scopeFromClaims, unrestricted } from '../../src/audience.ts'
import type { Admission } from '../../src/http/access.ts'
import { sseSubscription } from '../../src/http/sse.ts'
import type { SubscribeMessage } from '../../src/protocol.ts'
import type { FakeTransport } from './harness.ts'
import { isTicker, type View, viewMatches, viewQuery } from './views-commands.ts'

/** A newsroom token's limits (`{}`: a full token; `embargo: false`: no embargoed content, README's claims table). */
export interface Claims {
  desks?: string[]
  languages?: string[]
  embargo?: false
}

/** How a reader reads: over SSE or a WebSocket, public (token null) or with a newsroom token. */
export interface Kind {
  sse: boolean
  token: Claims | null
}

export const TOKENS: Claims[] = [
  {},
  { desks: ['home'] },
  { languages: ['bn'] },
  { desks: ['world'], languages: ['en'] },
  { embargo: false },
  { desks: ['home'], embargo: false },
]

/** Whether the reader may be sent a version still under embargo (flagged): a newsroom token without `embargo: false`. */
export const seesEmbargoed = (k: Kind): boolean => k.token !== null && k.token.embargo !== false

export const PUBLIC_WS: Kind = { sse: false, token: null }

export const kindArb: fc.Arbitrary<Kind> = fc.record({
  sse: fc.constantFrom(false, false, true),
  token: fc.option(fc.constantFrom(...TOKENS), { nil: null, freq: 2 }),
})

export const isLimited = (k: Kind): boolean => k.token !== null && (k.token.desks !== undefined || k.token.languages !== undefined)

/** The scope the token's claims make (audience.ts reads them as the server does). */
export const scopeOf = (k: Kind): AudienceScope => (k.token === null ? unrestricted : scopeFromClaims({ ...k.token }))

/** What a page request of this reader is admitted as. */
export const admissionOf = (k: Kind): Admission =>
  k.token === null
    ? { audience: 'public', expiresAt: null, reject: null }
    : { audience: 'newsroom', scope: scopeOf(k), expiresAt: null, reject: null }

const lang = (wanted: string, tag: string) => tag.toLowerCase() === wanted || tag.toLowerCase().startsWith(`${wanted}-`)

/** Whether a version lies within the token's desks and languages (README's claims table). */
export function inClaims(c: Claims | null, a: Pick<Article, 'category' | 'language'>): boolean {
  if (c?.desks && (a.category === null || !c.desks.includes(a.category))) return false
  if (c?.languages && !c.languages.some((l) => lang(l, a.language))) return false
  return true
}

/** Whether /v1/sse refuses the view (400: it names no channels and no filter). */
export const sseRefuses = (v: View): boolean => v.channels.length === 0 && viewQuery(v).size === 0

/**
 * The runs' kinds of reader, for their first views: an SSE request names a view (a reader of
 * everything reads a WebSocket); one subscription per SSE request (no paired connection then);
 * two subscriptions on one connection share its token.
 */
export function kindsOf(kinds: readonly Kind[], views: readonly View[], paired: boolean): { ks: Kind[]; pairs: boolean; views: View[] } {
  const ks = views.map((v, i) => {
    const k = kinds[i] ?? PUBLIC_WS
    return k.sse && sseRefuses(v) ? { ...k, sse: false } : k
  })
  const pairs = paired && !ks[0]?.sse && !ks[1]?.sse
  if (pairs) ks[1] = ks[0] as Kind
  // a view the token may not ask for (a newsroom state) is breaking news instead
  const breaking: View = { channels: ['breaking'], filter: null }
  return { ks, pairs, views: views.map((v, i) => (mayAsk(ks[i] as Kind, v) ? v : breaking)) }
}

/** Whether the reader may ask for the view: SSE needs one named; states but `live` need a newsroom token, `embargoed` its embargo rights. */
export function mayAsk(k: Kind, v: View): boolean {
  if (k.sse && sseRefuses(v)) return false
  const states = v.filter?.states ?? []
  if (states.some((x) => x !== 'live') && k.token === null) return false
  return !states.includes('embargoed') || seesEmbargoed(k)
}

/** A story's editorial state by its latest version at `now` (README's table: a kill over a hold over an embargo). */
export function stateOf(last: ArticleEvent, now: number): string {
  if (last.type === 'WITHDRAWN' || last.article.pubStatus === 'canceled') return 'withdrawn'
  if (last.article.pubStatus === 'withheld') return 'withheld'
  const until = last.article.embargoedUntil
  return until !== null && until > now ? 'embargoed' : 'live'
}

/** The /v1/sse request of a view, resumed from `lastEventId` (the header an EventSource sends), as http/sse.ts reads it. */
export function sseRequest(view: View, lastEventId: string | null, catchUp: 'all' | 'latest'): SubscribeMessage {
  const q = viewQuery(view)
  if (isTicker(view)) q.set('tickerFieldsOnly', 'true')
  if (catchUp === 'latest') q.set('catchUp', 'latest')
  return sseSubscription(new URL(`http://f/v1/sse?${q}`), lastEventId ?? undefined)
}

/** The last `id:` an EventSource read on `t` after message `from` (frames without one keep the one before). */
export function lastId(t: FakeTransport, from: number, before: string | null): string | null {
  let id = before
  for (let k = from; k < t.ids.length; k++) id = t.ids[k] ?? id
  return id
}

/**
 * E for a newsroom reader: it shows no story outside its token's limits or its view (by the
 * story's latest version and its editorial state now), none past its latest version; and, unless
 * `partial`, every story not killed whose latest version lies in both, at that version (a
 * ticker: those stories). Returns whether it was exact.
 */
export function checkNewsroomEnd(
  view: View,
  claims: Claims,
  shows: ReadonlyMap<string, number>,
  written: ReadonlyMap<string, ArticleEvent[]>,
  now: number,
  partial: boolean,
  who: string,
  w: string,
): boolean {
  for (const [id, v] of shows) {
    const last = written.get(id)?.at(-1)
    assert.ok(last, `E. ${who} shows ${id}, never written: ${w}`)
    assert.ok(inClaims(claims, last.article), `E. ${who} shows ${id} v${v}, outside its token's limits: ${w}`)
    assert.ok(viewMatches(view, last.article), `E. ${who} shows ${id} v${v}, out of its view: ${w}`)
    assert.ok(v <= last.article.version, `E. ${who} shows ${id} v${v}, past its latest: ${w}`)
    const states = view.filter?.states
    if (states)
      assert.ok(states.includes(stateOf(last, now)), `E. ${who} shows ${id} v${v}, ${stateOf(last, now)}, outside its states: ${w}`)
    const until = last.article.embargoedUntil
    if (claims.embargo === false && v === last.article.version)
      assert.ok(until === null || until <= now, `E. ${who} (embargo false) shows ${id} v${v}, under embargo: ${w}`)
  }
  if (partial) return false
  for (const [id, vs] of written) {
    const last = vs.at(-1) as ArticleEvent
    if (last.type === 'WITHDRAWN' || !inClaims(claims, last.article) || !viewMatches(view, last.article)) continue
    if (view.filter?.states && !view.filter.states.includes(stateOf(last, now))) continue
    const until = last.article.embargoedUntil
    if (claims.embargo === false && until !== null && until > now) continue
    const v = shows.get(id)
    assert.ok(v !== undefined, `E. ${who} does not show ${id}, in its view and limits: ${w}`)
    if (!isTicker(view)) assert.equal(v, last.article.version, `E. ${who} shows ${id} v${v}, not its latest: ${w}`)
  }
  return true
}
