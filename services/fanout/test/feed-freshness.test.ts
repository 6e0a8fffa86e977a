// The feed's freshness checks (feed.ts keepFresh) cost two Kafka requests each: every 250 ms only
// while an embargo is due (or held back), else every 2 s. These tests pin when a check is made and
// that an embargo held back counts as due.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLogger } from '@newswire/shared'
import { keepFresh } from '../src/feed.ts'
import { event, Harness } from './support/harness.ts'

const T = 1_800_000_000_000
const STEP = 250
const IDLE = 2000

/** Runs keepFresh over a fake clock that its sleeps move, until T + `until`; returns the times it checked at. */
async function checksOver(until: number, o: { due?: (by: number) => boolean; failAt?: number[] }): Promise<number[]> {
  let t = T
  const asked: number[] = []
  await keepFresh(
    {
      ends: async () => {
        asked.push(t)
        if (o.failAt?.includes(t)) throw new Error('Kafka unreachable')
        return [[0, 1n] as const]
      },
      waitFor: async () => undefined,
      fresh: () => undefined,
      closed: () => t > T + until,
      ...(o.due ? { due: o.due } : {}),
      log: createLogger('feed-freshness-test', 'silent'),
      now: () => t,
      sleep: async (ms) => {
        t += ms
      },
    },
    STEP,
    IDLE,
  )
  return asked.map((a) => a - T)
}

test('with no embargo due, the log is checked once every idle interval', async () => {
  assert.deepEqual(await checksOver(5000, { due: () => false }), [0, 2000, 4000])
})

test('while an embargo is due by the next check, every loop checks', async () => {
  // due from T + 1000 (the embargo at T + 1250 falls within the next 250 ms)
  assert.deepEqual(await checksOver(2000, { due: (by) => by >= T + 1250 }), [0, 1000, 1250, 1500, 1750, 2000])
})

test('a check that failed is tried again at once, not an idle interval later', async () => {
  assert.deepEqual(await checksOver(3000, { due: () => false, failAt: [T + 2000] }), [0, 2000, 2250])
})

test('without a due query, every loop checks (as before)', async () => {
  assert.deepEqual(await checksOver(750, {}), [0, 250, 500, 750])
})

test('Store.releaseDueBy: an unreleased embargo by then; none once released', async () => {
  const h = new Harness({ partitions: 1, start: T })
  h.store.fresh(T)
  h.start()
  const E = T + 10_000
  h.append(event('CREATED', { id: 'A', version: 1, headline: 'Embargoed', embargoedUntil: E }, T))
  await h.settle()
  assert.equal(h.store.releaseDueBy(E - 1), false)
  assert.equal(h.store.releaseDueBy(E), true)
  // the host clock passes the embargo; the log is not known read past it: due, held back
  await h.tick(15_000)
  assert.equal(h.store.releaseDueBy(h.clock.now()), true, 'a release held back is still due')
  h.store.fresh(h.clock.now())
  await h.tick(1)
  assert.equal(h.store.releaseDueBy(h.clock.now() + 1_000_000), false, 'released: nothing due')
  h.hub.stop()
})
