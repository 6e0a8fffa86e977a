import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { BUSY_MS, LINGER_FULL, lingerFor } from '../src/linger.ts'
import type { LingerInput } from '../src/linger.ts'

const NEVER = Number.NEGATIVE_INFINITY

// Times around the boundaries: a request queued just now, long ago, or (a clock that moved back) in the future
const input = fc.record<LingerInput>({
  lingerMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100 }), fc.constantFrom(-5, Number.NaN)),
  queued: fc.integer({ min: 0, max: LINGER_FULL + 3 }),
  firstQueuedAt: fc.oneof(fc.integer({ min: 800, max: 1200 }), fc.double({ min: 0, max: 2000, noNaN: true })),
  overlappedAt: fc.oneof(fc.constant(NEVER), fc.integer({ min: 900, max: 1000 + BUSY_MS }), fc.double({ min: 0, max: 2000, noNaN: true })),
  now: fc.constant(1000),
})

test('a transaction lingers only while requests overlap, never holds its first request past lingerMs, and never while the queue is full enough', () => {
  fc.assert(
    fc.property(input, (i) => {
      const wait = lingerFor(i)
      assert.ok(wait >= 0 && Number.isFinite(wait))
      if (wait === 0) {
        // It did not wait: then waiting had nothing to gain, or would have been less than a timer can
        const should =
          i.lingerMs > 0 &&
          i.queued > 0 &&
          i.queued < LINGER_FULL &&
          i.now - i.overlappedAt <= BUSY_MS &&
          i.firstQueuedAt + i.lingerMs - i.now >= 1
        assert.equal(should, false, 'a busy writer with room in its transaction should have waited')
        return
      }
      assert.ok(i.lingerMs > 0, 'lingering is off')
      assert.ok(i.queued > 0 && i.queued < LINGER_FULL, `${i.queued} queued`)
      assert.ok(i.now - i.overlappedAt <= BUSY_MS, 'no request overlapped lately: nobody would join')
      assert.ok(wait <= i.lingerMs, 'waited longer than lingerMs')
      assert.ok(i.now + wait <= i.firstQueuedAt + i.lingerMs + 1e-9, 'held the first request past its linger')
    }),
    { numRuns: 2000 },
  )
})

test('a lone request to an idle writer goes at once; one that overlaps waits out the rest of the linger', () => {
  const base = { lingerMs: 5, queued: 1, firstQueuedAt: 1000, now: 1000 }
  assert.equal(lingerFor({ ...base, overlappedAt: NEVER }), 0)
  assert.equal(lingerFor({ ...base, overlappedAt: 1000 - BUSY_MS - 1 }), 0)
  assert.equal(lingerFor({ ...base, overlappedAt: 999 }), 5)
  assert.equal(lingerFor({ ...base, overlappedAt: 999, now: 1003 }), 2, 'already queued 3 ms of its 5')
  assert.equal(lingerFor({ ...base, overlappedAt: 999, now: 1004 }), 1)
  assert.equal(lingerFor({ ...base, overlappedAt: 999, now: 1004.5 }), 0, 'less than a timer can wait')
  assert.equal(lingerFor({ ...base, overlappedAt: 999, queued: LINGER_FULL }), 0)
  assert.equal(lingerFor({ ...base, overlappedAt: 999, lingerMs: 0 }), 0)
})
