// red23c attack run (2026-12-07): the writer looked at the clock only every run of 32 members of
// one broadcast group, never between groups. Readers whose subscriptions differ (their ids: a raw
// client's, an app's own; their views) are as many groups of one, and a write to all of them ran
// to its end without yielding: the event loop held for the whole write (pings, handshakes, the
// token timers), and every member's token judged against the clock read when the write began. On a
// loaded host, newsroom readers whose tokens expired part way through were written to for the rest
// of the write. Now the clock is looked at once a run of members is written, whatever groups they
// are in, as on the per-connection path.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { unrestricted } from '../src/audience.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { event } from './support/events.ts'
import { Harness } from './support/harness.ts'
import { lagged, slow } from './support/slow-machine.ts'

test('a write to many small broadcast groups yields on time and judges each token by the clock then', async (t) => {
  t.mock.method(performance, 'now', lagged)
  const h = new Harness()
  h.start()
  await h.settle()
  // each write takes the loaded host 5 ms: a write to 400 readers takes 2 s, and their tokens expire 0.5 s into it
  const expiresAt = h.clock.now() + 500
  const clients = Array.from({ length: 400 }, () => h.connect('newsroom', unrestricted, expiresAt))
  for (const [i, c] of clients.entries())
    h.hub.handle(c.conn, {
      type: 'subscribe',
      id: `u${i}`,
      channels: parseChannels(['breaking'], 'u'),
      filter: parseFilter(null, 'u'),
      since: null,
      catchUp: 'all',
      entries: null,
    })
  await h.settle()
  assert.equal(clients.filter((c) => c.conn.grouped).length, clients.length, 'every reader written through a group of its own')
  assert.equal(h.hub.writer.groups, clients.length)

  let turns = 0
  let ticking = true
  const tick = () => {
    turns++
    if (ticking) setImmediate(tick)
  }
  setImmediate(tick)
  /** The event loop's turn at each write. */
  const turnAt: number[] = []
  for (const c of clients) {
    const write = c.t.write.bind(c.t)
    c.t.write = (frames, group) => {
      const n = write(frames, group)
      turnAt.push(turns)
      h.clock.step(5)
      return n
    }
  }
  h.append(event('CREATED', { id: 'b1', version: 1, urgency: 1 }, h.clock.now()))
  slow.on = true
  try {
    await h.settle()
  } finally {
    slow.on = false
    ticking = false
  }
  const late = clients.filter((c) => c.t.at.some((at) => at >= expiresAt)).length
  const written = clients.filter((c) => c.t.messages.some((m) => m.type === 'event')).length
  assert.ok(written >= 100, `the readers written to before their tokens expired: ${written}`)
  // a turn of the event loop at least every second run of writes (slow: each look at the clock finds the slice spent)
  const ran = new Set(turnAt).size
  assert.ok(
    ran >= Math.max(2, Math.floor(turnAt.length / 64)),
    `the write to ${turnAt.length} readers ran in ${ran} turns of the event loop`,
  )
  // as on the per-connection path, the clock is looked at once a run (32) of sockets is written
  assert.ok(late <= 64, `${late} readers were written to after their tokens expired`)
  assert.ok(
    clients.every((c) => c.t.closed?.code === 4401 || c.t.messages.some((m) => m.type === 'event')),
    'the others closed 4401',
  )
})
