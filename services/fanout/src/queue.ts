// Per-connection outgoing queue with conflation: while a client cannot keep up, only the latest
// message per article is kept (positions grow along the queue, so dropping an earlier message
// for the same article loses nothing the later one does not carry). Pure: no I/O.

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

/** Keeps the last message per key, in queue order; returns the new queue and how many were dropped. */
export function conflate(queue: readonly QueuedMessage[]): { queue: QueuedMessage[]; dropped: number } {
  const lastIndex = new Map<string, number>()
  for (let i = 0; i < queue.length; i++) {
    const k = queue[i]?.key
    if (k !== null && k !== undefined) lastIndex.set(k, i)
  }
  const out: QueuedMessage[] = []
  for (let i = 0; i < queue.length; i++) {
    const m = queue[i] as QueuedMessage
    if (m.key === null || lastIndex.get(m.key) === i) out.push(m)
  }
  return { queue: out, dropped: queue.length - out.length }
}

export function queuedBytes(queue: readonly QueuedMessage[]): number {
  let n = 0
  for (const m of queue) n += m.data.length
  return n
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
