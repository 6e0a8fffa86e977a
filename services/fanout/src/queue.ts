// A connection's outgoing queue: what a queued message carries, and what to do with a connection
// whose socket is behind (write, wait, or drop it). Conflation and shedding while it waits are
// lanes.ts `relieve`, per (subscription, article). Pure: no I/O.

export interface QueuedMessage {
  /** Article id for conflation; null for control messages (never dropped). */
  key: string | null
  data: Buffer
  /** Priority lane (lanes.ts); default: control without a key, routine with one. */
  lane?: 'control' | 'priority' | 'routine'
  /** Subscription id the message belongs to (gap counts, positions per subscription). */
  sub?: string
  /** Position the message carries, if any. */
  position?: string | null
  /** Enqueue order on its connection. */
  seq?: number
  /** The same message carrying another position (priority messages that overtake routine ones). */
  reframe?: ((position: string) => Buffer) | undefined
}

export type SlowVerdict = 'write' | 'wait' | 'drop'

export interface SlowLimits {
  maxBufferedBytes: number
  maxPending: number
  slowClientMs: number
}

/**
 * What to do with a connection at flush time: write when the socket buffer is below the limit,
 * wait (and conflate) when it is above, drop when the conflated queue is still too long or the
 * client has been blocked for too long.
 */
export function slowVerdict(
  buffered: number,
  pendingAfterConflation: number,
  blockedSince: number | null,
  now: number,
  limits: SlowLimits,
): SlowVerdict {
  if (buffered < limits.maxBufferedBytes) return 'write'
  if (pendingAfterConflation > limits.maxPending) return 'drop'
  if (blockedSince !== null && now - blockedSince > limits.slowClientMs) return 'drop'
  return 'wait'
}
