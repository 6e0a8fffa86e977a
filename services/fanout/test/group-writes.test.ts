// Compressed batches (http/ws-framing.ts): only a broadcast group's shared write may go
// compressed, once for every member; a connection's own write (its `subscribed` snapshot, a
// replay, answers such as `pong` and `error`, gaps) never is. Two halves: the writer says which
// write is which (a group's or a connection's own), and the framing compresses only the former.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createFramings } from '../src/http/ws-framing.ts'
import { wsTextFrameOf } from '../src/messages.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'

const RSV1 = 0x40

/** The first byte of every frame in `bytes` (final text frames, unmasked, back to back). */
function frameHeads(bytes: Buffer): number[] {
  const heads: number[] = []
  for (let at = 0; at < bytes.length; ) {
    const len7 = (bytes[at + 1] as number) & 0x7f
    const head = len7 === 127 ? 10 : len7 === 126 ? 4 : 2
    const n = len7 === 127 ? Number(bytes.readBigUInt64BE(at + 2)) : len7 === 126 ? bytes.readUInt16BE(at + 2) : len7
    heads.push(bytes[at] as number)
    at += head + n
  }
  return heads
}

const message = (i: number) => wsTextFrameOf(JSON.stringify({ type: 'event', i, text: 'খবর এসেছে '.repeat(40) }))

test("the writer marks a group's write as shared and a connection's own writes as not", async () => {
  const h = new Harness()
  h.start()
  const subscribe = (c: ReturnType<Harness['connect']>, id: string) =>
    h.hub.handle(c.conn, {
      type: 'subscribe',
      id,
      channels: parseChannels(['breaking'], id),
      filter: parseFilter({}, id),
      since: null,
      catchUp: 'all',
    })
  const alone = h.connect('public')
  const two = h.connect('public')
  subscribe(alone, 's')
  subscribe(two, 's')
  subscribe(two, 't')
  await h.settle()
  assert.ok(alone.conn.grouped, 'one live subscription: written through its group')
  assert.equal(two.conn.grouped, null, 'two subscriptions: the per-connection path')
  h.append(event('CREATED', { id: 'a', version: 1, breaking: true, urgency: 1 }, h.clock.now()))
  await h.settle()
  h.hub.handle(alone.conn, { type: 'ping', id: 'p' })
  await h.settle()
  h.append(event('CREATED', { id: 'b', version: 1, breaking: true, urgency: 1 }, h.clock.now()))
  await h.settle()
  const marks = (t: typeof alone.t) =>
    t.messages.map((m, i) => `${m.type}${m.type === 'event' ? `:${m.id}` : ''} ${t.group[i] ? 'group' : 'own'}`)
  assert.deepEqual(marks(alone.t), ['subscribed own', 'event:s group', 'pong own', 'event:s group'])
  assert.deepEqual(marks(two.t), ['subscribed own', 'subscribed own', 'event:s own', 'event:t own', 'event:s own', 'event:t own'])
  // what the sockets were handed is counted apart from the messages' own bytes (the same here: no compression)
  const wire = (await h.metrics.wireBytes.get()).values.find((v) => v.labels.transport === 'ws')?.value
  const framed = (await h.metrics.bytes.get()).values.find((v) => v.labels.transport === 'ws')?.value
  assert.ok(wire !== undefined && wire > 0 && wire === framed, `wire ${wire}, framed ${framed}`)
})

test("compressed batches: a group's write goes compressed, once for every member; a connection's own write does not", () => {
  const { deflate, batch, plain } = createFramings(1)
  const frames = Array.from({ length: 7 }, (_, i) => message(i))
  const shared = deflate.group(frames)
  assert.ok(
    frameHeads(shared).every((b) => (b & RSV1) !== 0),
    'RSV1 on every frame of the group write',
  )
  assert.ok(shared.length < batch.group(frames).length / 3, 'and smaller')
  assert.equal(deflate.group(frames), shared, 'the next member gets the same buffer: compressed once')
  // the same messages as the connection's own write (a snapshot, a replay): a batch, RSV1 clear
  const own = deflate.own([...frames])
  assert.ok(
    frameHeads(own).every((b) => (b & RSV1) === 0),
    'no frame of its own write is compressed',
  )
  assert.deepEqual(own, batch.own([...frames]))
  // a lone message of a group write is compressed too; of an own write, it is the message's frame
  assert.equal(((deflate.group([message(0)])[0] as number) & RSV1) !== 0, true)
  const lone = message(1)
  assert.equal(deflate.own([lone]), lone)
  for (const f of [plain.own, plain.group, batch.own, batch.group])
    assert.ok(
      frameHeads(f(frames)).every((b) => (b & RSV1) === 0),
      'only compressed batches compress',
    )
})

test('a write is packed again unless it holds the very same frames: another flush sharing some of its frames gets its own buffer', () => {
  // frames are shared between flushes (an event framed once for several groups): a flush that
  // starts or ends with the same buffers may hold others, another group's
  const [a, b, c] = [message(0), message(1), message(2)]
  const cases: [Buffer[], Buffer[]][] = [
    [
      [a, b],
      [a, c],
    ],
    [
      [a, b],
      [c, b],
    ],
    [
      [a, b, c],
      [a, b, a],
    ],
    [
      [a, b, c],
      [a, b],
    ],
    [
      [a, b],
      [a, b, c],
    ],
  ]
  const shared = createFramings(1)
  for (const kind of ['plain', 'batch', 'deflate'] as const)
    for (const side of ['own', 'group'] as const)
      for (const [first, next] of cases) {
        shared[kind][side](first)
        assert.deepEqual(
          shared[kind][side](next),
          createFramings(1)[kind][side](next),
          `${kind} ${side}: ${first.length} frames, then ${next.length} sharing some`,
        )
      }
})
