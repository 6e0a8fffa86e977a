// Admin calls right after topic creation can meet a leader election (NOT_LEADER_OR_FOLLOWER,
// LEADER_NOT_AVAILABLE); kafkajs marks those retriable but the admin client gives up early.

/** True for an error kafkajs marks retriable. */
export const isRetriable = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true

/** Runs fn again on Kafka errors marked retriable, with linear back-off (200 ms, 400 ms, ...). */
export async function retrying<T>(fn: () => Promise<T>, attempts = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn()
    } catch (err) {
      if (!isRetriable(err) || i >= attempts) throw err
      await new Promise((r) => setTimeout(r, 200 * i))
    }
  }
}
