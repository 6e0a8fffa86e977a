// red20 attack run (2026-12-06): the host clock stepped ahead and back (a bad NTP step and its
// correction, a VM restored with a wrong clock, then fixed) under red14's defence. The ledger's
// clock stops where the log was last known read to its end (Store.fresh, told by the feed's
// freshness checks: feed.ts keepFresh), and follows the host back (red7). That moment was kept as
// the host clock read it: a check made while the clock ran ahead said, once it was corrected,
// that the log had been read up to an instant still to come. A process then cut off from Kafka
// (its freshness checks failing) released every embargo up to there by its host clock: a draft
// read on time, killed before its embargo while the process was away, reached the public at the
// embargo, its kill a fetch later. With a glitch an hour long, a whole hour of red14's defence.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import type { Message } from './support/harness.ts'
import { createLogger } from '@newswire/shared'
import { keepFresh } from '../src/feed.ts'
import { Store } from '../src/store.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { subscribe } from './support/live-story.ts'

const T = 1_800_000_000_000
const SEC = 1000
const MIN = 60 * SEC

const ofA = (got: Message[]) =>
  got.filter((m) => (m.type === 'event' && (m.event as ArticleEvent).article.id === 'A') || (m.type === 'withdrawn' && m.articleId === 'A'))

/**
 * A process live at T (the log read to its end), a public reader; the host clock runs `glitch` ms
 * ahead a moment (a freshness check succeeds then), and is corrected; then a draft under an
 * embargo a minute away is read on time, the process is cut off from Kafka, and the draft's kill
 * is written (by true time) before the embargo (`killed`), or nothing is. What the public gets
 * once the embargo has passed and the process is back.
 */
async function run(glitch: number, killed = true): Promise<Message[]> {
  const h = new Harness({ partitions: 1, start: T, monotonicTimers: true })
  h.store.fresh(T)
  h.start()
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  await h.settle()
  if (glitch > 0) {
    h.clock.step(glitch)
    // a freshness check while the clock runs ahead: the log is read to its end
    h.store.fresh(h.clock.now())
    await h.settle()
    h.clock.step(-glitch)
    await h.settle()
  }
  const E = T + MIN
  h.append(event('CREATED', { id: 'A', version: 1, headline: 'Embargoed draft', embargoedUntil: E }, T))
  await h.tick(SEC)
  h.store.fresh(h.clock.now())
  await h.settle()
  // cut off now: the kill is written 20 s before the embargo, and not read; no check succeeds
  await h.tick(39 * SEC)
  if (killed) h.inKafka(event('WITHDRAWN', { id: 'A', version: 2, pubStatus: 'canceled', embargoedUntil: E }, h.clock.now()))
  await h.tick(MIN)
  // back: the kill is read, the log known read to its end
  h.readOn(0)
  await h.settle()
  h.store.fresh(h.clock.now())
  await h.tick(SEC)
  h.hub.stop()
  return ofA(reader.t.messages)
}

test('without a glitch: the killed draft never reaches the public (red14)', async () => {
  assert.deepEqual(await run(0), [])
})

for (const glitch of [5 * MIN, 60 * MIN])
  test(`after the host clock ran ${glitch / MIN} minutes ahead and was corrected, a freshness check made then releases nothing still to come: the killed draft never reaches the public`, async () => {
    assert.deepEqual(await run(glitch), [], 'the public was sent the killed draft')
  })

test('after the host clock ran an hour ahead and was corrected, a draft not killed is released once the log is known read past its embargo', async () => {
  const got = await run(60 * MIN, false)
  assert.equal(got.length, 1)
  assert.equal(got[0]?.released, true)
})

test('keepFresh tells the monotonic moment it asked where the log ends, with the host clock reading then, whatever the clock does meanwhile', async () => {
  const told: [number, number | undefined][] = []
  let t = 5_000_000
  let mono = 100
  let closed = false
  await keepFresh(
    {
      ends: async () => {
        // the host clock steps back an hour while Kafka answers
        t -= 60 * MIN
        mono += 40
        return [[0, 5n] as const]
      },
      waitFor: async () => undefined,
      fresh: (at, m) => {
        told.push([at, m])
        closed = true
      },
      closed: () => closed,
      log: createLogger('keep-fresh-test', 'silent'),
      now: () => t,
      monotonic: () => mono,
    },
    1,
  )
  assert.deepEqual(told, [[5_000_000, 100]])
})

test('keepFresh checks every idle period by the monotonic clock after the host clock steps back (the ledger waits at the last check meanwhile)', async () => {
  let t = 5_000_000
  let mono = 0
  let checks = 0
  let sleeps = 0
  await keepFresh(
    {
      ends: async () => {
        checks++
        return [[0, 5n] as const]
      },
      waitFor: async () => undefined,
      fresh: () => undefined,
      closed: () => sleeps >= 80,
      nextRelease: () => null,
      log: createLogger('keep-fresh-test', 'silent'),
      now: () => t,
      monotonic: () => mono,
      sleep: async (ms) => {
        sleeps++
        // after the first check, the host clock steps an hour back
        if (sleeps === 1) t -= 60 * MIN
        t += ms
        mono += ms
      },
    },
    250,
    2000,
  )
  // 20 s of 250 ms loops: a check every 2 s
  assert.equal(checks, 10)
})

test('the release clock is a whole millisecond with a fractional monotonic clock (performance.now): positions carry it', () => {
  let mono = 10.25
  const store = new Store({ partitions: 1, historySize: 10, now: () => 5_000_000, monotonic: () => mono })
  // checked 10.25 ms ago by the monotonic clock, 10 ms ago by the host's (a clock slewed a little)
  store.fresh(4_999_990, 0.5)
  mono = 10.75
  assert.equal(store.liveClock(5_000_000), 4_999_989)
  store.fresh(5_000_000, 10.5)
  assert.equal(store.liveClock(5_000_000), 4_999_999)
})
