// Upgrades are answered on a time budget per turn of the event loop. A burst of handshakes (a
// reconnect storm, thousands of readers arriving at once) arrives faster than one turn can answer
// it: answered as they arrive, they would hold the loop while the live stream waits. So an upgrade
// is answered at once while this turn's budget lasts (a lone reader waits for nothing), and the
// rest wait in a queue that later turns work through, a budget each, letting timers, socket
// writes and the hub's pass run in between. Order is kept (first come, first answered). Pure: the
// clock and the way to come back later are injected.

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
  /** Milliseconds spent answering since the last turn began. */
  #spent = 0

  constructor(deps: UpgradeQueueDeps<T>) {
    this.#d = { now: () => performance.now(), later: (fn) => setImmediate(fn), ...deps }
  }

  /** Waiting upgrades. */
  get size(): number {
    return this.#items.length - this.#head
  }

  /** Answers `item` now if nothing waits and this turn's budget lasts; else queues it for a later turn. */
  push(item: T): void {
    if (this.size === 0 && this.#spent < this.#d.budgetMs) this.#answer(item)
    else this.#items.push(item)
    if (this.#scheduled) return
    this.#scheduled = true
    this.#d.later(() => this.#turn())
  }

  #answer(item: T): void {
    const start = this.#d.now()
    try {
      this.#d.run(item)
    } catch (err) {
      this.#d.failed(item, err)
    }
    this.#spent += this.#d.now() - start
  }

  /** A new turn: a fresh budget, spent on the queue first. */
  #turn(): void {
    this.#spent = 0
    while (this.#head < this.#items.length && this.#spent < this.#d.budgetMs) {
      const item = this.#items[this.#head] as T
      this.#items[this.#head++] = undefined
      this.#answer(item)
    }
    if (this.#head >= this.#items.length) {
      this.#items = []
      this.#head = 0
    }
    // what this turn spent counts against arrivals until the next one, which must come to reset it
    if (this.size > 0 || this.#spent > 0) this.#d.later(() => this.#turn())
    else this.#scheduled = false
  }
}
