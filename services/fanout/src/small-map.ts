// A Map of string keys for the common case of one entry: nearly every connection has one
// subscription, and an empty Map with its hash table is ~180 bytes of heap per connection. The
// first entry is held inline; a real Map is made for a second and kept from then on, so the
// order of entries (insertion order, as a Map's) never changes. Pure: no I/O.

export class SmallMap<V> {
  #key: string | null = null
  #value: V | undefined = undefined
  #map: Map<string, V> | null = null

  get size(): number {
    return this.#map !== null ? this.#map.size : this.#key === null ? 0 : 1
  }

  get(key: string): V | undefined {
    if (this.#map !== null) return this.#map.get(key)
    return key === this.#key ? this.#value : undefined
  }

  has(key: string): boolean {
    return this.#map !== null ? this.#map.has(key) : key === this.#key
  }

  set(key: string, value: V): this {
    if (this.#map !== null) this.#map.set(key, value)
    else if (this.#key === null || this.#key === key) {
      this.#key = key
      this.#value = value
    } else {
      this.#map = new Map([[this.#key, this.#value as V]])
      this.#map.set(key, value)
      this.#key = null
      this.#value = undefined
    }
    return this
  }

  delete(key: string): boolean {
    if (this.#map !== null) return this.#map.delete(key)
    if (key !== this.#key) return false
    this.#key = null
    this.#value = undefined
    return true
  }

  clear(): void {
    this.#map?.clear()
    this.#key = null
    this.#value = undefined
  }

  *entries(): IterableIterator<[string, V]> {
    if (this.#map !== null) yield* this.#map
    else if (this.#key !== null) yield [this.#key, this.#value as V]
  }

  *values(): IterableIterator<V> {
    if (this.#map !== null) yield* this.#map.values()
    else if (this.#key !== null) yield this.#value as V
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries()
  }
}
