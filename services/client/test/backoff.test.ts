import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { backoffCeiling, backoffDelay, closeDisposition, defaultBackoff } from '../src/index.ts'
import type { RetryDisposition } from '../src/close-codes.ts'
import { decideRetry } from '../src/retry-policy.ts'

describe('backoff', () => {
  test('defaults are 500 ms to 20 s, factor 2', () => {
    assert.deepEqual({ ...defaultBackoff }, { minMs: 500, maxMs: 20_000, factor: 2 })
  })

  test('the ceiling grows by the factor per step and stops at maxMs', () => {
    const ceilings = Array.from({ length: 9 }, (_, step) => backoffCeiling(step, defaultBackoff))
    assert.deepEqual(ceilings, [1_000, 1_500, 2_500, 4_500, 8_500, 16_500, 20_000, 20_000, 20_000])
    assert.equal(backoffCeiling(1_000, defaultBackoff), 20_000)
  })

  test('full jitter: random 0 gives the floor (minMs), random → 1 gives the ceiling', () => {
    for (let step = 0; step < 10; step++) {
      assert.equal(
        backoffDelay(step, defaultBackoff, () => 0),
        500,
      )
      assert.equal(
        backoffDelay(step, defaultBackoff, () => 0.999999),
        Math.round(500 + 0.999999 * (backoffCeiling(step, defaultBackoff) - 500)),
      )
    }
  })

  test("a random source outside [0, 1] (the random option is the caller's) is clamped: never under minMs, never past the ceiling", () => {
    for (let step = 0; step < 10; step++) {
      assert.equal(
        backoffDelay(step, defaultBackoff, () => -0.5),
        500,
        'a delay under minMs would let a reconnect loop spin',
      )
      assert.equal(
        backoffDelay(step, defaultBackoff, () => 3),
        backoffCeiling(step, defaultBackoff),
      )
    }
  })

  test('every delay stays within [minMs, ceiling] and spreads over the range', () => {
    let seed = 42
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let step = 0; step < 8; step++) {
      const ceiling = backoffCeiling(step, defaultBackoff)
      const delays = Array.from({ length: 500 }, () => backoffDelay(step, defaultBackoff, random))
      for (const d of delays) assert.ok(d >= 500 && d <= ceiling, `step ${step}: ${d} outside [500, ${ceiling}]`)
      const spread = Math.max(...delays) - Math.min(...delays)
      assert.ok(spread > 0.8 * (ceiling - 500), `step ${step}: jitter spread ${spread} too narrow`)
    }
  })

  test('custom options', () => {
    const options = { minMs: 100, maxMs: 1_000, factor: 3 }
    assert.deepEqual(
      [0, 1, 2, 3].map((s) => backoffCeiling(s, options)),
      [200, 400, 1_000, 1_000],
    )
  })
})

describe('decideRetry', () => {
  const policy = { backoff: defaultBackoff, maxRetries: Number.POSITIVE_INFINITY, giveUpAfterMs: 600_000, random: () => 0 }
  const transient = closeDisposition(1006, '') as RetryDisposition

  test('waits the backoff delay while within the give-up policy', () => {
    assert.deepEqual(decideRetry(policy, { attempt: 0, downForMs: 0, disposition: transient, retryHintMs: 0 }), {
      giveUp: false,
      delayMs: 500,
    })
  })

  test('the SSE retry hint and the disposition minimum raise the delay; the hint is capped at maxMs', () => {
    const tooMany = closeDisposition(4429, '') as RetryDisposition
    assert.equal(decideRetry(policy, { attempt: 0, downForMs: 0, disposition: tooMany, retryHintMs: 0 }).giveUp, false)
    assert.deepEqual(decideRetry(policy, { attempt: 0, downForMs: 0, disposition: tooMany, retryHintMs: 0 }), {
      giveUp: false,
      delayMs: 5_000,
    })
    assert.deepEqual(decideRetry(policy, { attempt: 0, downForMs: 0, disposition: transient, retryHintMs: 3_000 }), {
      giveUp: false,
      delayMs: 3_000,
    })
    assert.deepEqual(decideRetry(policy, { attempt: 0, downForMs: 0, disposition: transient, retryHintMs: 999_999 }), {
      giveUp: false,
      delayMs: 20_000,
    })
  })

  test('gives up after giveUpAfterMs down, or maxRetries retries', () => {
    const down = decideRetry(policy, { attempt: 40, downForMs: 600_000, disposition: transient, retryHintMs: 0 })
    assert.ok(down.giveUp && /no healthy connection for 600 s/.test(down.reason))
    const retries = decideRetry({ ...policy, maxRetries: 5 }, { attempt: 5, downForMs: 1_000, disposition: transient, retryHintMs: 0 })
    assert.ok(retries.giveUp && /after 5 retries/.test(retries.reason))
  })
})
