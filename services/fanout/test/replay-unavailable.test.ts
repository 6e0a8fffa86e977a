// A resume the fan-out cannot replay from Kafka right now (every reader busy, the log's offsets
// out of reach, a replay that breaks on the way) used to get `error` `replay_unavailable` and
// lose its subscription, with the connection left open: the reader, connected to nothing, never
// heard of a kill again, and no embed reads `error` (red6 attack run, 2026-12-04). Now it is told
// why, then starts over from a fresh snapshot (`reset`) and follows the live stream from there.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Harness, type HarnessOptions } from './support/harness.ts'
import { event } from './support/events.ts'
import { positionOutOfMemory, subscribe, withdrawn } from './support/live-story.ts'

const cases: [string, HarnessOptions][] = [
  ['every replay reader busy', { maxReplays: 0 }],
  ['the log unreadable', { kafkaFails: 'read' }],
  ["the log's offsets out of reach", { kafkaFails: 'offsets' }],
]

for (const [why, o] of cases)
  test(`a resume from the log with ${why}: told why, then a reset, then live (a kill comes)`, async () => {
    const h = new Harness({ partitions: 1, historySize: 4, ...o })
    h.start()
    const since = await positionOutOfMemory(h)
    const back = h.connect('public')
    subscribe(h, back.conn, ['category:news'], { since })
    await h.settle()
    await new Promise((r) => setTimeout(r, 20))
    await h.settle()
    // a replay that breaks on the way was already `subscribed`
    const ms = back.t.messages.filter((m, i) => !(i === 0 && m.type === 'subscribed' && o.kafkaFails === 'read'))
    assert.deepEqual(
      ms.map((m) => m.type),
      ['error', 'reset'],
    )
    assert.equal(ms[0]?.code, 'replay_unavailable')
    assert.match(String(ms[0]?.message), /starting from a fresh snapshot/)
    assert.deepEqual(
      ((ms[1]?.snapshot ?? []) as { article: { id: string } }[]).map((e) => e.article.id),
      ['x'],
    )
    assert.equal(back.t.closed, null, 'the connection stays open')
    // the subscription follows the live stream: the kill comes
    h.append(event('WITHDRAWN', { id: 'x', version: 2, category: 'news' }, h.clock.now()), 0)
    await h.settle()
    assert.deepEqual(withdrawn(back.t.messages), ['x:withdrawn'])
    h.hub.stop()
  })
