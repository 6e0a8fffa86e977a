// The live subscriptions, indexed by channel key (channels.ts indexKeysOf): an event is matched
// only against the subscriptions listening on one of its article's keys. A broadcast group
// (groups.ts) is one entry for the live loop, whatever its size: its members share every input
// of a decision, so matching it costs the same for 1 member or 10,000.
import type { GroupMembership } from './groups.ts'
import type { BroadcastGroup, Sub } from './model.ts'

/** What the live loop decides for: a subscription on its own, or a broadcast group of them. */
type Decider = Sub | BroadcastGroup

export class SubscriptionIndex implements GroupMembership {
  /** Every live subscription under each key. */
  readonly #byKey = new Map<string, Set<Sub>>()
  /** Under each key, the subscriptions outside a group and the groups of the others. */
  readonly #deciders = new Map<string, Set<Decider>>()
  readonly #live = new Set<Sub>()
  /** Live members per group: whether a group has one left costs no scan of its members (a drain ungroups thousands). */
  readonly #liveMembers = new Map<BroadcastGroup, number>()

  add(sub: Sub): void {
    if (this.#live.has(sub)) return
    this.#live.add(sub)
    if (sub.group) this.#count(sub.group, 1)
    for (const k of sub.keys) {
      addTo(this.#byKey, k, sub)
      addTo(this.#deciders, k, sub.group ?? sub)
    }
  }

  remove(sub: Sub): void {
    if (!this.#live.delete(sub)) return
    const g = sub.group
    const lastOfGroup = g ? this.#count(g, -1) === 0 : false
    for (const k of sub.keys) {
      deleteFrom(this.#byKey, k, sub)
      deleteFrom(this.#deciders, k, sub)
      if (g && lastOfGroup) deleteFrom(this.#deciders, k, g)
    }
  }

  joined(sub: Sub, g: BroadcastGroup): void {
    if (this.#live.has(sub)) this.#count(g, 1)
    for (const k of sub.keys) {
      deleteFrom(this.#deciders, k, sub)
      addTo(this.#deciders, k, g)
    }
  }

  left(sub: Sub, g: BroadcastGroup): void {
    const live = this.#live.has(sub)
    const empty = (live ? this.#count(g, -1) : (this.#liveMembers.get(g) ?? 0)) === 0
    if (!live && !empty) return
    // members share their channels, so their keys
    for (const k of sub.keys) {
      if (live) addTo(this.#deciders, k, sub)
      if (empty) deleteFrom(this.#deciders, k, g)
    }
  }

  /**
   * One subscription per decision under any of `keys`: every subscription outside a group, and
   * one live member of each group (which stands for all of them). `mark` (unique per call) is
   * stamped on each one returned.
   */
  deciders(keys: readonly string[], mark: number): Sub[] {
    const out: Sub[] = []
    for (const k of keys) {
      const set = this.#deciders.get(k)
      if (!set) continue
      for (const d of set) {
        const sub = 'members' in d ? this.#liveMember(d) : d
        if (sub === null || sub.mark === mark) continue
        sub.mark = mark
        out.push(sub)
      }
    }
    return out
  }

  /** Holds nothing at all, not even a count (tests: nothing leaks). */
  isEmpty(): boolean {
    return this.#live.size === 0 && this.#byKey.size === 0 && this.#deciders.size === 0 && this.#liveMembers.size === 0
  }

  /** How many deciders are under `key` (tests). */
  decidersUnder(key: string): number {
    return this.#deciders.get(key)?.size ?? 0
  }

  /** Every subscription under any of `keys`, each once, group members included: `mark` (unique per call) is stamped on each one returned. */
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
    const out = [...this.#live]
    this.#live.clear()
    this.#byKey.clear()
    this.#deciders.clear()
    this.#liveMembers.clear()
    return out
  }

  /** The first member of `g` in the index: the same one for every key within one call (members do not change meanwhile). */
  #liveMember(g: BroadcastGroup): Sub | null {
    for (const m of g.members) if (this.#live.has(m)) return m
    return null
  }

  /** Adds `delta` to the group's live members; returns how many it has now. */
  #count(g: BroadcastGroup, delta: number): number {
    const n = (this.#liveMembers.get(g) ?? 0) + delta
    if (n > 0) this.#liveMembers.set(g, n)
    else this.#liveMembers.delete(g)
    return n
  }
}

function addTo<T>(map: Map<string, Set<T>>, key: string, value: T): void {
  let set = map.get(key)
  if (!set) {
    set = new Set()
    map.set(key, set)
  }
  set.add(value)
}

function deleteFrom<T>(map: Map<string, Set<T>>, key: string, value: T): void {
  const set = map.get(key)
  if (!set) return
  set.delete(value)
  if (set.size === 0) map.delete(key)
}

/** Channel kinds of a subscription, for the subscriptions gauge (`filter`: no channels). */
export function kindsOf(sub: Pick<Sub, 'channels'>): string[] {
  return sub.channels.length === 0 ? ['filter'] : [...new Set(sub.channels.map((c) => c.kind))]
}
