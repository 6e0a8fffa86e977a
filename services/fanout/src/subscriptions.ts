// The live subscriptions, indexed by channel key (channels.ts indexKeysOf): an event is matched
// only against the subscriptions listening on one of its article's keys.
import type { Sub } from './model.ts'

export class SubscriptionIndex {
  readonly #byKey = new Map<string, Set<Sub>>()

  add(sub: Sub): void {
    for (const k of sub.keys) {
      let set = this.#byKey.get(k)
      if (!set) {
        set = new Set()
        this.#byKey.set(k, set)
      }
      set.add(sub)
    }
  }

  remove(sub: Sub): void {
    for (const k of sub.keys) {
      const set = this.#byKey.get(k)
      set?.delete(sub)
      if (set?.size === 0) this.#byKey.delete(k)
    }
  }

  /** Subscriptions under any of `keys`, each once: `mark` (unique per event) is stamped on each one returned. */
  candidates(keys: readonly string[], mark: number): Sub[] {
    const out: Sub[] = []
    for (const k of keys) {
      const set = this.#byKey.get(k)
      if (!set) continue
      for (const sub of set) {
        if (sub.mark === mark) continue
        sub.mark = mark
        out.push(sub)
      }
    }
    return out
  }

  /** The subscriptions under one key (`story:<id>`: its story subscriptions, each under that key only). */
  under(key: string): ReadonlySet<Sub> | undefined {
    return this.#byKey.get(key)
  }

  /** Takes every subscription out of the index and returns them. */
  drain(): Sub[] {
    const out = new Set<Sub>()
    for (const set of this.#byKey.values()) for (const sub of set) out.add(sub)
    this.#byKey.clear()
    return [...out]
  }
}

/** Channel kinds of a subscription, for the subscriptions gauge (`filter`: no channels). */
export function kindsOf(sub: Pick<Sub, 'channels'>): string[] {
  return sub.channels.length === 0 ? ['filter'] : [...new Set(sub.channels.map((c) => c.kind))]
}
