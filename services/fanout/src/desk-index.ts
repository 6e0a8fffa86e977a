// Every article the ledger knows, in editorial order (newest editorial time first), as a whole and
// per channel key (channels.ts indexKeysOf: breaking, category:x, lang:x and its prefixes), so a
// snapshot, an older page or a count walks only the stories its channels or filter can match, from
// the top or from a cursor, instead of scanning and sorting the store on every subscribe. The store
// keeps it as the ledger applies events; it says nothing about visibility (snapshot.ts asks the
// ledger for each article it walks). Pure: no I/O.
import type { ArticleEvent } from '@newswire/shared'
import { indexKeysOf } from './channels.ts'

/** Where an article sits in editorial order: its editorial time, then its id (ties). */
export interface DeskKey {
  at: number
  id: string
}

/**
 * The editorial time of a version: when it was last updated, else published, as the newsroom's
 * CMS says (the same on every instance and replay, unlike arrival order), else when it was
 * ingested. Ingest stamps `updatedAt` on a kill, so a killed story comes to the top of the desk.
 */
export function editorialAt(e: Pick<ArticleEvent, 'article' | 'ingestedAt'>): number {
  return e.article.updatedAt ?? e.article.publishedAt ?? e.ingestedAt
}

/** Negative when `a` comes first: newer, or as new with a smaller id. */
export function compareKeys(a: DeskKey, b: DeskKey): number {
  return b.at - a.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** Keys per chunk: inserting or removing moves at most this many references. */
const CHUNK = 512

/** The article id of an `article:<id>` or `story:<id>` key, else null. */
function idOfKey(k: string): string | null {
  if (k.startsWith('article:')) return k.slice(8)
  if (k.startsWith('story:')) return k.slice(6)
  return null
}

/** A sorted list of keys in chunks (a sorted-array B-tree of depth one). */
class KeyList {
  readonly chunks: DeskKey[][] = []
  size = 0

  static of(k: DeskKey): KeyList {
    const l = new KeyList()
    l.insert(k)
    return l
  }

  /** Index of the first chunk whose last key is not before `k` (chunks.length: none). */
  chunkOf(k: DeskKey): number {
    let lo = 0
    let hi = this.chunks.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const c = this.chunks[mid] as DeskKey[]
      if (compareKeys(c[c.length - 1] as DeskKey, k) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  insert(k: DeskKey): void {
    this.size++
    if (this.chunks.length === 0) {
      this.chunks.push([k])
      return
    }
    const ci = Math.min(this.chunkOf(k), this.chunks.length - 1)
    const c = this.chunks[ci] as DeskKey[]
    c.splice(lowerBound(c, k), 0, k)
    if (c.length > 2 * CHUNK) this.chunks.splice(ci + 1, 0, c.splice(CHUNK))
  }

  delete(k: DeskKey): void {
    const ci = this.chunkOf(k)
    const c = this.chunks[ci]
    if (!c) return
    const i = lowerBound(c, k)
    if (c[i]?.id !== k.id || c[i]?.at !== k.at) return
    c.splice(i, 1)
    this.size--
    if (c.length === 0) this.chunks.splice(ci, 1)
  }
}

function lowerBound(c: readonly DeskKey[], k: DeskKey): number {
  let lo = 0
  let hi = c.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareKeys(c[mid] as DeskKey, k) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** A read position in one list. */
class ListCursor {
  readonly #list: KeyList
  #chunk: number
  #pos: number

  /** Positioned on the first key after `from` (exclusive); at the top when `from` is null. */
  constructor(list: KeyList, from: DeskKey | null) {
    this.#list = list
    if (from === null) {
      this.#chunk = 0
      this.#pos = 0
      return
    }
    this.#chunk = list.chunkOf(from)
    const c = list.chunks[this.#chunk]
    this.#pos = c ? lowerBound(c, from) : 0
    if (c && c[this.#pos] !== undefined && compareKeys(c[this.#pos] as DeskKey, from) === 0) this.#pos++
  }

  peek(): DeskKey | undefined {
    for (;;) {
      const c = this.#list.chunks[this.#chunk]
      if (!c) return undefined
      const k = c[this.#pos]
      if (k !== undefined) return k
      this.#chunk++
      this.#pos = 0
    }
  }

  advance(): void {
    this.#pos++
  }
}

/** Articles in editorial order over one or more lists: each article once (a merge of the lists). */
export class DeskWalk {
  readonly #cursors: ListCursor[]
  #last: DeskKey | null = null

  constructor(cursors: ListCursor[]) {
    this.#cursors = cursors
  }

  /** The next article, or undefined when the lists are exhausted. Do not change the index while walking. */
  next(): DeskKey | undefined {
    for (;;) {
      let best: ListCursor | null = null
      let key: DeskKey | undefined
      for (const c of this.#cursors) {
        const k = c.peek()
        if (k !== undefined && (key === undefined || compareKeys(k, key) < 0)) {
          key = k
          best = c
        }
      }
      if (!best || !key) return undefined
      best.advance()
      // an article in several lists has the same key in each: they come out next to each other
      if (this.#last !== null && this.#last.id === key.id && this.#last.at === key.at) continue
      this.#last = key
      return key
    }
  }
}

/** The index: every article, and the articles under each channel key, in editorial order. */
export class DeskIndex {
  readonly #all = new KeyList()
  readonly #byKey = new Map<string, KeyList>()
  readonly #of = new Map<string, { key: DeskKey; lists: string[] }>()

  get size(): number {
    return this.#all.size
  }

  /** Articles under a channel key (`category:home`, `lang:bn`, `breaking`, `article:<id>`). */
  sizeOf(key: string): number {
    const id = idOfKey(key)
    if (id !== null) return this.#of.has(id) ? 1 : 0
    return this.#byKey.get(key)?.size ?? 0
  }

  /** The article's newest version: where it sits now and under which keys. */
  put(e: Pick<ArticleEvent, 'article' | 'ingestedAt'>): void {
    const id = e.article.id
    const key = { at: editorialAt(e), id }
    const lists = indexKeysOf(e.article).filter((k) => k !== '*' && k !== 'all' && idOfKey(k) === null)
    const had = this.#of.get(id)
    if (had && had.key.at === key.at && had.lists.join('\n') === lists.join('\n')) return
    if (had) {
      this.#all.delete(had.key)
      for (const l of had.lists) this.#byKey.get(l)?.delete(had.key)
    }
    this.#of.set(id, { key, lists })
    this.#all.insert(key)
    for (const l of lists) {
      let list = this.#byKey.get(l)
      if (!list) {
        list = new KeyList()
        this.#byKey.set(l, list)
      }
      list.insert(key)
    }
  }

  /** Where an article sits now, if known. */
  keyOf(id: string): DeskKey | undefined {
    return this.#of.get(id)?.key
  }

  /**
   * Walks the articles after `from` (exclusive; null: from the newest), over the lists of `keys`
   * (their union), or over every article when `keys` is null.
   */
  walk(keys: readonly string[] | null, from: DeskKey | null): DeskWalk {
    if (keys === null) return new DeskWalk([new ListCursor(this.#all, from)])
    const cursors: ListCursor[] = []
    for (const k of new Set(keys)) {
      const id = idOfKey(k)
      // one article: a list of its own key, made for the walk (no list is kept per article)
      const at = id === null ? undefined : this.#of.get(id)?.key
      const list = id === null ? this.#byKey.get(k) : at === undefined ? undefined : KeyList.of(at)
      if (list) cursors.push(new ListCursor(list, from))
    }
    return new DeskWalk(cursors)
  }
}
