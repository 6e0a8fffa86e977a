// Long synchronous runs (a fetch of thousands of events after a pause, or a backlog) cut into
// slices of a few milliseconds, so the event loop keeps answering pings, handshakes and the
// live loop in between. Pure apart from the pause it is given.

/** Lets the event loop run: I/O callbacks first, then this turn's continuation. */
export const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve))

export interface SliceOptions {
  /** Work per slice before pausing, ms. */
  sliceMs: number
  now: () => number
  /** Lets the event loop run (setImmediate in production). */
  pause: () => Promise<void>
}

/**
 * Applies `apply` to every item in order. Once a slice's time is spent and items remain, calls
 * `checkpoint` (what is applied so far becomes visible, as if the run had ended there), then pauses.
 */
export async function inSlices<T>(items: readonly T[], apply: (item: T) => void, checkpoint: () => void, o: SliceOptions): Promise<void> {
  let start = o.now()
  for (let i = 0; i < items.length; i++) {
    apply(items[i] as T)
    if (i + 1 < items.length && o.now() - start > o.sliceMs) {
      checkpoint()
      await o.pause()
      start = o.now()
    }
  }
}
