// The bounded memories of the duplicate filters (dedupe.ts, entry-dedupe.ts): least recently
// touched forgotten first.

/** Sets `key` at the young end of `map`'s insertion order; past `capacity`, forgets the oldest. */
export function touch<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): void {
  map.delete(key)
  map.set(key, value)
  // over capacity (at least 1), the map is not empty: its first key is there
  if (map.size > capacity) map.delete(map.keys().next().value as K)
}
