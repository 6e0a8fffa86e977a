// A state loaded from news.articles at start (no offset) stands in for its article or entry only
// until history replays its versions: while catching up, history's first record of it replaces it
// whatever its number (Ledger.apply, Entries.apply, late-hold.ts). Not when its own record is known
// to be older than history (`before`): Store then undoes what history brought over it and judges
// that again, as read after it. Pure.

/** Where a ledger state came from. */
export interface Loaded {
  /** Offset in news.article-events; null when only known from news.articles. */
  offset: number | null
  /** Loaded from news.articles, its own record older than history (Store.#undo). */
  before?: true
}

/** While catching up, `s` is a state from news.articles that history's next record of it replaces. */
export const givesWayToHistory = (s: Loaded, catchingUp: boolean): boolean => catchingUp && s.offset === null && s.before === undefined
