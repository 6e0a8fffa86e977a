// The readers of the newsroom restart models (restart-newsroom-model.test.ts, one instance at a
// time; rolling-deploy-model.test.ts, several at once): newsroom readers whose tokens narrow what
// they may see, an unrestricted one and a public one; what each shows; and the checks of the
// rules (support/clearance-model.ts) on every message it gets, whatever instance served it (1, 3),
// and once everyone has caught up (2, 4). The test files say the rules in full.
import assert from 'node:assert/strict'
import type { ArticleEvent } from '@newswire/shared'
import fc from 'fast-check'
import { scopeFromClaims } from '../../src/audience.ts'
import type { Conn } from '../../src/model.ts'
import type { Spec, Version } from './clearance-model.ts'
import { embargoPassed, inChannels, inClaims, isKill, maySee, sees } from './clearance-model.ts'
import type { FakeTransport, Harness, Message } from './harness.ts'
import { event } from './events.ts'
import { subscribe } from './live-story.ts'

/** The newsroom's words: a kill's reason, a hold's. */
export const KILL_REASON = 'legal'
export const HOLD_REASON = 'under review'

export const READERS: Spec[] = [
  { name: 'newsroom', audience: 'newsroom', claims: {}, channels: ['all'], sees: 'all' },
  { name: 'desk c0', audience: 'newsroom', claims: { desks: ['c0'] }, channels: ['all'], sees: 'all' },
  { name: 'desk c1, no channels', audience: 'newsroom', claims: { desks: ['c1'] }, channels: [], sees: 'all' },
  { name: 'languages bn', audience: 'newsroom', claims: { languages: ['bn'] }, channels: ['all'], sees: 'all' },
  { name: 'embargo false', audience: 'newsroom', claims: { embargo: false }, channels: ['all'], sees: 'released' },
  {
    name: 'desk c0, en, embargo false, lang:en or category:c1',
    audience: 'newsroom',
    claims: { desks: ['c0'], languages: ['en'], embargo: false },
    channels: ['lang:en', 'category:c1'],
    sees: 'released',
  },
  { name: 'public', audience: 'public', claims: {}, channels: [], sees: 'public' },
]

/** What the readers met, so a generator that stops reaching a case shows. */
export function readerStats() {
  return {
    scopedContent: 0,
    scopedContentAfterRestart: 0,
    left: 0,
    killAfterLeft: 0,
    killWords: 0,
    killDefaultWords: 0,
    holdWords: 0,
  }
}
export type ReaderStats = ReturnType<typeof readerStats>

/** Every article's versions, oldest first, by id. */
export type Versions = Map<string, Version[]>

export interface Reader {
  spec: Spec
  t: FakeTransport | null
  conn: Conn | null
  read: number
  position: string | null
  /** Stories it shows now, by the version shown (a killed one the newsroom knows as killed is not shown). */
  holds: Map<string, number>
  /** Every story it was ever shown content of. */
  ever: Set<string>
  /** Stories shown since its last fresh snapshot (a fresh subscribe or a `reset` replaces what it showed). */
  shown: Set<string>
  /** Stories it heard were killed (a `withdrawn` of the kill, or the newsroom's killed story itself). */
  heard: Set<string>
  /** Stories it was told left its view (`left`). */
  left: Set<string>
  /** It was served by a restarted instance. */
  restarted: boolean
  /** How far the serving instance's clock runs ahead of the model's (event times), in ms. */
  skew: number
}

export function newReader(spec: Spec): Reader {
  return {
    spec,
    t: null,
    conn: null,
    read: 0,
    position: null,
    holds: new Map(),
    ever: new Set(),
    shown: new Set(),
    heard: new Set(),
    left: new Set(),
    restarted: false,
    skew: 0,
  }
}

/** A fresh subscribe (no position): what the reader showed is replaced. */
export function freshStart(r: Reader): void {
  r.holds.clear()
  r.shown.clear()
}

/**
 * `r` connects to `h` with its token and subscribes: afresh (`since` null), or from a position
 * (`latest`: `catchUp: "latest"`); `expiresAt`: its token's `exp` (a newsroom reader's), epoch ms.
 */
export function connectReader(h: Harness, r: Reader, since: string | null, latest = false, expiresAt: number | null = null): void {
  const { conn, t } = h.connect(r.spec.audience, scopeFromClaims(r.spec.claims), r.spec.audience === 'newsroom' ? expiresAt : null)
  r.t = t
  r.conn = conn
  r.read = 0
  if (since === null) freshStart(r)
  subscribe(h, conn, r.spec.channels, since === null ? {} : { since, catchUp: latest ? 'latest' : 'all' })
}

/** `r`'s connection to `h` drops (read what it got first). */
export function dropReader(h: Harness, r: Reader): void {
  if (!r.conn) return
  h.hub.conns.remove(r.conn)
  r.t = null
  r.conn = null
}

/**
 * `v` on the clock of an instance `skew` ms ahead of event time: the next version reached it at
 * its own time. Catch-up judges by event time, live by the instance's clock: either may hold.
 */
function onClock(v: Version, skew: number): Version {
  return skew === 0 || v.replacedAt === null ? v : { ...v, replacedAt: v.replacedAt + skew }
}

/** Reads what `r` got since last time: checks it (rules 1, 3), keeps what it holds and its position. */
export function take(model: Versions, stats: ReaderStats, r: Reader): Message[] {
  if (!r.t) return []
  const s = r.spec
  const judge =
    (rule: (v: Version, at: number) => boolean) =>
    (v: Version, at: number): boolean =>
      rule(v, at) || rule(onClock(v, r.skew), at)
  const seen = judge((v, at) => sees(s, v, at))
  const maySeen = judge((v, at) => maySee(s, v, at))
  const passed = judge(embargoPassed)
  const content = (e: ArticleEvent & { embargoed?: boolean }, flagged: boolean, at: number, why: string) => {
    const v = model.get(e.article.id)?.find((x) => x.event.eventId === e.eventId)
    assert.ok(v, `unknown event ${why}`)
    const a = v.event.article
    assert.ok(inClaims(s, a), `1. a version outside the token's desks or languages: ${why}`)
    assert.ok(inChannels(s, a), `1. a version outside the reader's channels: ${why}`)
    assert.ok(seen(v, at), `1. a version this clearance could never see: ${why}`)
    if (flagged) assert.equal(s.sees, 'all', `1. an embargo flag outside the newsroom: ${why}`)
    else if (s.sees === 'all' && !isKill(v)) assert.ok(passed(v, at), `1. an embargoed version to the newsroom, unflagged: ${why}`)
    if (s.claims.desks || s.claims.languages || s.claims.embargo === false) {
      stats.scopedContent++
      if (r.restarted) stats.scopedContentAfterRestart++
    }
    r.ever.add(a.id)
    r.shown.add(a.id)
    // the newsroom's killed story, as killed (snapshot): it shows no content of it
    if (isKill(v)) {
      r.holds.delete(a.id)
      r.heard.add(a.id)
    } else r.holds.set(a.id, Math.max(a.version, r.holds.get(a.id) ?? 0))
  }
  const withdrawn = (m: Message, at: number, why: string) => {
    const id = m.articleId as string
    const vs = model.get(id) ?? []
    const inView = (v: Version) => inClaims(s, v.event.article) && inChannels(s, v.event.article)
    assert.ok(
      r.ever.has(id) || vs.some((v) => inView(v) && maySeen(v, at)),
      `1. a withdrawn names a story the reader could never have seen: ${why}`,
    )
    if (m.reason === KILL_REASON || m.reason === HOLD_REASON)
      assert.ok(
        r.ever.has(id) || vs.some((v) => inView(v) && seen(v, at)),
        `3. the newsroom's words to a reader never shown the story, whose clearance never saw it: ${why}`,
      )
    if (m.cause === 'left') {
      stats.left++
      r.left.add(id)
    }
    if (m.cause === 'withdrawn' || m.cause === 'canceled') {
      r.heard.add(id)
      if (r.left.has(id)) stats.killAfterLeft++
      if (m.reason === KILL_REASON) stats.killWords++
      else stats.killDefaultWords++
    }
    if (m.reason === HOLD_REASON) stats.holdWords++
    r.holds.delete(id)
  }
  const got = r.t.messages.slice(r.read)
  for (const [i, m] of got.entries()) {
    const at = r.t.at[r.read + i] as number
    const why = `${s.name}: ${JSON.stringify(m).slice(0, 400)}`
    if (typeof m.position === 'string') r.position = m.position
    if (m.type === 'reset') freshStart(r)
    if (m.type === 'subscribed' || m.type === 'reset') {
      for (const e of (m.snapshot ?? []) as (ArticleEvent & { embargoed?: boolean })[]) content(e, e.embargoed === true, at, why)
    } else if (m.type === 'event') content(m.event as ArticleEvent, m.embargoed === true, at, why)
    else if (m.type === 'withdrawn') withdrawn(m, at, why)
  }
  r.read = r.t.messages.length
  return got
}

/**
 * Once `r` has resumed after the last event and caught up, at `now` on the instance serving it:
 * it holds no killed story (2), shows exactly what it may see now, each story at its latest
 * version (4), and heard of the kill of every story shown since its last fresh snapshot (2).
 */
export function checkCaughtUp(model: Versions, r: Reader, now: number): void {
  for (const id of r.holds.keys()) {
    const latest = model.get(id)?.at(-1)
    assert.ok(latest && !isKill(latest), `2. ${r.spec.name} still holds ${id}, killed: it never heard of the kill`)
  }
  const expected = new Map<string, number>()
  for (const [id, vs] of model) {
    const latest = vs.at(-1) as Version
    const a = latest.event.article
    if (!isKill(latest) && sees(r.spec, latest, now) && inClaims(r.spec, a) && inChannels(r.spec, a)) expected.set(id, a.version)
  }
  const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort())
  assert.deepEqual(sorted(r.holds), sorted(expected), `4. ${r.spec.name} shows other stories or versions than it may see now`)
  for (const id of r.shown) {
    const latest = model.get(id)?.at(-1)
    if (latest && isKill(latest))
      assert.ok(
        r.heard.has(id),
        `2. ${r.spec.name} was shown ${id}, since killed, and never heard of the kill${r.left.has(id) ? ' (it left its view before)' : ''}`,
      )
  }
}

export const IDS = ['a', 'b', 'c']
export const DESKS = ['c0', 'c1']
export const LANGUAGES = ['en', 'bn-BD']

/** Embargoes at a round time (the next whole ten minutes) share a millisecond, as 06:00:00.000 ones do. */
export const ROUND_MS = 600_000

/**
 * A new version of an article (`kill`: its kill); `withheld`, `embargo` (ms from now, or `round`:
 * the next whole ten minutes) as the newsroom set them.
 */
export type Write =
  | { k: 'post'; id: number; desk: number; language: number; withheld: boolean; embargo: number | 'round' | null }
  | { k: 'kill'; id: number }

/** Versions of articles `ids` (indexes into IDS, or the ids a test gives write()), embargoed this far from now. */
export function postArb(
  ids = IDS.length,
  // an embargo this far from now: past, within the race minute, or well after it
  embargoes: (number | 'round')[] = [-60_000, 20_000, 59_000, 90_000, 600_000, 600_000],
  // whether the version is held: one in four by default
  holds: boolean[] = [false, false, false, true],
): fc.Arbitrary<Write> {
  return fc.record({
    k: fc.constant('post' as const),
    id: fc.nat(ids - 1),
    desk: fc.nat(DESKS.length - 1),
    language: fc.nat(LANGUAGES.length - 1),
    withheld: fc.constantFrom(...holds),
    embargo: fc.option(fc.constantFrom(...embargoes), { nil: null, freq: 3 }),
  })
}
export const killArb = (ids = IDS.length): fc.Arbitrary<Write> => fc.record({ k: fc.constant('kill' as const), id: fc.nat(ids - 1) })
/**
 * The newsroom holds a story now: its next version, withheld, under no embargo (a hold among
 * postArb's posts is mostly embargoed or follows a version the public never saw, so a reader told
 * of a hold in the newsroom's words stays rare without it).
 */
export const holdArb = (ids = IDS.length): fc.Arbitrary<Write> =>
  fc.record({
    k: fc.constant('post' as const),
    id: fc.nat(ids - 1),
    desk: fc.nat(DESKS.length - 1),
    language: fc.nat(LANGUAGES.length - 1),
    withheld: fc.constant(true),
    embargo: fc.constant(null),
  })

/**
 * The event `w` writes at `now`, taken into `model` (null: none, as after a kill or a kill of
 * nothing). `serverNow`: the fan-out's clock when it reads it (the replaced version's `replacedAt`),
 * when it is not true time (host-clock-model.test.ts).
 */
export function write(model: Versions, w: Write, now: number, ids: readonly string[] = IDS, serverNow = now): ArticleEvent | null {
  const id = ids[w.id] as string
  const vs = model.get(id) ?? []
  const last = vs.at(-1)
  if (last && isKill(last)) return null
  if (w.k === 'kill' && !last) return null
  const version = vs.length + 1
  const e =
    w.k === 'kill'
      ? event('WITHDRAWN', { ...(last as Version).event.article, version, pubStatus: 'canceled' }, now, { reason: KILL_REASON })
      : event(
          version === 1 ? 'CREATED' : 'UPDATED',
          {
            id,
            version,
            category: DESKS[w.desk] as string,
            language: LANGUAGES[w.language] as string,
            pubStatus: w.withheld ? 'withheld' : 'usable',
            embargoedUntil:
              w.embargo === null ? null : w.embargo === 'round' ? (Math.floor(now / ROUND_MS) + 1) * ROUND_MS : now + w.embargo,
          },
          now,
          { reason: w.withheld ? HOLD_REASON : null },
        )
  if (last) {
    last.replacedAt = serverNow
    // the fan-out's race estimate also reads ingest's stamp on the replacement, when later than its
    // clock (a host clock stepped back: ledger.ts #mayAt, red21c)
    if (serverNow !== now) last.stampedReplacedAt = now
  }
  model.set(id, [...vs, { event: e, replacedAt: null }])
  return e
}
