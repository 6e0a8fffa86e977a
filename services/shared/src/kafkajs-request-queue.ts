// kafkajs's request queue (one per broker connection) re-arms a timer after every response and
// every check, whether or not a request is waiting: with nothing throttled the delay is
// `throttledUntil - Date.now()` with `throttledUntil` = -1, a negative number that Node turns
// into 1 ms. So every broker connection wakes its process about 1,000 times a second for
// nothing (tulios/kafkajs#1704; ~4 % of a core for one idle consumer and producer here), and
// Node 24 warns about the negative delay (TimeoutNegativeWarning, tulios/kafkajs#1751).
//
// The check only matters while a request waits in `pending`, and a request enters `pending`
// only through `push`, which schedules the check itself; responses and timeouts send what they
// can at once. So no timer is armed while nothing waits, and a waiting request is checked when
// the client-side throttle ends, or after CHECK_INTERVAL_MS (kafkajs's own figure) when it waits
// for an in-flight slot: exactly kafkajs's behaviour whenever something is pending.

/** kafkajs's CHECK_PENDING_REQUESTS_INTERVAL. */
export const CHECK_INTERVAL_MS = 10

/** The fields of kafkajs's RequestQueue (src/network/requestQueue) the patch reads and writes. */
export interface RequestQueueLike {
  pending: unknown[]
  throttledUntil: number
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null
  checkPendingRequests(): void
  scheduleCheckPendingRequests(): void
}

const PATCHED = Symbol('newswire.quietRequestQueue')

/** The delay before the pending requests are checked again, or null when nothing waits. */
export function checkDelay(pending: number, throttledUntil: number, now: number): number | null {
  if (pending === 0) return null
  const throttled = throttledUntil - now
  return throttled > 0 ? throttled : CHECK_INTERVAL_MS
}

/** When the armed check runs (ms since the epoch), kept on the queue beside kafkajs's timer id. */
const DUE = Symbol('newswire.checkDue')
type Scheduled = RequestQueueLike & { [DUE]?: number }

function scheduleCheckPendingRequests(this: Scheduled): void {
  const now = Date.now()
  const delay = checkDelay(this.pending.length, this.throttledUntil, now)
  if (delay === null) return
  if (this.throttleCheckTimeoutId) {
    // a check armed for a slot (CHECK_INTERVAL_MS) may be due after a throttle that began since
    // ends: bring it forward, or a request would wait after the throttle for nothing
    if ((this[DUE] ?? Number.POSITIVE_INFINITY) <= now + delay) return
    clearTimeout(this.throttleCheckTimeoutId)
  }
  this[DUE] = now + delay
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null
    this.checkPendingRequests()
  }, delay)
}

/** Replaces the queue's scheduling on kafkajs's class (once per process). */
export function quietRequestQueue(queueClass: { prototype: RequestQueueLike & { [PATCHED]?: true } }): void {
  const proto = queueClass.prototype
  if (proto[PATCHED] === true) return
  proto[PATCHED] = true
  proto.scheduleCheckPendingRequests = scheduleCheckPendingRequests
}
