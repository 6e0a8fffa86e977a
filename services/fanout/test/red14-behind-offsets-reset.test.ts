// red14 attack run, 2026-12-06: a reader's reconnect lands on a fan-out process behind its
// position (it has not read the kill the reader was told of) at a moment that process cannot get
// the log's offsets from Kafka (the broker trouble that makes processes lag). The wait for such a
// resume (red9) asks Kafka's high watermarks first; their failure went to `replay_unavailable`,
// whose `reset` is made at this process's own head: a snapshot older than what the reader holds,
// with the killed story in it. The SDK forgets its kills on a reset, so the killed story was back
// on the public page for as long as that process stayed behind (while Kafka is away, no bound).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { lastPosition, subscribe, withdrawn } from './support/live-story.ts'

const START = 1_800_000_000_000

test('a resume ahead of a lagging process that cannot reach Kafka is not answered with its stale snapshot', async () => {
  const story = event('CREATED', { id: 'budget', version: 1, category: 'news' }, START)
  const kill = event('WITHDRAWN', { id: 'budget', version: 2, category: 'news', pubStatus: 'canceled' }, START + 1000, { reason: 'legal' })
  // A keeps up; B lags, and its broker calls fail (B reads nothing more until Kafka is back)
  const a = new Harness({ partitions: 1, start: START })
  const b = new Harness({ partitions: 1, start: START, kafkaFails: 'offsets' })
  for (const h of [a, b]) {
    h.append(story)
    h.start()
  }
  const reader = a.connect('public')
  subscribe(a, reader.conn, ['category:news'])
  await a.settle()
  a.append(kill)
  b.inKafka(kill, 0)
  await a.settle()
  assert.deepEqual(withdrawn(reader.t.messages), ['budget:withdrawn'], 'the reader on A is told of the kill')
  const since = lastPosition(reader.t.messages)
  a.hub.conns.remove(reader.conn)

  // the reconnect lands on B
  const back = b.connect('public')
  subscribe(b, back.conn, ['category:news'], { since })
  await b.settle()
  await new Promise((r) => setTimeout(r, 20))
  await b.tick(11_000)
  const stale = back.t.messages.filter(
    (m) => m.type === 'reset' && ((m.snapshot ?? []) as { article: { id: string } }[]).some((e) => e.article.id === 'budget'),
  )
  a.hub.stop()
  b.hub.stop()
  assert.deepEqual(stale, [], `the reader was sent a reset holding the killed story: ${JSON.stringify(back.t.messages).slice(0, 600)}`)
  // it is sent away to come back (here once B has read on, or to another process), as a wait that runs out is
  assert.equal(back.t.closed?.code, 1013, `closed: ${JSON.stringify(back.t.closed)}`)
})

test('the same resume is served once the lagging process has read as far, Kafka or not for its offsets', async () => {
  const story = event('CREATED', { id: 'budget', version: 1, category: 'news' }, START)
  const kill = event('WITHDRAWN', { id: 'budget', version: 2, category: 'news', pubStatus: 'canceled' }, START + 1000)
  const a = new Harness({ partitions: 1, start: START })
  const b = new Harness({ partitions: 1, start: START, kafkaFails: 'offsets' })
  for (const h of [a, b]) {
    h.append(story)
    h.start()
  }
  const reader = a.connect('public')
  subscribe(a, reader.conn, ['category:news'])
  await a.settle()
  a.append(kill)
  b.inKafka(kill, 0)
  await a.settle()
  const since = lastPosition(reader.t.messages)
  const back = b.connect('public')
  subscribe(b, back.conn, ['category:news'], { since })
  await b.settle()
  await new Promise((r) => setTimeout(r, 20))
  b.readOn(0)
  await b.tick(1000)
  a.hub.stop()
  b.hub.stop()
  assert.equal(back.t.closed, null)
  assert.deepEqual(
    back.t.messages.map((m) => m.type),
    ['subscribed'],
    'a resume from memory: nothing to send (the kill was already told)',
  )
})
