// Broadcast groups (groups.ts) change how messages are written, never which: a connection whose
// one subscription is written through a group gets exactly what the same subscription gets on
// the per-connection path. Each client here is a pair of connections with the same audience,
// channels and filter: A holds the one subscription `s` (grouped whenever it can be), B holds
// `s` plus a subscription that never matches (two subscriptions keep B on the per-connection
// path). Random events, bursts, kills, embargo releases, entries of a live story (story:a),
// pings (a control message takes A out of its group), slow sockets (A leaves, conflation and
// gaps), reconnects and resumes: after every step, A's messages for `s` equal B's. Pairs with the
// same settings share one group.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Article, ArticleEvent } from '@newswire/shared'
import fc from 'fast-check'
import type { AudienceScope } from '../src/audience.ts'
import { unrestricted } from '../src/audience.ts'
import { groupKey } from '../src/groups.ts'
import type { Conn, Sub } from '../src/model.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { entryEvent, event, Harness } from './support/harness.ts'
import type { FakeTransport, Message } from './support/harness.ts'

const WHO: { audience: 'public' | 'newsroom'; scope: AudienceScope }[] = [
  { audience: 'public', scope: unrestricted },
  { audience: 'newsroom', scope: unrestricted },
  { audience: 'newsroom', scope: { categories: null, languages: null, embargo: false } },
]
const CHANNELS = [['category:home'], ['breaking'], ['category:world', 'lang:en'], [], ['story:a']]
const FILTERS: Record<string, unknown>[] = [{}, { maxUrgency: 3 }]
const IDS = ['a', 'b', 'c']

type Cmd =
  | { k: 'post'; id: number; home: boolean; urgency: number; embargo: 'none' | 'soon' | 'later'; withheld: boolean; n: number }
  | { k: 'kill'; id: number }
  | { k: 'entry'; id: number; embargo: 'none' | 'soon'; withheld: boolean; n: number }
  | { k: 'tick'; ms: number }
  | { k: 'ping'; pair: number }
  | { k: 'slow'; pair: number; on: boolean }
  | { k: 'reconnect'; pair: number; resume: boolean }

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      k: fc.constant('post' as const),
      id: fc.nat(IDS.length - 1),
      home: fc.boolean(),
      urgency: fc.constantFrom(1, 2, 5, 6),
      embargo: fc.constantFrom('none' as const, 'none' as const, 'none' as const, 'soon' as const, 'later' as const),
      withheld: fc.boolean(),
      // several events before the hub runs: one pass, one write
      n: fc.constantFrom(1, 1, 3, 40),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('kill' as const), id: fc.nat(IDS.length - 1) }) },
  {
    // entries of live story `a` (story:a subscribers; its versions come through `post` id 0)
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('entry' as const),
      id: fc.nat(2),
      embargo: fc.constantFrom('none' as const, 'none' as const, 'soon' as const),
      withheld: fc.boolean(),
      n: fc.constantFrom(1, 1, 3, 20),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.constantFrom(100, 400, 6000, 11_000) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('ping' as const), pair: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('slow' as const), pair: fc.nat(3), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('reconnect' as const), pair: fc.nat(3), resume: fc.boolean() }) },
)

interface Side {
  conn: Conn
  t: FakeTransport
}

interface Pair {
  who: number
  channels: number
  filter: number
  a: Side
  b: Side
}

const stats = { runs: 0, shared: 0, blockedWhileGrouped: 0, messages: 0, storyShared: 0, entries: 0 }

const ofS = (ms: Message[]) => ms.filter((m) => m.id !== 'x')

async function run(settings: { who: number; channels: number; filter: number }[], cmds: Cmd[]): Promise<void> {
  stats.runs++
  const h = new Harness({ historySize: 60, limits: { maxPending: 50, maxBufferedBytes: 1000, slowClientMs: 10_000 } })
  h.start()
  await h.settle()
  const versions = new Map<string, number>()
  const articles = new Map<string, Article>()
  let seq = 0

  const open = (p: Omit<Pair, 'a' | 'b'>, two: boolean, since: string | null): Side => {
    const w = WHO[p.who] as (typeof WHO)[number]
    const side = h.connect(w.audience, w.scope)
    const sub = (id: string, channels: string[], filter: Record<string, unknown>, from: string | null) =>
      h.hub.handle(side.conn, {
        type: 'subscribe',
        id,
        channels: parseChannels(channels, id),
        filter: parseFilter(filter, id),
        since: from,
        catchUp: 'all',
      })
    if (two) sub('x', ['category:never'], {}, null)
    sub('s', CHANNELS[p.channels] as string[], FILTERS[p.filter] as Record<string, unknown>, since)
    return side
  }
  const pairs: Pair[] = settings.map((s) => ({ ...s, a: open(s, false, null), b: open(s, true, null) }))
  await h.settle()

  const compare = (why: string) => {
    for (const [i, p] of pairs.entries()) {
      const a = ofS(p.a.t.messages)
      const b = ofS(p.b.t.messages)
      stats.messages += a.length
      stats.entries += a.filter((m) => m.type === 'entry').length
      assert.deepEqual(a, b, `pair ${i} (${JSON.stringify({ who: p.who, ch: p.channels, f: p.filter })}) after ${why}`)
      assert.deepEqual(p.a.t.closed, p.b.t.closed, `pair ${i} closed differently after ${why}`)
    }
    const groups = new Set<unknown>()
    for (const p of pairs) {
      const sub = p.a.conn.subs.get('s') as Sub | undefined
      if (sub?.group && sub.group.members.size > 1) {
        groups.add(sub.group)
        if (sub.story) stats.storyShared++
      }
      if (p.a.t.backlog > 0 && pairs.some((q) => q.a.conn.grouped)) stats.blockedWhileGrouped++
    }
    stats.shared += groups.size
  }

  const post = (id: string, o: Extract<Cmd, { k: 'post' }>, kill = false) => {
    const v = (versions.get(id) ?? 0) + 1
    versions.set(id, v)
    const now = h.clock.now()
    const at = o.embargo === 'soon' ? now + 300 : o.embargo === 'later' ? now + 5000 : null
    const e: ArticleEvent = event(
      kill ? 'WITHDRAWN' : v === 1 ? 'CREATED' : 'UPDATED',
      {
        id,
        version: v,
        category: o.home ? 'home' : 'world',
        urgency: o.urgency,
        pubStatus: o.withheld ? 'withheld' : 'usable',
        embargoedUntil: at,
        headline: `${id} v${v} ${seq++}`,
      },
      now,
    )
    articles.set(id, e.article)
    h.append(e)
  }

  const entry = (o: Extract<Cmd, { k: 'entry' }>, id: string) => {
    const story = articles.get('a')
    if (!story) return
    const key = `a/${id}`
    const v = (versions.get(key) ?? 0) + 1
    versions.set(key, v)
    const now = h.clock.now()
    const embargoedUntil = o.embargo === 'soon' ? now + 300 : null
    h.append(entryEvent(story, { id, seq: v, version: v, pubStatus: o.withheld ? 'withheld' : 'usable', embargoedUntil }, now))
  }

  for (const cmd of cmds) {
    switch (cmd.k) {
      case 'post':
        for (let i = 0; i < cmd.n; i++) post(i === 0 ? (IDS[cmd.id] as string) : `${IDS[cmd.id]}${i}`, cmd)
        break
      case 'kill':
        if (versions.has(IDS[cmd.id] as string))
          post(IDS[cmd.id] as string, { k: 'post', id: cmd.id, home: true, urgency: 5, embargo: 'none', withheld: false, n: 1 }, true)
        break
      case 'entry':
        for (let i = 0; i < cmd.n; i++) entry(cmd, `e${cmd.id}${i === 0 ? '' : `-${i}`}`)
        break
      case 'tick':
        h.clock.advance(cmd.ms)
        break
      case 'ping': {
        const p = pairs[cmd.pair % pairs.length] as Pair
        for (const side of [p.a, p.b]) if (!side.conn.closed) h.hub.handle(side.conn, { type: 'ping', id: null })
        break
      }
      case 'slow': {
        const p = pairs[cmd.pair % pairs.length] as Pair
        for (const side of [p.a, p.b]) {
          side.t.backlog = cmd.on ? 10_000 : 0
          if (!cmd.on) h.hub.drained(side.conn)
        }
        break
      }
      case 'reconnect': {
        const p = pairs[cmd.pair % pairs.length] as Pair
        const since = (side: Side) =>
          cmd.resume ? ([...ofS(side.t.messages)].reverse().find((m) => typeof m.position === 'string')?.position as string) : null
        const from = since(p.a)
        assert.equal(from, since(p.b))
        h.hub.conns.remove(p.a.conn)
        h.hub.conns.remove(p.b.conn)
        p.a = open(p, false, from ?? null)
        p.b = open(p, true, from ?? null)
        break
      }
    }
    await h.settle()
    compare(JSON.stringify(cmd))
  }
}

test('a subscription written through its broadcast group gets exactly what the per-connection path gives it', async () => {
  const runs = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 150)
  const setting = fc.record({ who: fc.nat(WHO.length - 1), channels: fc.nat(CHANNELS.length - 1), filter: fc.nat(FILTERS.length - 1) })
  await fc.assert(
    fc.asyncProperty(
      // four pairs drawn from few settings: groups of one to four members
      fc.array(fc.oneof(setting, fc.constant({ who: 0, channels: 0, filter: 0 }), fc.constant({ who: 0, channels: 4, filter: 0 })), {
        minLength: 4,
        maxLength: 4,
      }),
      fc.array(cmdArb, { minLength: 5, maxLength: 30 }),
      async (settings, cmds) => run(settings, cmds),
    ),
    { numRuns: runs },
  )
  console.log(`groups: ${JSON.stringify(stats)}`)
  // the runs reached the paths under test
  assert.ok(stats.shared > runs, `groups with several members: ${JSON.stringify(stats)}`)
  assert.ok(stats.blockedWhileGrouped > 0, `slow members beside grouped ones: ${JSON.stringify(stats)}`)
  assert.ok(stats.storyShared > 0 && stats.entries > 0, `story subscriptions in groups, entries delivered: ${JSON.stringify(stats)}`)
})

test('the group key holds every input of a live decision and its frame', () => {
  const h = new Harness()
  h.start()
  const base = h.connect('public')
  const key = (conn: Conn, o: { id?: string; channels?: string[]; filter?: Record<string, unknown>; since?: boolean } = {}) => {
    const sub = {
      id: o.id ?? 's',
      conn,
      channels: parseChannels(o.channels ?? ['category:home'], 's'),
      filter: parseFilter(o.filter ?? null, 's'),
      keys: [],
      state: 'live',
      cursor: { o: [], t: 0 },
      inherited: o.since === true,
      mark: -1,
      stopReplay: null,
      catchUp: 'all',
    } as unknown as Sub
    return groupKey(sub)
  }
  const k = key(base.conn)
  assert.equal(k, key(h.connect('public').conn), 'the same settings on another connection')
  const others = [
    key(h.connect('newsroom').conn),
    key(h.connect('newsroom', { categories: null, languages: null, embargo: false }).conn),
    key(h.connect('newsroom', { categories: ['home'], languages: null, embargo: true }).conn),
    key(base.conn, { id: 't' }),
    key(base.conn, { channels: ['breaking'] }),
    key(base.conn, { filter: { maxUrgency: 3 } }),
    key(base.conn, { since: true }),
  ]
  for (const o of others) assert.notEqual(o, k)
  assert.equal(new Set(others).size, others.length)
})
