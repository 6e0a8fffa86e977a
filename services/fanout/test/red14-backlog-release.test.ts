// red14 attack run (2026-12-06), the pipeline under failure and time: a fan-out cut off from Kafka
// for a while (its own network, a broker's leadership moving) reads the backlog when it is back,
// fetch by fetch, and the live loop runs between fetches. A draft under embargo until E, killed
// before E (no server should ever release it), both written while the process was away: read
// after E, the draft was released on arrival to the public, its kill a fetch later. Or the draft
// was read on time, and the process was cut off before its kill: at E the host clock released it.
// The ledger's clock now stops at the moment the log is known read up to (Store.fresh, which the
// feed tells every 250 ms near a release, every 2 s otherwise: feed.ts keepFresh).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import type { Message } from './support/harness.ts'
import { keepFresh } from '../src/feed.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { createLogger, Registry } from '@newswire/shared'
import { createFanoutMetrics } from '../src/metrics.ts'
import { subscribe } from './support/live-story.ts'

const T = 1_800_000_000_000
const MIN = 60_000
const E = T + 5 * MIN

/** A process live at T, the log read up to its end then (as the feed tells it), a public reader of category:news. */
async function started(): Promise<{ h: Harness; got: Message[] }> {
  const h = new Harness({ partitions: 1, start: T })
  h.store.fresh(T)
  h.start()
  h.append(event('CREATED', { id: 'OLD', version: 1 }, T - 1000))
  await h.settle()
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  await h.settle()
  return { h, got: reader.t.messages }
}

const draft = () => event('CREATED', { id: 'A', version: 1, headline: 'Embargoed draft', embargoedUntil: E }, T + MIN)
const kill = () => event('WITHDRAWN', { id: 'A', version: 2, pubStatus: 'canceled', embargoedUntil: E }, T + 2 * MIN)
const ofA = (got: Message[]) =>
  got.filter((m) => (m.type === 'event' && (m.event as ArticleEvent).article.id === 'A') || (m.type === 'withdrawn' && m.articleId === 'A'))

test('a draft killed before its embargo, both read from a backlog after it, never reaches the public', async () => {
  const { h, got } = await started()
  // cut off from Kafka: ingest writes on, the consumer reads nothing, the feed confirms nothing
  h.inKafka(draft())
  h.inKafka(kill())
  await h.tick(10 * MIN)
  // back: the backlog a fetch at a time, the live loop running in between
  h.readOn(0, 1)
  await h.settle()
  h.readOn(0)
  await h.settle()
  h.store.fresh(h.clock.now())
  await h.tick(1000)
  h.hub.stop()
  assert.deepEqual(ofA(got), [], 'the public was sent the killed draft')
})

test('a draft read on time, its kill (before the embargo) in a backlog read after it: not released meanwhile', async () => {
  const { h, got } = await started()
  h.append(draft())
  await h.tick(MIN)
  h.store.fresh(h.clock.now())
  // cut off now; the kill is written two minutes before the embargo
  h.inKafka(kill())
  await h.tick(10 * MIN)
  h.readOn(0)
  await h.settle()
  h.store.fresh(h.clock.now())
  await h.tick(1000)
  h.hub.stop()
  assert.deepEqual(ofA(got), [], 'the public was sent the killed draft')
})

test('the release is made once the log is known read past the embargo, and only then', async () => {
  const { h, got } = await started()
  h.append(draft())
  await h.tick(MIN)
  h.store.fresh(h.clock.now())
  await h.tick(10 * MIN)
  assert.deepEqual(ofA(got), [], 'released while the log was not known read past its embargo')
  h.store.fresh(h.clock.now())
  h.hub.schedule()
  await h.settle()
  h.hub.stop()
  const released = ofA(got)
  assert.equal(released.length, 1)
  assert.equal(released[0]?.released, true)
})

test("a live story's entry under embargo, deleted before it, both read from a backlog after it: the story's readers never get it", async () => {
  const h = new Harness({ partitions: 1, start: T })
  h.store.fresh(T)
  h.start()
  const story = event('CREATED', { id: 'L', version: 1, live: true }, T - 1000).article
  h.append(event('CREATED', story, T - 1000))
  await h.settle()
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['story:L'])
  await h.settle()
  h.inKafka(entryEvent(story, { id: 'e1', seq: 1, version: 1, headline: 'Embargoed entry', embargoedUntil: E }, T + MIN))
  h.inKafka(
    entryEvent(story, { id: 'e1', seq: 1, version: 2, pubStatus: 'canceled', embargoedUntil: E }, T + 2 * MIN, { type: 'ENTRY_DELETED' }),
  )
  await h.tick(10 * MIN)
  h.readOn(0, 1)
  await h.settle()
  h.readOn(0)
  await h.settle()
  h.store.fresh(h.clock.now())
  await h.tick(1000)
  h.hub.stop()
  const leaked = reader.t.messages.filter((m) => m.type === 'entry')
  assert.deepEqual(leaked, [], 'the public was sent the deleted entry')
})

test('a reader resumed here from a process that released a story hears of its kill, however long releases here waited for the log', async () => {
  // process A read the log to its end and released the draft at E; the reader saw it there
  const a = new Harness({ partitions: 1, start: T })
  a.store.fresh(T)
  a.start()
  const b = new Harness({ partitions: 1, start: T })
  b.store.fresh(T)
  b.start()
  const d = draft()
  a.append(d)
  b.append(d)
  await Promise.all([a.settle(), b.settle()])
  b.store.fresh(b.clock.now())
  // B is cut off from then on: its releases wait at T + a few ms, its host clock runs on
  for (const h of [a, b]) await h.tick(5 * MIN + 1000)
  a.store.fresh(a.clock.now())
  a.hub.schedule()
  await a.settle()
  const onA = a.connect('public')
  subscribe(a, onA.conn, ['category:news'])
  await a.settle()
  const shown = onA.t.messages.find((m) => m.type === 'subscribed') as Message & { position: string; snapshot: ArticleEvent[] }
  assert.deepEqual(
    shown.snapshot.map((e) => e.article.id),
    ['A'],
    'process A shows the released story',
  )
  // the story is killed a minute after its release; the reader moves to B, which reads the kill
  // before it knows the log read past E
  const k = event('WITHDRAWN', { id: 'A', version: 2, pubStatus: 'canceled', embargoedUntil: E }, E + MIN)
  b.inKafka(k)
  await b.tick(MIN)
  const onB = b.connect('public')
  subscribe(b, onB.conn, ['category:news'], { since: shown.position })
  await b.settle()
  b.readOn(0)
  await b.settle()
  a.hub.stop()
  b.hub.stop()
  assert.deepEqual(
    ofA(onB.t.messages).map((m) => `${m.type}:${String(m.cause ?? '')}`),
    ['withdrawn:withdrawn'],
    'the reader who saw the story on A was never told of its kill',
  )
})

test('keepFresh tells the time it asked where the log ends, once read up to there; nothing while the tail is behind', async () => {
  const told: number[] = []
  let t = 1000
  let behind = false
  let checks = 0
  let closed = false
  await keepFresh(
    {
      ends: async () => {
        checks++
        behind = checks === 1
        t += 40 // the answer comes later than the question
        return [[0, 5n] as const]
      },
      waitFor: async () => {
        if (behind) throw new Error('not read up to 5 within the wait')
      },
      fresh: (at) => {
        told.push(at)
        closed = true
      },
      closed: () => closed,
      log: createLogger('keep-fresh-test', 'silent'),
      now: () => t,
    },
    1,
  )
  assert.deepEqual(told, [1040], 'the second check, from the moment it asked (not when it was answered)')
})

// An operator sees releases held back (NewswireFanoutReleasesHeldBack): the gauge reads, at each
// scrape, how far the release clock is behind the host's (app.ts wires it to Store.liveClock)
test('the release clock lag is a gauge read at scrape time', async () => {
  const registry = new Registry()
  const metrics = createFanoutMetrics(registry)
  const h = new Harness({ partitions: 1, start: T })
  metrics.releaseClock.behindMs = () => h.clock.now() - h.store.liveClock(h.clock.now())
  const read = async () => Number(/^newswire_fanout_release_clock_behind_seconds (\S+)$/m.exec(await registry.metrics())?.[1] ?? Number.NaN)
  assert.equal(await read(), 0, 'no feed has said yet: the host clock')
  h.store.fresh(T)
  await h.tick(90_000)
  assert.equal(await read(), 90, 'the log last known read 90 s ago')
  h.store.fresh(h.clock.now() - 250)
  assert.equal(await read(), 0.25)
  h.hub.stop()
})
