// The feed's freshness checks (feed.ts keepFresh) cost two Kafka requests each: every 250 ms only
// while an embargo is due (or held back), and just after it, else every 2 s. These tests pin when
// a check is made, and that an embargo held back counts as the next release.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLogger } from '@newswire/shared'
import { keepFresh } from '../src/feed.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'

const T = 1_800_000_000_000
const STEP = 250
const IDLE = 2000

/** Runs keepFresh over a fake clock that its sleeps move, until T + `until`; returns the times it checked at. */
async function checksOver(until: number, o: { embargo?: number | null; failAt?: number[]; held?: boolean }): Promise<number[]> {
  let t = T
  let released = false
  const asked: number[] = []
  await keepFresh(
    {
      ends: async () => {
        asked.push(t)
        if (o.failAt?.includes(t)) throw new Error('Kafka unreachable')
        return [[0, 1n] as const]
      },
      waitFor: async () => undefined,
      // a check from the embargo on releases it
      fresh: (at) => {
        if (o.embargo !== undefined && o.embargo !== null && at >= o.embargo && !o.held) released = true
      },
      closed: () => t > T + until,
      ...(o.embargo === undefined ? {} : { nextRelease: () => (released ? null : (o.embargo ?? null)) }),
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
  assert.deepEqual(await checksOver(5000, { embargo: null }), [0, 2000, 4000])
})

test('an embargo within the next loop: checked then, and again just after the embargo', async () => {
  assert.deepEqual(await checksOver(3200, { embargo: T + 1100 }), [0, 1000, 1101, 3101])
})

test('an embargo held back (passed, the log not known read past it) is checked for every loop', async () => {
  // every check works, and the release still waits (the pass has not run yet): asked again each loop
  assert.deepEqual(await checksOver(1000, { embargo: T - 5000, held: true }), [0, 250, 500, 750, 1000])
})

test('a check that failed is tried again at once, not an idle interval later', async () => {
  assert.deepEqual(await checksOver(3000, { embargo: null, failAt: [T + 2000] }), [0, 2000, 2250])
})

test('without a next release to go by, every loop checks (as before)', async () => {
  assert.deepEqual(await checksOver(750, {}), [0, 250, 500, 750])
})

test('Store.nextRelease: the unreleased embargo, passed while held back; none once released', async () => {
  const h = new Harness({ partitions: 1, start: T })
  h.store.fresh(T)
  h.start()
  const E = T + 10_000
  h.append(event('CREATED', { id: 'A', version: 1, headline: 'Embargoed', embargoedUntil: E }, T))
  await h.settle()
  assert.equal(h.store.nextRelease(), E)
  // the host clock passes the embargo; the log is not known read past it: due, held back
  await h.tick(15_000)
  assert.equal(h.store.nextRelease(), E, 'a release held back is still the next')
  h.store.fresh(h.clock.now())
  await h.tick(1)
  assert.equal(h.store.nextRelease(), null, 'released: nothing due')
  h.hub.stop()
})
