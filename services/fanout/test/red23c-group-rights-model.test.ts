// Broadcast groups (groups.ts) against the per-connection path, for readers whose rights are
// narrower than the public's or the whole newsroom's, or run out (red23c attack run). The group
// key holds every input of a decision, but not a token's expiry: members of one group may hold
// tokens that expire at different times. Each client is a pair of connections with the same token
// (audience, desk or language limits, expiry): A holds one subscription `s` (grouped whenever it
// can be), B holds `s` and one that never matches (the per-connection path). Random stories on two
// desks in two languages, holds, embargoes, kills in the middle of bursts, slow sockets that fall
// behind and drain (a member leaves its group and joins again), pings, reconnects with and without
// a position, and the host clock stepped forwards and back (NTP) while the token timers, monotonic
// as Node's are, run on: after every step A's messages for `s` equal B's, both are closed alike,
// and nothing is written to a connection at or after its token's expiry by the host's clock, nor
// any story outside its token's limits.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import fc from 'fast-check'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'
import type { AudienceScope } from '../src/audience.ts'
import { scopeAllows, unrestricted } from '../src/audience.ts'
import type { Conn, Sub } from '../src/model.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import { event, freshEventIds } from './support/events.ts'
import type { FakeTransport } from './support/harness.ts'
import { ofS, pingPair, reconnectPair, slowPair } from './support/pair-commands.ts'
import { lagged, slow } from './support/slow-machine.ts'

const WHO: { audience: 'public' | 'newsroom'; scope: AudienceScope }[] = [
  { audience: 'public', scope: unrestricted },
  { audience: 'newsroom', scope: unrestricted },
  { audience: 'newsroom', scope: { categories: ['home'], languages: null, embargo: true } },
  { audience: 'newsroom', scope: { categories: null, languages: ['bn'], embargo: false } },
]
const CHANNELS = [['category:home'], ['breaking'], ['lang:bn'], ['category:home', 'category:world']]
const IDS = ['a', 'b', 'c']
/** A token's life from the start of the run (null: no expiry). */
const EXPIRY = [null, 3000, 9000]

type Cmd =
  | { k: 'post'; id: number; home: boolean; bn: boolean; urgency: number; embargo: 'none' | 'soon'; withheld: boolean; n: number }
  | { k: 'kill'; id: number; n: number }
  | { k: 'tick'; ms: number }
  | { k: 'step'; ms: number }
  | { k: 'ping'; pair: number }
  | { k: 'slow'; pair: number; on: boolean }
  | { k: 'reconnect'; pair: number; resume: boolean }
  | { k: 'hold' }

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      k: fc.constant('post' as const),
      id: fc.nat(IDS.length - 1),
      home: fc.boolean(),
      bn: fc.boolean(),
      urgency: fc.constantFrom(1, 5),
      embargo: fc.constantFrom('none' as const, 'none' as const, 'soon' as const),
      withheld: fc.constantFrom(false, false, true),
      n: fc.constantFrom(1, 1, 3, 30),
    }),
  },
  // a kill in the middle of a burst of routine stories (`n` before it, as many after)
  { weight: 3, arbitrary: fc.record({ k: fc.constant('kill' as const), id: fc.nat(IDS.length - 1), n: fc.constantFrom(0, 5, 30) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.constantFrom(100, 400, 2500) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('step' as const), ms: fc.constantFrom(-5000, -500, 500, 4000, 20_000) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('ping' as const), pair: fc.nat(3) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('slow' as const), pair: fc.nat(3), on: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('reconnect' as const), pair: fc.nat(3), resume: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ k: 'hold' as const }) },
)

interface Setting {
  who: number
  channels: number
  expiry: number
}

interface Side {
  conn: Conn
  t: FakeTransport
  /** The token's expiry, host clock ms. */
  expiresAt: number
}

interface Pair extends Setting {
  a: Side
  b: Side
}

const stats = { shared: 0, expired: 0, expiredGrouped: 0, steppedPastExpiry: 0, messages: 0, outsideChecked: 0 }

async function run(settings: Setting[], cmds: Cmd[]): Promise<void> {
  freshEventIds()
  const h = new Harness({
    historySize: 200,
    limits: { maxPending: 50, maxBufferedBytes: 1000, slowClientMs: 60_000 },
    monotonicTimers: true,
  })
  h.start()
  await h.settle()
  const start = h.clock.now()
  const versions = new Map<string, number>()
  /** The latest version of each story as written. */
  const stories = new Map<string, ArticleEvent['article']>()
  let seq = 0

  const open = (p: Setting, two: boolean, since: string | null): Side => {
    const w = WHO[p.who] as (typeof WHO)[number]
    const life = EXPIRY[p.expiry] ?? null
    const expiresAt = life === null ? Number.POSITIVE_INFINITY : start + life
    const side = h.connect(w.audience, w.scope, life === null ? null : expiresAt)
    const sub = (id: string, channels: string[], from: string | null) =>
      h.hub.handle(side.conn, {
        type: 'subscribe',
        id,
        channels: parseChannels(channels, id),
        filter: parseFilter(null, id),
        since: from,
        catchUp: 'all',
        entries: null,
      })
    if (two) sub('x', ['category:never'], null)
    sub('s', CHANNELS[p.channels] as string[], since)
    return { ...side, expiresAt }
  }
  const pairs: Pair[] = settings.map((s) => ({ ...s, a: open(s, false, null), b: open(s, true, null) }))
  await h.settle()

  const compare = (why: string) => {
    const groups = new Set<unknown>()
    for (const [i, p] of pairs.entries()) {
      const a = ofS(p.a.t.messages)
      const b = ofS(p.b.t.messages)
      stats.messages += a.length
      const what = JSON.stringify({ who: p.who, ch: p.channels, exp: p.expiry })
      assert.deepEqual(a, b, `pair ${i} (${what}) after ${why}`)
      assert.deepEqual(p.a.t.closed, p.b.t.closed, `pair ${i} (${what}) closed differently after ${why}`)
      const w = WHO[p.who] as (typeof WHO)[number]
      for (const side of [p.a, p.b]) {
        // nothing written at or after the token's expiry, by the host's clock
        for (const [j, at] of side.t.at.entries())
          assert.ok(
            at < side.expiresAt,
            `pair ${i} (${what}) got ${JSON.stringify(side.t.messages[j])} at ${at}, its token expired at ${side.expiresAt}`,
          )
        // nothing outside the token's desks and languages
        for (const m of side.t.messages) {
          const arts =
            m.type === 'event'
              ? [(m.event as ArticleEvent).article]
              : m.type === 'subscribed' || m.type === 'reset'
                ? ((m.snapshot ?? []) as ArticleEvent[]).map((e) => e.article)
                : []
          for (const art of arts) {
            stats.outsideChecked++
            assert.ok(scopeAllows(w.scope, art), `pair ${i} (${what}) got ${art.id} v${art.version} outside its token's limits`)
          }
        }
      }
      if (p.a.t.closed?.code === 4401) {
        stats.expired++
        if (p.a.t.group.some((g) => g)) stats.expiredGrouped++
      }
      const sub = p.a.conn.subs.get('s') as Sub | undefined
      if (sub?.group && sub.group.members.size > 1) groups.add(sub.group)
    }
    stats.shared += groups.size
  }

  const post = (id: string, o: Omit<Extract<Cmd, { k: 'post' }>, 'k' | 'id' | 'n'>, kill = false) => {
    const v = (versions.get(id) ?? 0) + 1
    versions.set(id, v)
    const now = h.clock.now()
    const before = stories.get(id)
    const e: ArticleEvent = event(
      kill ? 'WITHDRAWN' : v === 1 ? 'CREATED' : 'UPDATED',
      {
        id,
        version: v,
        // a kill keeps the story where it was
        category: kill && before ? before.category : o.home ? 'home' : 'world',
        language: kill && before ? before.language : o.bn ? 'bn' : 'en',
        urgency: o.urgency,
        pubStatus: o.withheld ? 'withheld' : 'usable',
        embargoedUntil: o.embargo === 'soon' ? now + 300 : null,
        headline: `${id} v${v} ${seq++}`,
      },
      now,
    )
    stories.set(id, e.article)
    h.append(e)
  }
  const routine = (n: number, tag: string) => {
    for (let i = 0; i < n; i++) post(`r${tag}${i}`, { home: i % 2 === 0, bn: i % 3 === 0, urgency: 5, embargo: 'none', withheld: false })
  }

  let held = false
  for (const cmd of cmds) {
    switch (cmd.k) {
      case 'hold':
        held = true
        continue
      case 'post':
        for (let i = 0; i < cmd.n; i++) post(i === 0 ? (IDS[cmd.id] as string) : `${IDS[cmd.id]}${i}`, cmd)
        break
      case 'kill': {
        const id = IDS[cmd.id] as string
        if (!versions.has(id)) break
        routine(cmd.n, `${seq}a`)
        post(id, { home: true, bn: false, urgency: 5, embargo: 'none', withheld: false }, true)
        routine(cmd.n, `${seq}b`)
        break
      }
      case 'tick':
        h.clock.advance(cmd.ms)
        break
      case 'step':
        for (const p of pairs) if (h.clock.now() < p.a.expiresAt && h.clock.now() + cmd.ms >= p.a.expiresAt) stats.steppedPastExpiry++
        h.clock.step(cmd.ms)
        break
      case 'ping':
        pingPair(h, pairs[cmd.pair % pairs.length] as Pair)
        break
      case 'slow':
        slowPair(h, pairs[cmd.pair % pairs.length] as Pair, cmd.on)
        break
      case 'reconnect': {
        const p = pairs[cmd.pair % pairs.length] as Pair
        // the same token: one that has expired is refused as it opens
        reconnectPair(h, p, cmd.resume, (two, since) => open(p, two, since))
        break
      }
    }
    if (held) {
      held = false
      continue
    }
    await h.settle()
    compare(JSON.stringify(cmd))
  }
  await h.settle()
  compare('the end')
}

test('grouped readers with limited or expiring tokens get what the per-connection path gives them, and nothing after expiry', async (t) => {
  const runs = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 120)
  t.mock.method(performance, 'now', lagged)
  slow.on = false
  const setting = fc.record({ who: fc.nat(WHO.length - 1), channels: fc.nat(CHANNELS.length - 1), expiry: fc.nat(EXPIRY.length - 1) })
  await fc.assert(
    fc.asyncProperty(
      // few settings: groups of members with the same key and, often, different expiries
      fc.array(fc.oneof(setting, fc.record({ who: fc.constantFrom(0, 2), channels: fc.constant(0), expiry: fc.nat(EXPIRY.length - 1) })), {
        minLength: 4,
        maxLength: 4,
      }),
      fc.array(cmdArb, { minLength: 5, maxLength: 30 }),
      async (settings, cmds) => run(settings, cmds),
    ),
    { numRuns: runs, includeErrorInReport: true, ...MODEL_REPLAY },
  )
  console.log(`group rights: ${JSON.stringify(stats)}`)
  if (MODEL_REPLAY.seed) return
  assert.ok(stats.shared > runs, `groups with several members: ${JSON.stringify(stats)}`)
  assert.ok(
    stats.expiredGrouped > 0 && stats.steppedPastExpiry > 0,
    `expiries reached in groups, steps past them: ${JSON.stringify(stats)}`,
  )
  assert.ok(stats.outsideChecked > 0, `stories checked against token limits: ${JSON.stringify(stats)}`)
})
