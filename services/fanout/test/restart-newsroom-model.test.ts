// The promise across fan-out restarts for newsroom readers whose tokens narrow what they may see
// (`desks`, `languages`, `embargo: false`), beside an unrestricted newsroom reader and a public
// reader, against a small reference model written from the README's rules ("Who sees what", the
// editorial states table), not from visibility.ts or audience.ts: random article versions that move between
// desks and languages, are embargoed (past, within the race minute, after it), withheld, released
// and killed; server time; readers that leave and resume, on the same instance or on one restarted
// as feed.ts builds it (support/restart.ts), some at once after the restart. The clearances: the
// newsroom sees every version (a kill as killed); `embargo: false` every version but a kill, once
// its embargo passed while it was the latest (withheld ones too: a hold is for the public); the
// public the same if also usable. Checked for every reader, whatever instance served it:
//   1. content it gets (snapshot, live, replay) is of a version in its token's desks and
//      languages and its channels that its clearance could see at some moment up to when it was
//      written; to the newsroom, unflagged only once its embargo passed (`embargoed` to no one
//      else); a `withdrawn` names only a story one of whose versions (in its desks, languages and
//      channels) it may have seen: that, or its embargo within the race minute of its replacement;
//   2. once every reader has resumed after the last event, none holds a killed story, and every
//      reader shown a story since its last fresh snapshot heard of its kill, also when the story
//      had left its desks or languages before;
//   3. the newsroom's words (a kill's or a hold's reason) reach only a reader that was shown the
//      story or whose clearance saw a version of it in its desks, languages and channels: an
//      estimate (a view some instance may have shown) carries the cause's default words;
//   4. then, too, it shows exactly what it may see now, each story at its latest version (this
//      found a release missed on a resume older than a restarted instance's memory: the last test).
// The reference rules are in support/clearance-model.ts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import fc from 'fast-check'
import { scopeFromClaims } from '../src/audience.ts'
import type { Conn } from '../src/model.ts'
import type { Spec, Version } from './support/clearance-model.ts'
import { embargoPassed, inChannels, inClaims, isKill, maySee, sees } from './support/clearance-model.ts'
import type { FakeTransport, Message } from './support/harness.ts'
import { event, Harness } from './support/harness.ts'
import { subscribe } from './support/live-story.ts'
import { restarted } from './support/restart.ts'

const IDS = ['a', 'b', 'c']
const DESKS = ['c0', 'c1']
const LANGUAGES = ['en', 'bn-BD']
const PARTITIONS = 2
/** Events a restarted instance keeps in memory: older versions known only from news.articles' headers, or all. */
const HISTORIES = [4, 4, 12, 40]
/** The newsroom's words: a kill's reason, a hold's. */
const KILL_REASON = 'legal'
const HOLD_REASON = 'under review'

const READERS: Spec[] = [
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
const SLOTS = READERS.length

type Cmd =
  | { k: 'post'; id: number; desk: number; language: number; withheld: boolean; embargo: number | null }
  | { k: 'kill'; id: number }
  | { k: 'tick'; ms: number }
  | { k: 'connect'; slot: number }
  | { k: 'away'; slot: number }
  /** From its last position; `latest`: only the newest version of each article missed (`catchUp: "latest"`). */
  | { k: 'resume'; slot: number; latest: boolean }
  /** A new instance over the log; `back`: every reader resumes on it at once (as clients do after a deploy). */
  | { k: 'restart'; picks: number[]; back: boolean }

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    arbitrary: fc.record({
      k: fc.constant('post' as const),
      id: fc.nat(IDS.length - 1),
      desk: fc.nat(DESKS.length - 1),
      language: fc.nat(LANGUAGES.length - 1),
      withheld: fc.constantFrom(false, false, false, true),
      // an embargo this far from now: past, within the race minute, or well after it
      embargo: fc.option(fc.constantFrom(-60_000, 20_000, 59_000, 90_000, 600_000, 600_000), { nil: null, freq: 3 }),
    }),
    weight: 6,
  },
  { arbitrary: fc.record({ k: fc.constant('kill' as const), id: fc.nat(IDS.length - 1) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.constantFrom(1_000, 30_000, 70_000, 700_000) }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('connect' as const), slot: fc.nat(SLOTS - 1) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('away' as const), slot: fc.nat(SLOTS - 1) }), weight: 3 },
  {
    arbitrary: fc.record({ k: fc.constant('resume' as const), slot: fc.nat(SLOTS - 1), latest: fc.constantFrom(false, false, true) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ k: fc.constant('restart' as const), picks: fc.array(fc.nat(), { maxLength: 12 }), back: fc.boolean() }),
    weight: 2,
  },
)

/** What the runs reached, so a generator that stops reaching a case shows. */
const stats = {
  runs: 0,
  restarts: 0,
  scopedContent: 0,
  scopedContentAfterRestart: 0,
  left: 0,
  killAfterLeft: 0,
  killWords: 0,
  killDefaultWords: 0,
  holdWords: 0,
  latestResumes: 0,
}

interface Reader {
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
}

async function run(cmds: readonly Cmd[], history = 40): Promise<void> {
  stats.runs++
  let h = new Harness({ partitions: PARTITIONS, historySize: history })
  h.start()
  let restarts = 0
  const model = new Map<string, Version[]>()
  const readers: Reader[] = READERS.map((spec) => ({
    spec,
    t: null,
    conn: null,
    read: 0,
    position: null,
    holds: new Map<string, number>(),
    ever: new Set<string>(),
    shown: new Set<string>(),
    heard: new Set<string>(),
    left: new Set<string>(),
    restarted: false,
  }))

  /** Reads what `r` got since last time: checks it, keeps what it holds and its position. */
  const take = (r: Reader) => {
    if (!r.t) return
    const s = r.spec
    const content = (e: ArticleEvent & { embargoed?: boolean }, flagged: boolean, at: number, why: string) => {
      const v = model.get(e.article.id)?.find((x) => x.event.eventId === e.eventId)
      assert.ok(v, `unknown event ${why}`)
      const a = v.event.article
      assert.ok(inClaims(s, a), `1. a version outside the token's desks or languages: ${why}`)
      assert.ok(inChannels(s, a), `1. a version outside the reader's channels: ${why}`)
      assert.ok(sees(s, v, at), `1. a version this clearance could never see: ${why}`)
      if (flagged) assert.equal(s.sees, 'all', `1. an embargo flag outside the newsroom: ${why}`)
      else if (s.sees === 'all' && !isKill(v)) assert.ok(embargoPassed(v, at), `1. an embargoed version to the newsroom, unflagged: ${why}`)
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
    for (const [i, m] of r.t.messages.slice(r.read).entries()) {
      const at = r.t.at[r.read + i] as number
      const why = `${s.name}: ${JSON.stringify(m).slice(0, 400)}`
      if (typeof m.position === 'string') r.position = m.position
      if (m.type === 'reset') {
        r.holds.clear()
        r.shown.clear()
      }
      if (m.type === 'subscribed' || m.type === 'reset') {
        for (const e of (m.snapshot ?? []) as (ArticleEvent & { embargoed?: boolean })[]) content(e, e.embargoed === true, at, why)
      } else if (m.type === 'event') content(m.event as ArticleEvent, m.embargoed === true, at, why)
      else if (m.type === 'withdrawn') withdrawn(r, m, at, why)
    }
    r.read = r.t.messages.length
  }

  const withdrawn = (r: Reader, m: Message, at: number, why: string) => {
    const s = r.spec
    const id = m.articleId as string
    const vs = model.get(id) ?? []
    const inView = (v: Version) => inClaims(s, v.event.article) && inChannels(s, v.event.article)
    assert.ok(
      r.ever.has(id) || vs.some((v) => inView(v) && maySee(s, v, at)),
      `1. a withdrawn names a story the reader could never have seen: ${why}`,
    )
    if (m.reason === KILL_REASON || m.reason === HOLD_REASON)
      assert.ok(
        r.ever.has(id) || vs.some((v) => inView(v) && sees(s, v, at)),
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

  const open = (slot: number, since: string | null, latest = false) => {
    const r = readers[slot] as Reader
    const { conn, t } = h.connect(r.spec.audience, scopeFromClaims(r.spec.claims))
    r.t = t
    r.conn = conn
    r.read = 0
    r.restarted = restarts > 0
    if (since === null) {
      r.holds.clear()
      r.shown.clear()
    }
    subscribe(h, conn, r.spec.channels, since === null ? {} : { since, catchUp: latest ? 'latest' : 'all' })
    if (latest) stats.latestResumes++
  }
  const away = (slot: number) => {
    const r = readers[slot] as Reader
    if (!r.t || !r.conn) return
    take(r)
    h.hub.conns.remove(r.conn)
    r.t = null
    r.conn = null
  }

  for (const cmd of cmds) {
    const now = h.clock.now()
    switch (cmd.k) {
      case 'post':
      case 'kill': {
        const id = IDS[cmd.id] as string
        const vs = model.get(id) ?? []
        const last = vs.at(-1)
        if (last && isKill(last)) break
        if (cmd.k === 'kill' && !last) break
        const version = vs.length + 1
        const e =
          cmd.k === 'kill'
            ? event('WITHDRAWN', { ...(last as Version).event.article, version, pubStatus: 'canceled' }, now, { reason: KILL_REASON })
            : event(
                version === 1 ? 'CREATED' : 'UPDATED',
                {
                  id,
                  version,
                  category: DESKS[cmd.desk] as string,
                  language: LANGUAGES[cmd.language] as string,
                  pubStatus: cmd.withheld ? 'withheld' : 'usable',
                  embargoedUntil: cmd.embargo === null ? null : now + cmd.embargo,
                },
                now,
                { reason: cmd.withheld ? HOLD_REASON : null },
              )
        if (last) last.replacedAt = now
        model.set(id, [...vs, { event: e, replacedAt: null }])
        h.append(e, h.partitionOf(id))
        await h.settle()
        break
      }
      case 'tick':
        await h.tick(cmd.ms)
        break
      case 'connect':
        away(cmd.slot)
        open(cmd.slot, null)
        await h.settle()
        break
      case 'away':
        away(cmd.slot)
        break
      case 'resume': {
        const r = readers[cmd.slot] as Reader
        if (r.t || r.position === null) break
        open(cmd.slot, r.position, cmd.latest)
        await h.settle()
        break
      }
      case 'restart':
        for (let slot = 0; slot < SLOTS; slot++) away(slot)
        h.hub.stop()
        h = restarted(h, cmd.picks, history)
        restarts++
        stats.restarts++
        await h.settle()
        if (cmd.back) {
          for (const [slot, r] of readers.entries()) if (r.position !== null) open(slot, r.position)
          await h.settle()
        }
        break
    }
    for (const r of readers) take(r)
  }
  // everyone comes back and catches up; then nobody holds a killed story, and whoever was shown a
  // story since its last fresh snapshot heard of its kill (also if it was told the story left)
  for (const [slot, r] of readers.entries()) if (!r.t && r.position !== null) open(slot, r.position)
  await h.tick(1000)
  for (const r of readers) {
    take(r)
    for (const id of r.holds.keys()) {
      const latest = model.get(id)?.at(-1)
      assert.ok(latest && !isKill(latest), `2. ${r.spec.name} still holds ${id}, killed: it never heard of the kill`)
    }
    // and it shows what it may see now, each story at its latest version
    const now = h.clock.now()
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
  h.hub.stop()
}

const RUNS = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 400)
/** A failure's seed and path (printed with it) replay it. */
const REPLAY = process.env.NEWSWIRE_MODEL_SEED
  ? { seed: Number(process.env.NEWSWIRE_MODEL_SEED), ...(process.env.NEWSWIRE_MODEL_PATH ? { path: process.env.NEWSWIRE_MODEL_PATH } : {}) }
  : {}

test('property: across restarts, no newsroom reader with a limited token gets what its claims exclude, and every reader hears of every kill', async () => {
  await fc.assert(
    // every reader connects first (the page was open before anything was written)
    fc.asyncProperty(fc.array(cmdArb, { minLength: 1, maxLength: 30, size: 'max' }), fc.constantFrom(...HISTORIES), (cmds, history) =>
      run([...Array.from({ length: SLOTS }, (_, slot): Cmd => ({ k: 'connect', slot })), ...cmds], history),
    ),
    { numRuns: RUNS, includeErrorInReport: true, ...REPLAY },
  )
  console.log(`restart-newsroom-model: ${JSON.stringify(stats)}`)
  // the generator reaches every case it is there for (a few dozen of the rarest in 400 runs)
  if (RUNS >= 200 && !process.env.NEWSWIRE_MODEL_SEED)
    for (const [k, v] of Object.entries(stats)) assert.ok(v > RUNS / 40, `too few ${k}: ${v}`)
})

// The estimate's live path, which random runs reach less often than the replay's: the reader saw
// a in c0 on the first instance and was told it left; the instance restarted with a's c0 version
// out of memory (known only from the views ingest carries), the reader resumed on it, and a's kill
// comes live: it reaches the reader by that estimate, with the default words.
test('a desk reader resumed on a restarted instance hears live of the kill of a story that left its desk before the restart', async () => {
  await run(
    [
      ...Array.from({ length: SLOTS }, (_, slot): Cmd => ({ k: 'connect', slot })),
      { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'post', id: 0, desk: 1, language: 0, withheld: false, embargo: null },
      { k: 'post', id: 2, desk: 1, language: 0, withheld: false, embargo: null },
      { k: 'post', id: 2, desk: 1, language: 0, withheld: false, embargo: null },
      { k: 'restart', picks: [], back: false },
      { k: 'resume', slot: 1, latest: false },
      { k: 'kill', id: 0 },
    ],
    4,
  )
})

// As the property found it (shrunk), when rule 4 had to let it pass (2026-12-04): the `embargo:
// false` reader saw a, then was told it went under embargo again (10 min) and left; three versions
// of c pushed a out of the memory of the instance restarted next, where the embargo passed; the
// reader resumed there from its position from before (older than that memory) and was never sent
// a's release, ordered just below memory and so taken as not yet passed. run() checks rule 4.
test("a resume older than a restarted instance's memory gets the release of an article known only from news.articles", async () => {
  await run(
    [
      ...Array.from({ length: SLOTS }, (_, slot): Cmd => ({ k: 'connect', slot })),
      { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'post', id: 0, desk: 0, language: 0, withheld: false, embargo: 600_000 },
      { k: 'away', slot: 4 },
      { k: 'post', id: 2, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'post', id: 2, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'post', id: 2, desk: 0, language: 0, withheld: false, embargo: null },
      { k: 'restart', picks: [], back: false },
      { k: 'tick', ms: 700_000 },
    ],
    4,
  )
})
