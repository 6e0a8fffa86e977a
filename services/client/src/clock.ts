// The host's timers behind the injectable Clock interface.
import type { Clock } from './types.ts'

/** Browsers and Node fire at once a timer whose delay is past 2^31−1 ms: never ask for more. */
export const MAX_TIMER_MS = 2 ** 31 - 1

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS)),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
}
