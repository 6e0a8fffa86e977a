// The paced link's share of a tick's bytes among the connections that have bytes waiting.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { shareBudget } from './paced-link.ts'

test("a tick's budget is shared evenly, and what one connection cannot use goes to the others", () => {
  assert.deepEqual(shareBudget([1000, 1000], 600), [300, 300])
  assert.deepEqual(shareBudget([100, 1000, 0], 600), [100, 500, 0])
  assert.deepEqual(shareBudget([50, 60], 600), [50, 60])
})

test('an odd byte goes to the first connections, and nothing is given beyond the budget', () => {
  assert.deepEqual(shareBudget([10, 10, 10], 7), [3, 2, 2])
  assert.deepEqual(shareBudget([], 100), [])
  assert.deepEqual(shareBudget([5], 0), [0])
})
