// A tiny typed event emitter. A throwing listener never breaks the caller: the error is handed
// to `onListenerError`.

export type Listener<T> = (value: T) => void

export class Emitter<M extends object> {
  #listeners = new Map<keyof M, Set<Listener<never>>>()
  #onListenerError: (err: unknown, type: keyof M) => void

  constructor(onListenerError: (err: unknown, type: keyof M) => void) {
    this.#onListenerError = onListenerError
  }

  on<K extends keyof M>(type: K, listener: Listener<M[K]>): () => void {
    let set = this.#listeners.get(type)
    if (!set) {
      set = new Set()
      this.#listeners.set(type, set)
    }
    // Wrap so the same function registered twice gets two independent unsubscribe handles
    const entry: Listener<M[K]> = (value) => listener(value)
    set.add(entry as Listener<never>)
    return () => {
      set.delete(entry as Listener<never>)
    }
  }

  emit<K extends keyof M>(type: K, value: M[K]): void {
    const set = this.#listeners.get(type)
    if (!set || set.size === 0) return
    for (const listener of [...set]) {
      try {
        ;(listener as Listener<M[K]>)(value)
      } catch (err) {
        this.#onListenerError(err, type)
      }
    }
  }

  listenerCount(type: keyof M): number {
    return this.#listeners.get(type)?.size ?? 0
  }
}
