import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ResumeGate, restartRetryAfterMs, TokenBucket } from '../src/admission.ts'

function fakeTime() {
  let now = 0
  const timers: { at: number; fn: () => void }[] = []
  return {
    clock: { now: () => now },
    setTimer: (fn: () => void, ms: number) => {
      const t = { at: now + ms, fn }
      timers.push(t)
      return () => {
        const i = timers.indexOf(t)
        if (i >= 0) timers.splice(i, 1)
      }
    },
    advance(ms: number) {
      const end = now + ms
      for (;;) {
        timers.sort((a, b) => a.at - b.at)
        const t = timers[0]
        if (!t || t.at > end) break
        timers.shift()
        now = t.at
        t.fn()
      }
      now = end
    },
  }
}

// a quiet hour stores no more than the burst: a storm after it is admitted at the rate, not all at
// once (mutant ad6 of the mutation sweep: the refill uncapped survived every fan-out unit test)
test('token bucket: a long quiet stores the burst, no more', () => {
  const time = fakeTime()
  const b = new TokenBucket(10, 3, time.clock)
  time.advance(3_600_000)
  assert.deepEqual([b.take(), b.take(), b.take(), b.take()], [true, true, true, false])
})

test('token bucket: burst, then the rate', () => {
  const time = fakeTime()
  const b = new TokenBucket(10, 3, time.clock)
  assert.deepEqual([b.take(), b.take(), b.take(), b.take()], [true, true, true, false])
  assert.equal(b.msUntilToken(), 100)
  time.advance(100)
  assert.equal(b.take(), true)
  assert.equal(b.take(), false)
})

test('resume gate: admits at the rate, queues in order, turns away beyond the queue with a jittered hint', () => {
  const time = fakeTime()
  const gate = new ResumeGate({ rate: 2, queueMax: 3, clock: time.clock, setTimer: time.setTimer, random: () => 0.5 })
  const ran: number[] = []
  const results = [0, 1, 2, 3, 4, 5].map((i) =>
    gate.admit(
      () => ran.push(i),
      () => i === 3,
    ),
  )
  assert.deepEqual(ran, [0, 1])
  assert.ok('queued' in (results[2] as object) && 'queued' in (results[4] as object))
  const rejected = results[5] as { retryAfterMs: number }
  // 3 waiting + this one at 2/s = 2000 ms, plus half of it as jitter
  assert.equal(rejected.retryAfterMs, 3000)
  time.advance(500)
  assert.deepEqual(ran, [0, 1, 2])
  time.advance(500)
  // 3 was cancelled (its client left): skipped without using a token
  assert.deepEqual(ran, [0, 1, 2, 4])
  assert.equal(gate.waiting, 0)
  time.advance(10_000)
  assert.deepEqual(
    gate.admit(
      () => ran.push(6),
      () => false,
    ),
    { admitted: true },
  )
  assert.deepEqual(ran, [0, 1, 2, 4, 6])
  gate.close()
})

test('restart hints spread the reconnects over what the resume rate can admit', () => {
  assert.equal(
    restartRetryAfterMs(10, 500, () => 0),
    250,
  )
  assert.equal(
    restartRetryAfterMs(10, 500, () => 0.999),
    250 + 999,
  )
  assert.equal(
    restartRetryAfterMs(5000, 500, () => 0.5),
    250 + 5000,
  )
  assert.equal(
    restartRetryAfterMs(10_000_000, 500, () => 0.5),
    250 + 30_000,
  )
})

test('resume gate: a timer that fires at once (already due when armed) does not stall the queue for good', () => {
  // setTimerAt runs a timer that is already due synchronously, inside setTimer: the wall clock
  // can tick between computing `now + ms` and checking it. Here every timer of at most 1 ms does.
  const time = fakeTime()
  const setTimer = (fn: () => void, ms: number) => {
    if (ms <= 1) {
      time.advance(ms)
      fn()
      return () => {}
    }
    return time.setTimer(fn, ms)
  }
  const gate = new ResumeGate({ rate: 1000, queueMax: 100, clock: time.clock, setTimer, random: () => 0.5 })
  const ran: number[] = []
  const admit = (i: number) =>
    gate.admit(
      () => ran.push(i),
      () => false,
    )
  // 1000 tokens, then one queued: its timer (1 ms) fires at once and empties the queue
  for (let i = 0; i < 1001; i++) admit(i)
  assert.equal(ran.length, 1001)
  assert.equal(gate.waiting, 0)
  // the bucket is empty again: the next ones queue, and must still be served
  for (let i = 1001; i < 1051; i++) assert.ok('queued' in admit(i))
  time.advance(5000)
  assert.equal(gate.waiting, 0, `${gate.waiting} resumes left waiting`)
  assert.equal(ran.length, 1051)
  gate.close()
})
