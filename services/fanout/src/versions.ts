// Newest version wins, per article: a per-subscription gate that refuses any version at or below
// the one already delivered (out-of-order, replayed or duplicate updates). Pure: no I/O.

/**
 * Bounded memory of the highest version delivered per article (least recently delivered forgotten
 * first). The map is only made on the first admit: most gates stay empty (see Hub: live
 * deliveries are gated once per event, not per subscription).
 */
export class VersionGate {
  readonly #max: number
  #seen: Map<string, number> | null = null

  constructor(max = 10_000) {
    this.#max = max
  }

  get size(): number {
    return this.#seen?.size ?? 0
  }

  /** True (and remembered) when `version` is newer than anything delivered for `id`. */
  admit(id: string, version: number): boolean {
    this.#seen ??= new Map()
    const seen = this.#seen
    const prev = seen.get(id)
    if (prev !== undefined && version <= prev) return false
    if (prev !== undefined) seen.delete(id)
    else if (seen.size >= this.#max) {
      const oldest = seen.keys().next().value
      if (oldest !== undefined) seen.delete(oldest)
    }
    seen.set(id, version)
    return true
  }

  /** Something was delivered for `id` (and is still remembered). */
  has(id: string): boolean {
    return this.#seen?.has(id) ?? false
  }

  /** True when `version` is newer than anything remembered for `id`; remembers nothing. */
  newer(id: string, version: number): boolean {
    const prev = this.#seen?.get(id)
    return prev === undefined || version > prev
  }
}

export type CatchUp = 'all' | 'latest'
