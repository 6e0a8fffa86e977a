// red22b attack run (2026-12-07), overload: a reader whose socket fell behind had routine updates
// shed (a `gap`), and when it drained, the writer put the gap's position (the newest of the whole
// write) down as the last position written before it ordered the write, so every priority message
// that overtook a routine one carried that newest position: the first message of the write, a
// breaking story, claimed everything after it, a kill queued behind it too. A connection cut after
// that first message (the server's heartbeat terminating a socket still behind, a 4008 close whose
// tail never arrives, a phone losing its network) resumed from there and never heard of the kill.
// A reader must be able to stop anywhere in what it was sent and resume from the last position it
// read: here every cut of the write, each resumed on a fresh connection, hears of the kill; and one
// cut before the gap that ends the write, which never learnt that updates were shed, misses none
// of them (what was written after them claimed them: belowDropped).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import type { FakeTransport, Message } from './support/harness.ts'
import { event } from './support/events.ts'

type Msg = Message & { position?: string; articleId?: string }

const subscribe = (h: Harness, t: ReturnType<Harness['connect']>, since: string | null) =>
  h.hub.handle(t.conn, {
    type: 'subscribe',
    id: 's',
    channels: parseChannels([], 's'),
    filter: parseFilter(null, 's'),
    since,
    catchUp: 'all',
  })

const toldKill = (ms: readonly Message[], id: string) => ms.some((m) => m.type === 'withdrawn' && (m as Msg).articleId === id)

/**
 * A public reader shown story `b`; its socket stops taking writes; routine stories (more than half
 * FANOUT_MAX_PENDING, so some are shed), then a routine one, a breaking one and the kill of `b`;
 * the socket drains. Returns the reader's transport.
 */
async function fellBehind(h: Harness, routine: number): Promise<FakeTransport> {
  h.start()
  h.append(event('CREATED', { id: 'b', version: 1 }, h.clock.now()))
  await h.settle()
  const reader = h.connect('public')
  subscribe(h, reader, null)
  await h.settle()
  reader.t.backlog = 10 * 1024 * 1024
  for (let i = 0; i < routine; i++) h.append(event('CREATED', { id: `r${i}`, version: 1 }, h.clock.now()))
  await h.settle()
  h.append(event('CREATED', { id: 'a', version: 1 }, h.clock.now()))
  h.append(event('CREATED', { id: 'c', version: 1, urgency: 1 }, h.clock.now()))
  h.append(event('WITHDRAWN', { id: 'b', version: 2, pubStatus: 'canceled' }, h.clock.now(), { reason: 'legal' }))
  await h.settle()
  reader.t.backlog = 0
  h.hub.drained(reader.conn)
  await h.settle()
  assert.equal(reader.t.closed, null, 'the reader stays connected, as the case needs')
  return reader.t
}

for (const routine of [0, 7]) {
  test(`a reader cut anywhere in the write after it fell behind hears of the kill and misses nothing shed (${routine ? 'a gap' : 'no gap'})`, async () => {
    const h = new Harness({ partitions: 1, limits: { maxPending: 8 } })
    const t = await fellBehind(h, routine)
    const ms = t.messages as Msg[]
    assert.equal(
      ms.some((m) => m.type === 'gap'),
      routine > 0,
      'routine updates were shed (a gap) exactly when the case says',
    )
    const kill = ms.findIndex((m) => m.type === 'withdrawn' && m.articleId === 'b')
    const first = ms.findIndex((m) => m.type === 'event')
    assert.ok(first >= 0 && first < kill, 'a breaking story overtakes a routine one ahead of the kill, as the case needs')
    let cuts = 0
    for (let i = 0; i < ms.length; i++) {
      const at = ms[i]?.position
      if (at === undefined || at === null) continue
      const read = ms.slice(0, i + 1)
      const again = h.connect('public')
      subscribe(h, again, at)
      await h.settle()
      cuts++
      const heard = toldKill(read, 'b') || toldKill(again.t.messages, 'b')
      assert.ok(heard, `cut after message ${i} (${ms[i]?.type}), resumed from its position: never told of the kill`)
      // ...and, not having read the gap, it misses none of the stories shed before it
      if (!read.some((m) => m.type === 'gap')) {
        const got = new Set(
          [...read, ...again.t.messages].filter((m) => m.type === 'event').map((m) => (m.event as { article: { id: string } }).article.id),
        )
        const stories = ['a', 'c', ...Array.from({ length: routine }, (_, n) => `r${n}`)]
        assert.deepEqual(
          stories.filter((id) => !got.has(id)),
          [],
          `cut after message ${i} (${ms[i]?.type}) before the gap, resumed from its position: these stories never came`,
        )
      }
      h.hub.conns.remove(again.conn)
    }
    assert.ok(cuts >= 4, `every message of the write was a cut (${cuts})`)
  })
}
