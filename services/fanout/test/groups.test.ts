// Broadcast groups (groups.ts) change how messages are written, never which: a connection whose
// one subscription is written through a group gets exactly what the same subscription gets on
// the per-connection path. Each client here is a pair of connections with the same audience,
// channels and filter: A holds the one subscription `s` (grouped whenever it can be), B holds
// `s` plus a subscription that never matches (two subscriptions keep B on the per-connection
// path). Random events, bursts, kills, embargo releases, entries of a live story (story:a),
// pings (a control message takes A out of its group), slow sockets (A leaves, conflation and
// gaps), reconnects and resumes: after every step, A's messages for `s` equal B's. Pairs with the
// same settings share one group. Two kinds of race reach what a member holds apart from its
// settings: `hold` lets the next command come before the hub runs (a client subscribes while the
// store holds records the live loop has not read), and `lag` is a slow machine whose passes
// breathe after every record (members join groups mid-pass, between a reset's snapshot and the
// records it already holds). Story pairs differ in their snapshot size, which is no input of a
// live decision.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Article, ArticleEvent } from '@newswire/shared'
import fc from 'fast-check'
import type { AudienceScope } from '../src/audience.ts'
import { unrestricted } from '../src/audience.ts'
import { groupKey } from '../src/groups.ts'
import type { Conn, Sub } from '../src/model.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event, freshEventIds } from './support/events.ts'
import type { FakeTransport } from './support/harness.ts'
import { ofS, pingPair, reconnectPair, slowPair } from './support/pair-commands.ts'
import { lagged, slow } from './support/slow-machine.ts'

const WHO: { audience: 'public' | 'newsroom'; scope: AudienceScope }[] = [
  { audience: 'public', scope: unrestricted },
  { audience: 'newsroom', scope: unrestricted },
  { audience: 'newsroom', scope: { categories: null, languages: null, embargo: false } },
]
const CHANNELS = [['category:home'], ['breaking'], ['category:world', 'lang:en'], [], ['story:a']]
const FILTERS: Record<string, unknown>[] = [{}, { maxUrgency: 3 }]
const IDS = ['a', 'b', 'c']
// latest entries in a story subscription's snapshot (null: the default)
const ENTRIES = [null, 1]

type Cmd =
  | { k: 'post'; id: number; home: boolean; urgency: number; embargo: 'none' | 'soon' | 'later'; withheld: boolean; n: number }
  | { k: 'kill'; id: number }
  | { k: 'entry'; id: number; embargo: 'none' | 'soon'; withheld: boolean; n: number }
  | { k: 'tick'; ms: number }
  | { k: 'ping'; pair: number }
  | { k: 'slow'; pair: number; on: boolean }
  | { k: 'reconnect'; pair: number; resume: boolean }
  | { k: 'hold' }
  | { k: 'lag'; on: boolean }

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
  { weight: 2, arbitrary: fc.record({ k: fc.constant('reconnect' as const), pair: fc.nat(3), resume: fc.boolean() }) },
  // the next command comes before the hub runs
  { weight: 3, arbitrary: fc.constant({ k: 'hold' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('lag' as const), on: fc.boolean() }) },
)

// Live story `a` alone: every pair follows story:a, so most share a group. The story goes in and
// out of view around entries, clients subscribe between a batch's records reaching the store and
// the live loop reading them, the machine is slow (`lag`). Two members with the same settings then
// hold different things: one subscribed after a batch hid the story does not show it while the
// live loop still delivers the batch's entries to the others (groups.ts groupKey: `shown`); one
// reset mid-pass holds entries the live loop has yet to read, another with a smaller snapshot
// does not (joinable: `gateFrom`). Neither may share a group's decisions before that passes.
const storyCmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 24,
    arbitrary: fc.record({
      k: fc.constant('post' as const),
      id: fc.constant(0),
      home: fc.constant(true),
      urgency: fc.constantFrom(1, 5),
      embargo: fc.constantFrom('none' as const, 'none' as const, 'soon' as const),
      withheld: fc.constantFrom(false, false, true),
      n: fc.constant(1),
    }),
  },
  // rare: a killed story is out of public view for the rest of the run
  { weight: 1, arbitrary: fc.constant({ k: 'kill' as const, id: 0 }) },
  {
    weight: 36,
    arbitrary: fc.record({
      k: fc.constant('entry' as const),
      id: fc.nat(2),
      embargo: fc.constantFrom('none' as const, 'none' as const, 'soon' as const),
      withheld: fc.constantFrom(false, false, true),
      n: fc.constantFrom(1, 2, 3),
    }),
  },
  { weight: 12, arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.constantFrom(100, 400) }) },
  {
    weight: 24,
    arbitrary: fc.record({ k: fc.constant('reconnect' as const), pair: fc.nat(3), resume: fc.constantFrom(false, false, false, true) }),
  },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('ping' as const), pair: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('lag' as const), on: fc.boolean() }) },
)

const clientCmd = (c: Cmd) => c.k === 'reconnect' || c.k === 'ping'

interface Side {
  conn: Conn
  t: FakeTransport
}

interface Setting {
  who: number
  channels: number
  filter: number
  entries: number
}

interface Pair extends Setting {
  a: Side
  b: Side
}

const stats = { runs: 0, shared: 0, blockedWhileGrouped: 0, messages: 0, storyShared: 0, entries: 0, held: 0, lagging: 0 }

async function run(settings: Setting[], lag: boolean, cmds: Cmd[]): Promise<void> {
  freshEventIds()
  stats.runs++
  slow.on = lag
  const h = new Harness({ historySize: 60, limits: { maxPending: 50, maxBufferedBytes: 1000, slowClientMs: 10_000 } })
  h.start()
  await h.settle()
  const versions = new Map<string, number>()
  const articles = new Map<string, Article>()
  let seq = 0

  const open = (p: Setting, two: boolean, since: string | null): Side => {
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
        ...(channels.some((c) => c.startsWith('story:')) ? { entries: ENTRIES[p.entries] ?? null } : {}),
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
      assert.deepEqual(a, b, `pair ${i} (${JSON.stringify({ who: p.who, ch: p.channels, f: p.filter, n: p.entries })}) after ${why}`)
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

  let held = false
  for (const cmd of cmds) {
    switch (cmd.k) {
      case 'hold':
        held = true
        continue
      case 'lag':
        slow.on = cmd.on
        break
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
      case 'ping':
        pingPair(h, pairs[cmd.pair % pairs.length] as Pair)
        break
      case 'slow':
        slowPair(h, pairs[cmd.pair % pairs.length] as Pair, cmd.on)
        break
      case 'reconnect': {
        const p = pairs[cmd.pair % pairs.length] as Pair
        reconnectPair(h, p, cmd.resume, (two, since) => open(p, two, since))
        break
      }
    }
    if (held) {
      // the hub has not run: what the store holds is ahead of the live loop
      held = false
      stats.held++
      continue
    }
    if (slow.on) stats.lagging++
    await h.settle()
    compare(JSON.stringify(cmd))
  }
  await h.settle()
  compare('the end')
  slow.on = false
}

test('a subscription written through its broadcast group gets exactly what the per-connection path gives it', async (t) => {
  const runs = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 150)
  t.mock.method(performance, 'now', lagged)
  const setting = fc.record({
    who: fc.nat(WHO.length - 1),
    channels: fc.nat(CHANNELS.length - 1),
    filter: fc.nat(FILTERS.length - 1),
    entries: fc.nat(ENTRIES.length - 1),
  })
  const story = { who: 0, channels: 4, filter: 0 }
  await fc.assert(
    fc.asyncProperty(
      // four pairs drawn from few settings: groups of one to four members
      fc.array(
        fc.oneof(
          setting,
          fc.constant({ who: 0, channels: 0, filter: 0, entries: 0 }),
          fc.constant({ ...story, entries: 0 }),
          fc.constant({ ...story, entries: 1 }),
        ),
        { minLength: 4, maxLength: 4 },
      ),
      fc.array(cmdArb, { minLength: 5, maxLength: 30 }),
      async (settings, cmds) => run(settings, false, cmds),
    ),
    { numRuns: runs },
  )
  console.log(`groups: ${JSON.stringify(stats)}`)
  // the runs reached the paths under test
  assert.ok(stats.shared > runs, `groups with several members: ${JSON.stringify(stats)}`)
  assert.ok(stats.blockedWhileGrouped > 0, `slow members beside grouped ones: ${JSON.stringify(stats)}`)
  assert.ok(stats.storyShared > 0 && stats.entries > 0, `story subscriptions in groups, entries delivered: ${JSON.stringify(stats)}`)
})

test('members of a live story group get what the per-connection path gives them, whenever they subscribed', async (t) => {
  // the mutants of groupKey's `shown` and joinable's `gateFrom` fail within ~15 runs on average
  const runs = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 100)
  t.mock.method(performance, 'now', lagged)
  const before = { ...stats }
  const setting = fc.record({
    who: fc.constantFrom(0, 0, 0, 1),
    channels: fc.constant(4),
    filter: fc.constantFrom(0, 0, 1),
    entries: fc.nat(ENTRIES.length - 1),
  })
  await fc.assert(
    fc.asyncProperty(
      fc.array(setting, { minLength: 4, maxLength: 4 }),
      // slow from the start (a `lag` command may end it)
      fc.constant(true),
      // batches: what reaches the server between two passes of the hub
      fc.array(fc.array(storyCmdArb, { minLength: 1, maxLength: 6 }), { minLength: 3, maxLength: 16 }),
      async (settings, lag, batches) =>
        run(
          settings,
          lag,
          // the feed's records of a batch, then its clients' messages
          batches
            .map((b) => [...b.filter((c) => !clientCmd(c)), ...b.filter(clientCmd)])
            .flatMap((b) => b.flatMap((c, i): Cmd[] => (i < b.length - 1 ? [{ k: 'hold' }, c] : [c]))),
        ),
    ),
    { numRuns: runs },
  )
  console.log(`story groups: ${JSON.stringify(stats)}`)
  assert.ok(stats.storyShared - before.storyShared > runs, `story groups with several members: ${JSON.stringify(stats)}`)
  assert.ok(stats.held > before.held && stats.lagging > before.lagging, `races: ${JSON.stringify(stats)}`)
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

test('a group larger than a write run: every member gets every message once, on its own connection; a slow one leaves', async () => {
  // The writer reads members' transports 32 at a time (writer.ts lookAhead): 100 members cross
  // three run boundaries, and the slow member sits past the first
  const h = new Harness({ limits: { maxBufferedBytes: 1000 } })
  h.start()
  const clients = Array.from({ length: 100 }, () => h.connect('public'))
  for (const c of clients)
    h.hub.handle(c.conn, {
      type: 'subscribe',
      id: 's',
      channels: parseChannels(['breaking'], 's'),
      filter: parseFilter({}, 's'),
      since: null,
      catchUp: 'all',
    })
  await h.settle()
  const grouped = clients.filter((c) => c.conn.grouped).length
  assert.equal(grouped, 100, 'all in one group before the events')
  const slow = clients[40] as (typeof clients)[number]
  const ids = (c: (typeof clients)[number]) =>
    c.t.messages.filter((m) => m.type === 'event').map((m) => (m.event as { article: Article }).article.id)
  for (let n = 0; n < 3; n++) {
    h.append(event('CREATED', { id: `x${n}`, version: 1, breaking: true, urgency: 1 }, h.clock.now()))
    await h.settle()
    if (n === 0) slow.t.backlog = 5000
  }
  for (const [i, c] of clients.entries()) {
    if (c === slow) continue
    assert.deepEqual(ids(c), ['x0', 'x1', 'x2'], `member ${i}`)
  }
  // over the limit: out of the group, its messages wait in its own queue until the socket drains
  assert.equal(slow.conn.grouped, null)
  assert.deepEqual(ids(slow), ['x0'])
  slow.t.backlog = 0
  h.hub.drained(slow.conn)
  await h.settle()
  assert.deepEqual(ids(slow), ['x0', 'x1', 'x2'])
})
