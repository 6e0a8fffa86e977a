// red26b attack run (2026-12-07): a replay from Kafka that stalls. A reader resuming from a position
// older than memory is served by a Kafka reader; until it hands over to memory the subscription is
// out of the live stream. A reader that fetches nothing and reports nothing (kafkajs retrying a
// group coordinator or partition leader it cannot reach, with restart: no CRASH reaches onFatal)
// left the subscription there for good: the story it showed was killed, and it never heard. A live
// reader meets it too: a burst larger than memory overruns the live loop, and every live
// subscription replays from the log (hub.ts #liveFellBehind). Found by the views-shed model once it
// stalled replays (its shrunk run is the second test); now a reader that reads nothing for 15 s
// (once or twice that) fails its members over to a reset (replay.ts ReplayStalledError).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { positionOutOfMemory, subscribe, withdrawn } from './support/live-story.ts'
import { parseFilter } from '../src/protocol.ts'

test('a resume whose replay from Kafka stalls is told, reset, and hears of the kill of the story it showed', async () => {
  const h = new Harness({ partitions: 1, historySize: 4 })
  h.start()
  const since = await positionOutOfMemory(h)
  h.kafkaStall = true
  const back = h.connect('public')
  subscribe(h, back.conn, ['category:news'], { since })
  await h.settle()
  assert.equal(back.t.messages[0]?.type, 'subscribed')
  assert.equal(back.t.messages[0]?.replay, 'kafka')
  // the story it shows is killed while its replay reads nothing
  h.append(event('WITHDRAWN', { id: 'x', version: 2, category: 'news' }, h.clock.now()), 0)
  await h.settle()
  for (let s = 0; s < 60; s++) await h.tick(1000)
  const types = back.t.messages.map((m) => m.type)
  assert.ok(types.includes('error'), `told its replay failed: ${types.join(' ')}`)
  const error = back.t.messages.find((m) => m.type === 'error')
  assert.equal(error?.code, 'replay_unavailable')
  const reset = back.t.messages.find((m) => m.type === 'reset')
  assert.ok(reset, `a reset follows: ${types.join(' ')}`)
  // the reset's snapshot is the state now: the killed story is not in it, and a client replaces what it showed
  assert.deepEqual(
    ((reset.snapshot ?? []) as { article: { id: string } }[]).map((e) => e.article.id),
    [],
  )
  assert.equal(back.t.closed, null, 'the connection stays open')
  // and it follows the live stream from there
  h.append(event('CREATED', { id: 'y', version: 1, category: 'news' }, h.clock.now()), 0)
  await h.settle()
  assert.ok(back.t.messages.some((m) => m.type === 'event' && (m.event as { article: { id: string } }).article.id === 'y'))
  assert.deepEqual(withdrawn(back.t.messages), [])
  h.hub.stop()
})

test('a live reader overrun by a burst, whose replay from Kafka stalls, is reset and hears of the kill (views-shed model, red26b)', async () => {
  const h = new Harness({ partitions: 2, historySize: 2 })
  h.start()
  h.append(event('CREATED', { id: 'a', version: 1, category: 'home' }, h.clock.now()))
  await h.settle()
  const r = h.connect('public')
  h.hub.handle(r.conn, { type: 'subscribe', id: 's', channels: [], filter: parseFilter(null, 's'), since: null, catchUp: 'all' })
  await h.settle()
  assert.deepEqual(
    ((r.t.messages[0]?.snapshot ?? []) as { article: { id: string } }[]).map((e) => e.article.id),
    ['a'],
  )
  // three versions appended at once: memory (2) overruns the live loop, which replays from the log
  h.kafkaStall = true
  for (let v = 2; v <= 4; v++) h.append(event('UPDATED', { id: 'a', version: v, category: 'home' }, h.clock.now()))
  await h.settle()
  assert.equal(h.kafkaStalled, 1, 'the live subscription went to a replay from the log, which stalled')
  h.append(event('WITHDRAWN', { id: 'a', version: 5, category: 'home' }, h.clock.now()))
  await h.settle()
  for (let s = 0; s < 40; s++) await h.tick(1000)
  const types = r.t.messages.map((m) => m.type)
  assert.ok(
    r.t.messages.some((m) => m.type === 'withdrawn' && m.articleId === 'a') ||
      r.t.messages.some(
        (m) => m.type === 'reset' && !((m.snapshot ?? []) as { article: { id: string } }[]).some((e) => e.article.id === 'a'),
      ),
    `told of the kill, or reset without the story: ${types.join(' ')}`,
  )
  assert.equal(r.t.closed, null)
  h.hub.stop()
})
