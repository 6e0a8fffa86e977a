// Timers whose delay comes from data (token expiry, embargo times, retry hints). Node fires a
// timer at once, with a TimeoutOverflowWarning, when its delay is past 2^31−1 ms (about 24.8
// days): a far-away time must never become "now".

/** The longest delay a Node (or browser) timer holds. */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** A delay a timer can hold: negative and NaN become 0, anything past the limit the limit. */
export function timerDelay(ms: number): number {
  if (Number.isNaN(ms) || ms <= 0) return 0
  return Math.min(MAX_TIMER_MS, Math.ceil(ms))
}

export interface TimerClock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const nodeClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
}

/**
 * Runs `fn` once the clock reaches `at` (epoch ms), however far ahead: a time past the timer
 * limit is reached in steps. Always later, never inside the call, even when `at` has passed: a
 * caller keeps the canceller it gets back, and a callback run before that returns would find it
 * stale. Node timers are unref'd. Returns a function that cancels it.
 */
export function setTimerAt(at: number, fn: () => void, clock: TimerClock = nodeClock): () => void {
  let handle: unknown = null
  let cancelled = false
  const arm = (first: boolean) => {
    const wait = at - clock.now()
    if (wait <= 0 && !first) {
      handle = null
      fn()
      return
    }
    handle = clock.setTimeout(() => arm(false), timerDelay(wait))
  }
  arm(true)
  return () => {
    if (cancelled) return
    cancelled = true
    if (handle !== null) clock.clearTimeout(handle)
  }
}

/**
 * Whether `p` fulfils within `ms`: true if it does, false once the time is up (the timer is
 * cleared either way, so a bounded wait leaves nothing behind). A rejection of `p` propagates.
 */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timerDelay(ms))
  })
  try {
    return await Promise.race([p.then(() => true as const), late])
  } finally {
    clearTimeout(timer)
  }
}
