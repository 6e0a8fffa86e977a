// Waits until this instance's own tail of news.articles has read events back, i.e. until their
// transaction is complete and visible to every read_committed reader. Kafka answers a commit
// (EndTxn) before it writes the commit markers, so for a moment after it the last stable offset
// still ends before the events: another instance catching up then would miss a write already
// acknowledged, and answer 404 or `unchanged` on a state it had moved past. Acknowledging only
// what is visible closes that window.

interface Waiter {
  missing: Set<string>
  resolve: () => void
}

export class ReadBack {
  readonly #byEvent = new Map<string, Waiter>()

  /** Call before the commit (the tail may read the events back before the commit call returns). */
  expect(eventIds: readonly string[]): { done: Promise<void>; cancel: () => void } {
    let resolve: () => void = () => {}
    const done = new Promise<void>((r) => {
      resolve = r
    })
    const waiter: Waiter = { missing: new Set(eventIds), resolve }
    for (const id of eventIds) this.#byEvent.set(id, waiter)
    if (waiter.missing.size === 0) resolve()
    const cancel = () => {
      for (const id of waiter.missing) this.#byEvent.delete(id)
      waiter.missing.clear()
    }
    return { done, cancel }
  }

  /** The tail read an event of a committed transaction. */
  seen(eventId: string): void {
    const waiter = this.#byEvent.get(eventId)
    if (waiter === undefined) return
    this.#byEvent.delete(eventId)
    waiter.missing.delete(eventId)
    if (waiter.missing.size === 0) waiter.resolve()
  }

  /** Events still awaited (for tests and metrics). */
  get pending(): number {
    return this.#byEvent.size
  }
}
