import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { GapCount } from '../src/lanes.ts'
import { laneOfArticle, laneOfEvent, relieve, writeOrder } from '../src/lanes.ts'
import type { QueuedMessage } from '../src/queue.ts'

let seq = 0
const msg = (text: string, lane: QueuedMessage['lane'], key: string | null, sub = 's1', position = `p${seq}`): QueuedMessage => {
  const m: QueuedMessage = { key, data: Buffer.from(text), lane, sub, position, seq: seq++ }
  if (lane !== 'control') m.reframe = (p) => Buffer.from(`${text}@${p}`)
  return m
}
const texts = (bufs: Buffer[]) => bufs.map((b) => b.toString())

test('urgency 1-2 and flagged breaking items travel in the priority lane', () => {
  assert.equal(laneOfArticle({ urgency: 1, breaking: false }), 'priority')
  assert.equal(laneOfArticle({ urgency: 2, breaking: false }), 'priority')
  assert.equal(laneOfArticle({ urgency: 5, breaking: true }), 'priority')
  assert.equal(laneOfArticle({ urgency: 3, breaking: false }), 'routine')
})

test('a version that takes a story out of the running (withheld, canceled, flagged embargoed) is priority: never shed (red13)', () => {
  const routine = { urgency: 5, breaking: false, pubStatus: 'usable' as const }
  assert.equal(laneOfEvent(routine, false), 'routine')
  assert.equal(laneOfEvent(routine, true), 'priority')
  assert.equal(laneOfEvent({ ...routine, pubStatus: 'withheld' }, false), 'priority')
  assert.equal(laneOfEvent({ ...routine, pubStatus: 'canceled' }, false), 'priority')
  assert.equal(laneOfEvent({ ...routine, urgency: 1 }, false), 'priority')
})

test('relieve conflates per (subscription, article), then sheds the oldest routine messages beyond the budget', () => {
  const gaps = new Map<string, GapCount>()
  const q = [
    msg('sub', 'control', null),
    msg('r1', 'routine', 'a'),
    msg('r2', 'routine', 'b'),
    msg('b1', 'priority', 'x'),
    msg('r3', 'routine', 'a'), // replaces r1
    msg('r4', 'routine', 'c'),
    msg('r5', 'routine', 'd'),
    msg('other-sub', 'routine', 'a', 's2'),
  ]
  const r4 = q[5] as QueuedMessage
  const r = relieve(q, 2, gaps)
  assert.equal(r.conflated, 1)
  // routine left after conflation: r2, r3, r4, r5, other-sub = 5; budget 2 → the 3 oldest go
  assert.equal(r.shed, 3)
  assert.deepEqual(
    r.queue.map((m) => m.data.toString()),
    ['sub', 'b1', 'r5', 'other-sub'],
  )
  // the gap stands at the newest message dropped (r4), whose position the client resumes from;
  // what is written after the oldest dropped (r1) claims nothing past it (red22b: belowDropped)
  const r1 = q[1] as QueuedMessage
  assert.deepEqual(gaps.get('s1'), { shed: 3, conflated: 1, seq: r4.seq, position: r4.position, first: r1.seq })
  assert.equal(gaps.get('s2'), undefined)
})

test('a routine update of an article queued as breaking keeps the breaking lane (never shed)', () => {
  const gaps = new Map<string, GapCount>()
  const r = relieve([msg('b1', 'priority', 'x'), msg('r1', 'routine', 'x'), msg('r2', 'routine', 'y')], 0, gaps)
  assert.deepEqual(
    r.queue.map((m) => [m.data.toString(), m.lane]),
    [['r1', 'priority']],
  )
  assert.equal(r.shed, 1)
  assert.equal(r.conflated, 1)
})

test('writeOrder puts priority first within each stretch between control messages, re-framing overtakers', () => {
  const last = new Map<string, string>([['s1', 'P0']])
  const q = [
    msg('r1', 'routine', 'a', 's1', 'P1'),
    msg('r2', 'routine', 'b', 's2', 'Q1'),
    msg('b1', 'priority', 'x', 's1', 'P2'),
    msg('b2', 'priority', 'y', 's3', 'R1'),
    msg('unsub', 'control', null, 's1', null as unknown as string),
    msg('r3', 'routine', 'c', 's1', 'P3'),
    msg('b3', 'priority', 'z', 's1', 'P4'),
  ]
  const out = texts(writeOrder(q, last))
  // b1 overtakes r1 of its own subscription: it carries the position before r1 (P0), and r1, the
  // last of s1 in the stretch, carries b1's (P2): a client that read both resumes after both. b2
  // overtakes nothing of s3 and keeps its own; after `unsub`, b3 overtakes r3 and carries P2
  assert.deepEqual(out, ['b1@P0', 'b2', 'r1@P2', 'r2', 'unsub', 'b3@P2', 'r3@P4'])
  assert.equal(last.get('s1'), 'P4')
  assert.equal(last.get('s3'), 'R1')
})

test('writeOrder never lets a breaking version overtake an earlier version of the same article', () => {
  const last = new Map<string, string>([['s1', 'P0']])
  const q = [
    msg('x1', 'routine', 'x', 's1', 'P1'),
    msg('y1', 'routine', 'y', 's1', 'P2'),
    msg('x2', 'priority', 'x', 's1', 'P3'),
    msg('z1', 'priority', 'z', 's1', 'P4'),
    msg('x3', 'priority', 'x', 's1', 'P5'),
  ]
  assert.deepEqual(texts(writeOrder(q, last)), ['z1@P0', 'x1', 'y1', 'x2', 'x3'])
})

test('writeOrder leaves a queue without overtaking untouched', () => {
  const last = new Map<string, string>()
  const q = [msg('b1', 'priority', 'x'), msg('r1', 'routine', 'a'), msg('c', 'control', null)]
  assert.deepEqual(texts(writeOrder(q, last)), ['b1', 'r1', 'c'])
})

test("writeOrder with overtaking records a control message written last as its subscription's last position", () => {
  const last = new Map<string, string>()
  const q = [msg('r1', 'routine', 'a'), msg('b1', 'priority', 'x'), msg('c', 'control', null)]
  writeOrder(q, last)
  // the next overtaker is re-framed at what the client last got: the control message (a reset, a gap)
  assert.equal(last.get('s1'), q[2]?.position)
})

test("writeOrder in queue order still records each subscription's last position, however their messages interleave", () => {
  const last = new Map<string, string>()
  const q = [
    msg('a1', 'routine', 'a', 's1'),
    msg('b1', 'routine', 'b', 's2'),
    msg('a2', 'routine', 'c', 's1'),
    msg('b2', 'routine', 'd', 's2'),
  ]
  assert.deepEqual(texts(writeOrder(q, last)), ['a1', 'b1', 'a2', 'b2'])
  // a later overtaker of s1 is re-framed at what s1's client last got (a2), not at an older one or its own
  assert.deepEqual(Object.fromEntries(last), { s1: q[2]?.position, s2: q[3]?.position })
})

test("a story's own messages never overtake its entries queued before them; another article's still do", () => {
  const q = [
    msg('entry-e2', 'routine', 'Live-1/entries/e2'),
    msg('other', 'routine', 'Other-9'),
    msg('kill-live-1', 'priority', 'Live-1'),
    msg('breaking-x', 'priority', 'X-1'),
  ]
  assert.deepEqual(
    texts(writeOrder(q, new Map())).map((t) => t.split('@')[0]),
    ['breaking-x', 'entry-e2', 'other', 'kill-live-1'],
  )
})
