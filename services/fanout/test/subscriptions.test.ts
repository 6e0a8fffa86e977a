// The subscription index against a reference model: random subscriptions going live, leaving,
// joining and leaving broadcast groups (through the real BroadcastGroups, as the writer does) and
// the live loop falling behind (drain). After every step, `deciders` gives exactly one subscription
// per decision under the keys asked for: each subscription outside a group, and one live member of
// each group with one, never a subscription that is not live; `candidates` gives every live one.
// Subscriptions may also leave the index while still in a group, or join one while out of it,
// which the hub never does; at the end, with everything gone, the index holds nothing.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { unrestricted } from '../src/audience.ts'
import { emptyFilter, indexKeysOfChannels } from '../src/channels.ts'
import { BroadcastGroups } from '../src/groups.ts'
import type { Conn, Sub } from '../src/model.ts'
import { parseChannels } from '../src/protocol.ts'
import { SubscriptionIndex } from '../src/subscriptions.ts'

const CHANNELS = [['breaking'], ['category:world'], ['breaking', 'lang:bn']]

function makeSub(i: number, channels: string[]): Sub {
  const conn = {
    id: i,
    audience: 'public',
    clearance: 'public',
    transport: { kind: 'ws' },
    scope: unrestricted,
    grouped: null,
  } as unknown as Conn
  const parsed = parseChannels(channels, 's')
  return {
    id: 's',
    conn,
    channels: parsed,
    filter: emptyFilter,
    keys: indexKeysOfChannels(parsed),
    state: 'pending',
    inherited: false,
    mark: -1,
    catchUp: 'none',
    group: null,
  } as unknown as Sub
}

type Op = { k: 'live' | 'drop' | 'unindex' | 'join' | 'leave'; i: number } | { k: 'drain' } | { k: 'match'; keys: string[] }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      k: fc.constantFrom(
        'live' as const,
        'live' as const,
        'drop' as const,
        'unindex' as const,
        'join' as const,
        'join' as const,
        'leave' as const,
      ),
      i: fc.nat(7),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ k: 'drain' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('match' as const),
      keys: fc.subarray(['breaking', 'category:world', 'lang:bn', '*'], { minLength: 1 }),
    }),
  },
)

test('deciders: one per group and one per subscription outside a group, live ones only; candidates: every live one', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 60 }), fc.array(fc.nat(CHANNELS.length - 1), { minLength: 8, maxLength: 8 }), (ops, chans) => {
      const index = new SubscriptionIndex()
      const groups = new BroadcastGroups(index)
      const subs = chans.map((c, i) => makeSub(i, CHANNELS[c] as string[]))
      // the model: which subscriptions are live (indexed)
      const live = new Set<Sub>()
      let mark = 0
      const check = (keys: string[]) => {
        const under = (s: Sub) => s.keys.some((k) => keys.includes(k))
        const expectLive = [...live].filter(under)
        const got = index.deciders(keys, ++mark)
        assert.equal(new Set(got).size, got.length, 'a subscription twice')
        for (const s of got) assert.ok(live.has(s), 'a decider that is not live')
        const solo = expectLive.filter((s) => !s.group)
        const byGroup = new Set(expectLive.filter((s) => s.group).map((s) => s.group))
        assert.equal(got.length, solo.length + byGroup.size)
        for (const s of solo) assert.ok(got.includes(s), 'a subscription outside a group is missing')
        for (const g of byGroup) assert.equal(got.filter((s) => s.group === g).length, 1, 'a group decided other than once')
        const all = index.candidates(keys, ++mark)
        assert.deepEqual(new Set(all), new Set(expectLive))
      }
      for (const op of ops) {
        if (op.k === 'match') {
          check(op.keys)
          continue
        }
        if (op.k === 'drain') {
          const drained = index.drain()
          assert.deepEqual(new Set(drained), live)
          live.clear()
          // as the hub does after a drain: every drained subscription leaves its group
          for (const s of drained) groups.leave(s)
          continue
        }
        const s = subs[op.i] as Sub
        if (op.k === 'live' && !live.has(s)) {
          index.add(s)
          live.add(s)
        } else if (op.k === 'drop' && live.has(s)) {
          // hub.dropSub: out of its group, then out of the index
          groups.leave(s)
          index.remove(s)
          live.delete(s)
        } else if (op.k === 'unindex' && live.has(s)) {
          // out of the index while still in its group (the hub ungroups first; the index must not care)
          index.remove(s)
          live.delete(s)
        } else if (op.k === 'join' && !s.group) {
          // the hub groups only live subscriptions; the index must not care
          groups.join(s)
        } else if (op.k === 'leave') groups.leave(s)
      }
      check(['breaking', 'category:world', 'lang:bn', '*'])
      // a group with no live member is not kept under its keys
      for (const s of subs) groups.leave(s)
      for (const k of ['breaking', 'category:world', 'lang:bn'])
        assert.equal(index.decidersUnder(k), [...live].filter((s) => s.keys.includes(k)).length)
      index.drain()
      assert.ok(index.isEmpty(), 'the index holds something after everything left it')
    }),
    { numRuns: 300 },
  )
})

test('a group of 1,000 members is one decider, and stays one while members come and go', () => {
  const index = new SubscriptionIndex()
  const groups = new BroadcastGroups(index)
  const subs = Array.from({ length: 1000 }, (_, i) => makeSub(i, ['breaking']))
  for (const s of subs) {
    index.add(s)
    groups.join(s)
  }
  assert.equal(index.deciders(['breaking'], 1).length, 1)
  assert.equal(index.candidates(['breaking'], 2).length, 1000)
  groups.leave(subs[0] as Sub)
  index.remove(subs[0] as Sub)
  groups.leave(subs[1] as Sub)
  const d = index.deciders(['breaking'], 3)
  assert.equal(d.length, 2)
  assert.ok(d.includes(subs[1] as Sub))
  assert.ok(!d.includes(subs[0] as Sub))
})

test('a member out of the index does not stand for its group, and back in it is its group again', () => {
  const index = new SubscriptionIndex()
  const groups = new BroadcastGroups(index)
  const [a, b] = [makeSub(1, ['breaking']), makeSub(2, ['breaking'])] as [Sub, Sub]
  index.add(a)
  index.add(b)
  groups.join(a)
  groups.join(b)
  index.remove(a)
  assert.deepEqual(index.deciders(['breaking'], 1), [b])
  index.add(a)
  assert.equal(index.deciders(['breaking'], 2).length, 1)
  assert.equal(index.decidersUnder('breaking'), 1)
  // a stands for the group now that b has left it
  groups.leave(b)
  assert.deepEqual(new Set(index.deciders(['breaking'], 3)), new Set([a, b]))
})
