// Full-jitter exponential backoff, as centrifuge-js does it: a random delay up to the step's
// ceiling, on top of a floor of minMs so a reconnect loop can never spin.
import type { BackoffOptions } from './types.ts'

export const defaultBackoff: Readonly<BackoffOptions> = { minMs: 500, maxMs: 20_000, factor: 2 }

/** Upper bound of the delay for `step` (0 = first retry). */
export function backoffCeiling(step: number, options: BackoffOptions): number {
  const growth = options.minMs * options.factor ** Math.min(step, 64)
  return Math.min(options.maxMs, options.minMs + Math.min(options.maxMs, growth))
}

/** Delay before retry number `step + 1`: uniform in [minMs, backoffCeiling(step)]. */
export function backoffDelay(step: number, options: BackoffOptions, random: () => number): number {
  const ceiling = backoffCeiling(step, options)
  const r = Math.min(Math.max(random(), 0), 1)
  return Math.round(options.minMs + r * (ceiling - options.minMs))
}
