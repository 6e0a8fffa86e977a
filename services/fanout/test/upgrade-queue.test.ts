import assert from 'node:assert/strict'
import { test } from 'node:test'
import { UpgradeQueue } from '../src/http/upgrade-queue.ts'

/** A queue on a fake clock: each answer costs `costMs`; `turn()` runs what was deferred to the next turn. */
function harness(costMs: number, budgetMs: number, throwOn: number | null = null) {
  let now = 0
  let later: (() => void)[] = []
  const answered: number[] = []
  const failed: number[] = []
  const q = new UpgradeQueue<number>({
    run: (n) => {
      now += costMs
      if (n === throwOn) throw new Error('boom')
      answered.push(n)
    },
    failed: (n) => failed.push(n),
    budgetMs,
    now: () => now,
    later: (fn) => later.push(fn),
  })
  const turn = () => {
    const due = later
    later = []
    for (const fn of due) fn()
    return answered.length
  }
  return { q, turn, answered, failed, pendingTurns: () => later.length }
}

test('a burst of upgrades is answered a budget per turn, in arrival order, and nothing is answered twice or lost', () => {
  const h = harness(1, 5)
  for (let i = 0; i < 23; i++) h.q.push(i)
  assert.equal(h.answered.length, 5, 'the arrivals answered at once stop at the budget')
  assert.equal(h.q.size, 18)
  assert.equal(h.pendingTurns(), 1, 'one turn is scheduled for the whole burst')
  assert.equal(h.turn(), 10)
  h.q.push(23)
  assert.equal(h.answered.length, 10, 'an arrival behind waiting upgrades waits its turn, even with budget left')
  assert.equal(h.turn(), 15)
  assert.equal(h.turn(), 20)
  assert.equal(h.turn(), 24)
  assert.deepEqual(
    h.answered,
    Array.from({ length: 24 }, (_, i) => i),
  )
  assert.equal(h.q.size, 0)
  h.turn()
  assert.equal(h.pendingTurns(), 0, 'an empty queue with a fresh budget schedules nothing')
})

test('the budget is per turn: once spent, arrivals wait for the next turn, which answers them first', () => {
  const h = harness(2, 5)
  for (const n of [1, 2, 3]) h.q.push(n)
  assert.deepEqual(h.answered, [1, 2, 3], 'the third starts with 4 of 5 ms spent')
  h.q.push(4)
  assert.deepEqual(h.answered, [1, 2, 3], 'the budget is spent: the fourth waits')
  h.turn()
  assert.deepEqual(h.answered, [1, 2, 3, 4])
  // the turn spent 2 ms: arrivals before the next turn get the 3 ms left
  h.q.push(5)
  h.q.push(6)
  assert.deepEqual(h.answered, [1, 2, 3, 4, 5, 6])
  h.q.push(7)
  assert.deepEqual(h.answered, [1, 2, 3, 4, 5, 6])
  h.turn()
  assert.deepEqual(h.answered, [1, 2, 3, 4, 5, 6, 7])
})

test('a lone upgrade is answered at once, and an upgrade slower than the budget still goes one per turn', () => {
  const h = harness(20, 5)
  h.q.push(1)
  assert.equal(h.answered.length, 1)
  h.q.push(2)
  h.q.push(3)
  assert.equal(h.answered.length, 1)
  assert.equal(h.turn(), 2)
  assert.equal(h.turn(), 3)
  h.turn()
  assert.equal(h.pendingTurns(), 0)
  h.q.push(4)
  assert.equal(h.answered.length, 4, 'after a turn with nothing to do, the budget is whole again')
})

test('an answer that throws is reported and the queue goes on', () => {
  const h = harness(1, 100, 2)
  for (const n of [1, 2, 3]) h.q.push(n)
  assert.deepEqual(h.answered, [1, 3])
  assert.deepEqual(h.failed, [2])
  h.turn()
  h.q.push(4)
  assert.deepEqual(h.answered, [1, 3, 4])
})
