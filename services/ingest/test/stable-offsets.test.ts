// StableOffsets (stable-offsets.ts): a commit is waited for until news.article-events' last stable
// offsets pass it; one ask serves every waiting commit; an ask that fails is asked again.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { releaseClockMustSee, StableOffsets } from '../src/stable-offsets.ts'
import { T0 } from './support/article-input.ts'
import { entryEventOf, eventOf } from './support/plan-jobs.ts'

const end = (partition: number, next: number) => ({ topic: 'events', partition, next: BigInt(next) })

/** A fetch answering what `lso` holds at each ask, counting the asks. */
function fakeKafka(lso: Map<number, bigint>) {
  const k = { asks: 0, fail: 0 }
  const fetch = async () => {
    k.asks++
    await new Promise((r) => setImmediate(r))
    if (k.fail > 0) {
      k.fail--
      throw new Error('injected: the broker did not answer')
    }
    return new Map(lso)
  }
  return { k, fetch }
}

test('a commit waits until the last stable offset of its partition passes its last record', async () => {
  const lso = new Map([[0, 10n]])
  const { fetch } = fakeKafka(lso)
  const stable = new StableOffsets({ fetch, pauseMs: 1 })
  let done: boolean | null = null
  const waited = stable.until([end(0, 12)], 5_000).then((r) => (done = r))
  await new Promise((r) => setTimeout(r, 30))
  assert.equal(done, null, 'not stable: 10 < 12 (the markers not written yet)')
  lso.set(0, 12n)
  assert.equal(await waited, true)
  assert.equal(stable.waiting, 0)
  // known stable already: no ask
  assert.equal(await stable.until([end(0, 11)], 5_000), true)
})

test('every partition of a commit must pass, and many commits share the asks', async () => {
  const lso = new Map([
    [0, 5n],
    [1, 5n],
  ])
  const { k, fetch } = fakeKafka(lso)
  const stable = new StableOffsets({ fetch, pauseMs: 1 })
  const all = Array.from({ length: 50 }, (_, i) => stable.until([end(0, 6 + (i % 3)), end(1, 6)], 5_000))
  await new Promise((r) => setTimeout(r, 20))
  lso.set(0, 9n)
  await new Promise((r) => setTimeout(r, 20))
  assert.equal(stable.waiting, 50, 'partition 1 not stable yet')
  const asked = k.asks
  lso.set(1, 6n)
  assert.deepEqual(new Set(await Promise.all(all)), new Set([true]))
  assert.ok(k.asks - asked <= 3, `one ask serves every waiting commit: ${k.asks - asked}`)
})

test('an ask that fails is asked again; a commit never stable in time answers false and stops waiting', async () => {
  const lso = new Map([[0, 0n]])
  const { k, fetch } = fakeKafka(lso)
  const errors: unknown[] = []
  const stable = new StableOffsets({ fetch, pauseMs: 1, failedPauseMs: 5, onError: (e) => errors.push(e) })
  k.fail = 2
  lso.set(0, 3n)
  assert.equal(await stable.until([end(0, 3)], 5_000), true)
  assert.equal(errors.length, 2)
  assert.equal(await stable.until([end(0, 4)], 30), false)
  assert.equal(stable.waiting, 0)
  const asks = k.asks
  await new Promise((r) => setTimeout(r, 20))
  assert.equal(k.asks, asks, 'no ask once nothing waits')
})

test('what a release clock must see: everything but a write public as it stands', () => {
  const live = { live: true }
  assert.equal(releaseClockMustSee(eventOf('s', 2, T0, live), false), false, 'usable, no embargo')
  assert.equal(releaseClockMustSee(eventOf('s', 2, T0, { ...live, pubStatus: 'withheld' }), false), true, 'a hold')
  assert.equal(releaseClockMustSee(eventOf('s', 2, T0, { ...live, pubStatus: 'canceled' }, 'WITHDRAWN'), false), true, 'a kill')
  assert.equal(releaseClockMustSee(eventOf('s', 2, T0, { ...live, embargoedUntil: T0 + 3_600_000 }), false), true, 'under an embargo')
  assert.equal(releaseClockMustSee(entryEventOf('s', 'e1', 1, T0), false), false, 'a public entry')
  assert.equal(releaseClockMustSee(entryEventOf('s', 'e1', 2, T0, { pubStatus: 'withheld' }), false), true, "an entry's hold")
  assert.equal(releaseClockMustSee(entryEventOf('s', 'e1', 2, T0, { embargoedUntil: T0 + 3_600_000 }), false), true, "an entry's embargo")
  assert.equal(releaseClockMustSee(entryEventOf('s', 'e1', 3, T0, { pubStatus: 'canceled' }), false), true, 'a deletion')
  // red18b: a version public at once over one under embargo (red18b-embargo-lift-replaced.test.ts)
  assert.equal(releaseClockMustSee(eventOf('s', 2, T0, live), true), true, 'an embargoed story made public at once')
  assert.equal(releaseClockMustSee(entryEventOf('s', 'e1', 2, T0), true), true, 'an embargoed entry made public at once')
})
