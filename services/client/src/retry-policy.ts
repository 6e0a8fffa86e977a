// After a retriable failure: give up, or wait how long. Pure, so the policy is testable alone.
import { backoffDelay } from './backoff.ts'
import type { RetryDisposition } from './close-codes.ts'
import type { BackoffOptions } from './types.ts'

export interface RetryPolicy {
  backoff: BackoffOptions
  maxRetries: number
  giveUpAfterMs: number
  random: () => number
}

export interface RetryInput {
  /** Retries already made since the last healthy connection. */
  attempt: number
  /** How long there has been no healthy connection. */
  downForMs: number
  disposition: RetryDisposition
  /** The server's SSE `retry:` hint (0 when none applies). */
  retryHintMs: number
  /** The server's reconnect hint for this close (`reconnect` message, `retry after N ms` in the close reason); 0 when none. */
  serverRetryAfterMs?: number
}

/** Longest server hint honoured: a hint beyond it is treated as this. */
export const maxServerRetryAfterMs = 5 * 60_000

export type RetryDecision = { giveUp: true; reason: string } | { giveUp: false; delayMs: number }

export function decideRetry(policy: RetryPolicy, input: RetryInput): RetryDecision {
  const last = input.disposition.reason
  if (input.attempt >= policy.maxRetries) {
    return {
      giveUp: true,
      reason: `gave up after ${input.attempt} retries without a healthy connection (maxRetries ${policy.maxRetries}); last: ${last}`,
    }
  }
  if (input.downForMs >= policy.giveUpAfterMs) {
    const seconds = Math.round(input.downForMs / 1000)
    return {
      giveUp: true,
      reason: `gave up: no healthy connection for ${seconds} s (giveUpAfterMs ${policy.giveUpAfterMs}); last: ${last}`,
    }
  }
  const step = Math.max(input.attempt, input.disposition.minStep)
  const delayMs = Math.max(
    backoffDelay(step, policy.backoff, policy.random),
    input.disposition.minDelayMs,
    Math.min(input.retryHintMs, policy.backoff.maxMs),
    // The server spreads reconnects (restart, overload): its jittered hint wins over a shorter backoff
    Math.min(input.serverRetryAfterMs ?? 0, maxServerRetryAfterMs),
  )
  return { giveUp: false, delayMs }
}
