// Waits until this instance's own tail of news.articles has read events back, i.e. until their
// transaction is complete and visible to every read_committed reader. Kafka answers a commit
// (EndTxn) before it writes the commit markers, so for a moment after it the last stable offset
// still ends before the events: another instance catching up then would miss a write already
// acknowledged, and answer 404 or `unchanged` on a state it had moved past. Acknowledging only
// what is visible closes that window.
//
// The waiter holds the events the publisher built, so the tail applies them where it reads them
// instead of decoding its own records again (a tenth of ingest's CPU on batches).
import type { NewswireEvent } from '@newswire/shared'

interface Waiter {
  missing: Set<string>
  resolve: () => void
}

export interface Expected {
  /** Resolves once every event was read back. */
  done: Promise<void>
  /** Stops waiting (a failed commit): what the tail reads of it is then decoded like anyone's. */
  cancel: () => void
}

export class ReadBack {
  readonly #byEvent = new Map<string, { waiter: Waiter; event: NewswireEvent }>()

  /** Call before the commit (the tail may read the events back before the commit call returns). */
  expect(events: readonly NewswireEvent[]): Expected {
    let resolve: () => void = () => {}
    const done = new Promise<void>((r) => {
      resolve = r
    })
    const waiter: Waiter = { missing: new Set(), resolve }
    for (const event of events) {
      waiter.missing.add(event.eventId)
      this.#byEvent.set(event.eventId, { waiter, event })
    }
    if (waiter.missing.size === 0) resolve()
    const cancel = () => {
      for (const id of waiter.missing) this.#byEvent.delete(id)
      waiter.missing.clear()
    }
    return { done, cancel }
  }

  /**
   * The tail read an event of a committed transaction. Returns the event as the publisher built
   * it when this instance awaited it (the record is ours: no need to decode it), else undefined.
   */
  seen(eventId: string): NewswireEvent | undefined {
    const awaited = this.#byEvent.get(eventId)
    if (awaited === undefined) return undefined
    const { waiter, event } = awaited
    this.#byEvent.delete(eventId)
    waiter.missing.delete(eventId)
    if (waiter.missing.size === 0) waiter.resolve()
    return event
  }

  /** Events still awaited (for tests and metrics). */
  get pending(): number {
    return this.#byEvent.size
  }
}
