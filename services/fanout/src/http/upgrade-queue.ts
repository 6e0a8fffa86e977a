// Upgrades wait in a queue that is worked through on a time budget per turn of the event loop.
// A burst of handshakes (a reconnect storm, thousands of readers arriving at once) arrives faster
// than one turn can answer it: answered as they arrive, they hold the loop while the live stream
// waits; queued, each turn answers what fits in its budget, then lets timers, socket writes and
// the hub's pass run. Order is kept (first come, first answered). Pure: the clock and the way to
// come back later are injected.

export interface UpgradeQueueDeps<T> {
  /** Answers one upgrade. */
  run: (item: T) => void
  /** `run` threw: the queue goes on with the next one. */
  failed: (item: T, err: unknown) => void
  /** Milliseconds of answering per turn of the event loop. */
  budgetMs: number
  now?: () => number
  /** Runs `fn` on a later turn of the event loop. */
  later?: (fn: () => void) => void
}

export class UpgradeQueue<T> {
  readonly #d: Required<UpgradeQueueDeps<T>>
  #items: (T | undefined)[] = []
  #head = 0
  #scheduled = false

  constructor(deps: UpgradeQueueDeps<T>) {
    this.#d = { now: () => performance.now(), later: (fn) => setImmediate(fn), ...deps }
  }

  /** Waiting upgrades. */
  get size(): number {
    return this.#items.length - this.#head
  }

  /** Queues one; it is answered later in this turn of the loop (after I/O), or in a later one. */
  push(item: T): void {
    this.#items.push(item)
    if (this.#scheduled) return
    this.#scheduled = true
    this.#d.later(() => this.#drain())
  }

  #drain(): void {
    const start = this.#d.now()
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head] as T
      this.#items[this.#head++] = undefined
      try {
        this.#d.run(item)
      } catch (err) {
        this.#d.failed(item, err)
      }
      if (this.#d.now() - start >= this.#d.budgetMs) break
    }
    if (this.#head >= this.#items.length) {
      this.#items = []
      this.#head = 0
      this.#scheduled = false
      return
    }
    this.#d.later(() => this.#drain())
  }
}
