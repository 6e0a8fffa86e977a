// An unbounded push queue exposed as an async iterator: `for await (const m of client)`.

export class MessageQueue<T> implements AsyncIterableIterator<T> {
  #buffer: T[] = []
  #waiters: { resolve: (r: IteratorResult<T>) => void; reject: (err: unknown) => void }[] = []
  #ended = false
  #error: unknown = undefined
  #onReturn: () => void

  constructor(onReturn: () => void) {
    this.#onReturn = onReturn
  }

  push(value: T): void {
    if (this.#ended) return
    const waiter = this.#waiters.shift()
    if (waiter) waiter.resolve({ value, done: false })
    else this.#buffer.push(value)
  }

  /** No more values; with `error`, `next()` rejects once the buffer is drained. */
  end(error?: unknown): void {
    if (this.#ended) return
    this.#ended = true
    this.#error = error
    this.#onReturn()
    for (const waiter of this.#waiters.splice(0)) {
      if (error === undefined) waiter.resolve({ value: undefined, done: true })
      else waiter.reject(error)
    }
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.#buffer.shift()
    if (value !== undefined) return Promise.resolve({ value, done: false })
    if (this.#ended) {
      const error = this.#error
      this.#error = undefined
      return error === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(error)
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }))
  }

  return(): Promise<IteratorResult<T>> {
    this.#buffer = []
    this.end()
    return Promise.resolve({ value: undefined, done: true })
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this
  }
}
