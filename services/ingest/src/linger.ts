// How long a writer's next transaction waits for more requests to join it (Kafka's linger.ms).
//
// Every transaction costs the same few Kafka requests (AddPartitionsToTxn, Produce, EndTxn and
// the read-back) on both sides of the socket, however many events it carries. With independent
// clients at 500 requests/s a transaction carried 1.3-1.6 events; lingering 5 ms, 3.2-3.3, and
// the broker spent half the CPU per record (docs/benchmarks.md, "Lingering"). Waiting only pays
// when someone can join, so it applies only while requests overlap: a lone breaking story, or
// the next request of a client that sends one at a time, goes at once.

/** Requests overlapped this recently (ms): the writer is busy, and its transactions linger. */
export const BUSY_MS = 50

/** With this many requests queued, a transaction goes at once: the queue fills on its own. */
export const LINGER_FULL = 4

export interface LingerInput {
  /** INGEST_LINGER_MS; 0 turns lingering off. */
  lingerMs: number
  /** Requests queued for the next transaction. */
  queued: number
  /** When the oldest of them was queued (ms, same clock as `now`). */
  firstQueuedAt: number
  /** When a request last arrived while a transaction was under way (-Infinity: never). */
  overlappedAt: number
  now: number
}

/** Milliseconds to wait before the next transaction (0: go now). Never past the first request's `lingerMs`. */
export function lingerFor(i: LingerInput): number {
  if (!(i.lingerMs > 0) || i.queued === 0 || i.queued >= LINGER_FULL) return 0
  if (!(i.now - i.overlappedAt <= BUSY_MS)) return 0
  const wait = i.firstQueuedAt + i.lingerMs - i.now
  // setTimeout cannot wait less than a millisecond
  return wait >= 1 ? Math.min(wait, i.lingerMs) : 0
}
