import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TimerClock } from '../src/timers.ts'
import { MAX_TIMER_MS, setTimerAt, settlesWithin, timerDelay } from '../src/timers.ts'

test('timerDelay never asks for more than a timer can hold, nor less than zero', () => {
  assert.equal(timerDelay(-5), 0)
  assert.equal(timerDelay(Number.NaN), 0)
  assert.equal(timerDelay(10.2), 11)
  assert.equal(timerDelay(2 ** 53), MAX_TIMER_MS)
  assert.equal(timerDelay(Number.POSITIVE_INFINITY), MAX_TIMER_MS)
})

test('setTimerAt reaches a time 40 days ahead in steps a timer can hold, and can be cancelled', () => {
  let now = 0
  const timers: { at: number; fn: () => void }[] = []
  const asked: number[] = []
  const clock: TimerClock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      assert.ok(ms >= 0 && ms <= MAX_TIMER_MS, `delay ${ms}`)
      asked.push(ms)
      timers.push({ at: now + ms, fn })
      return timers.length - 1
    },
    clearTimeout: (h) => {
      timers[h as number] = { at: Number.POSITIVE_INFINITY, fn: () => undefined }
    },
  }
  const run = () => {
    for (;;) {
      const due = timers
        .map((t, i) => [t.at, i] as const)
        .filter(([at]) => at !== Number.POSITIVE_INFINITY)
        .sort((a, b) => a[0] - b[0])[0]
      if (!due) return
      now = due[0]
      const t = timers[due[1]] as { fn: () => void }
      timers[due[1]] = { at: Number.POSITIVE_INFINITY, fn: () => undefined }
      t.fn()
    }
  }
  let fired = 0
  const at = 40 * 86_400_000
  setTimerAt(at, () => fired++, clock)
  run()
  assert.equal(fired, 1)
  assert.equal(now, at, 'fired at the time asked, not before')
  assert.ok(asked.length >= 2, 'in more than one step')
  const cancel = setTimerAt(at * 2, () => fired++, clock)
  cancel()
  run()
  assert.equal(fired, 1)
})

test('setTimerAt never runs the callback inside the call, even for a time already past', () => {
  const now = 1000
  const timers: (() => void)[] = []
  const clock: TimerClock = { now: () => now, setTimeout: (fn) => timers.push(fn), clearTimeout: () => undefined }
  let fired = 0
  setTimerAt(500, () => fired++, clock)
  assert.equal(fired, 0, 'not synchronously')
  ;(timers.shift() as () => void)()
  assert.equal(fired, 1)
})

test('settlesWithin: true when the promise fulfils in time, false once the time is up, a rejection passes through', async () => {
  assert.equal(await settlesWithin(Promise.resolve(), 50), true)
  assert.equal(await settlesWithin(new Promise((r) => setTimeout(r, 5)), 1000), true)
  const never = new Promise(() => {})
  const started = performance.now()
  assert.equal(await settlesWithin(never, 20), false)
  assert.ok(performance.now() - started >= 15)
  await assert.rejects(settlesWithin(Promise.reject(new Error('boom')), 50), /boom/)
})
