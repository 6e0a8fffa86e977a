// Legal erasures in the two-process story model (two-processes-story-model.test.ts, red26a):
// ingest's `POST /v1/articles/{id}/erase` writes the story's kill without its content (headline
// '', erasure.ts withoutContent) to news.article-events and tombstones the story's key and every
// entry key in news.articles (ingest README "Erasure"); a story killed with its content gets its
// kill again without it, the next version (decideErase, red26a); one erased already, its
// tombstones alone. What it adds to the model's checks: once a
// process has read the erasure's record, or started after the erasure (its news.articles held the
// tombstones), nothing it sends (a message, a snapshot, a page) holds the story's text or any of
// its entries', to any reader, the newsroom included (README "a legal erasure": red21b); and a
// `withdrawn` of the erasure's version says `erased`.
import assert from 'node:assert/strict'
import type { ArticleEvent, NewswireEvent } from '@newswire/shared'
import { entryStateKey, isEntryEvent } from '@newswire/shared'
import { event } from './events.ts'
import { isKilled } from './model.ts'

/** The erasure's kill as ingest writes it: the next version, canceled, without the content. */
export function erasureOf(last: ArticleEvent, t: number): ArticleEvent {
  const a = last.article
  const content = { url: null, headline: '', summary: null, body: [], categoryLabel: null, subjects: [], authors: [], dateline: null }
  return event('WITHDRAWN', { ...a, ...content, related: [], version: a.version + 1, pubStatus: 'canceled', updatedAt: t }, t, {
    reason: 'court order',
    changedFields: ['pubStatus', 'headline', 'body'],
  })
}

/** Commands between a withdrawal and the erasure that follows it (`command` with `held`). */
const LATER = 3

/** Where an erasure was written: its kill's offset in the story's partition. */
export interface Erased {
  partition: number
  offset: number
}

export const newErasureStats = () => ({ erasures: 0, afterKill: 0, checked: 0, restartedAfter: 0 })
export type ErasureStats = ReturnType<typeof newErasureStats>

export class Erasures {
  readonly #erased = new Map<string, Erased>()
  #pending: { at: number; id: string }[] = []
  /** What the runs reached (shared by a test's runs), so a generator that stops reaching a case shows. */
  readonly stats: ErasureStats

  constructor(stats: ErasureStats = newErasureStats()) {
    this.stats = stats
  }

  has(id: string): boolean {
    return this.#erased.has(id)
  }

  /**
   * The record an `erase` command writes of story `last` at server time t: its erasure (the kill
   * without the content; a kill that kept it, again without it); with `held`, the desk's
   * withdrawal first (its kill keeps the content), the erasure due LATER commands on (`due`).
   * Null: nothing (no story; erased already, its tombstones alone). `where`: where the record goes.
   */
  command(last: ArticleEvent | undefined, held: boolean, step: number, t: number, where: Erased): ArticleEvent | null {
    if (!last || last.article.headline === '') return null
    const a = last.article
    if (held && !isKilled(last)) {
      this.#pending.push({ at: step + LATER, id: a.id })
      return event('WITHDRAWN', { ...a, version: a.version + 1, pubStatus: 'canceled', updatedAt: t }, t)
    }
    this.#erased.set(a.id, where)
    this.stats.erasures++
    if (isKilled(last)) this.stats.afterKill++
    return erasureOf(last, t)
  }

  /** The stories whose erasure is due at `step` (withdrawn first: `command`). */
  due(step: number): string[] {
    const ids = this.#pending.filter((x) => x.at === step).map((x) => x.id)
    this.#pending = this.#pending.filter((x) => x.at !== step)
    return ids
  }

  /** The keys tombstoned in news.articles by now: each erased story's, and its entries' (`log`: the records written). */
  tombstoned(log: readonly (readonly NewswireEvent[])[]): Set<string> {
    const keys = new Set<string>(this.#erased.keys())
    for (const l of log)
      for (const e of l) if (isEntryEvent(e) && this.#erased.has(e.article.id)) keys.add(entryStateKey(e.article.id, e.entry.id))
    return keys
  }

  /** What a process knew was erased when it started (its news.articles' tombstones). */
  known(): Set<string> {
    const ids = new Set(this.#erased.keys())
    if (ids.size > 0) this.stats.restartedAfter++
    return ids
  }

  /**
   * The erased stories whose text a sender may not send any more: erasures it read (`readTo`, what
   * the process had read when it framed the message), or knew of at its start (`known`).
   */
  #forbidden(readTo: readonly number[] | undefined, known: ReadonlySet<string>): string[] {
    const out: string[] = []
    for (const [id, e] of this.#erased) {
      const read = readTo !== undefined && (readTo[e.partition] ?? 0) > e.offset
      if (read || known.has(id)) out.push(id)
    }
    return out
  }

  /** No text of an erased story (its headline `<id> v<n>`, an entry's body `<id>-e<n> v<n>`: events.ts) in `json`. */
  check(json: string, readTo: readonly number[] | undefined, known: ReadonlySet<string>, why: string): void {
    for (const id of this.#forbidden(readTo, known)) {
      this.stats.checked++
      const text = new RegExp(`(^|[^\\w-])${id.replace(/[-.]/g, '\\$&')}(-e\\d+)? v\\d`)
      assert.ok(!text.test(json), `X. text of ${id} sent after its erasure was read (${json.slice(0, 300)}): ${why}`)
    }
  }

  /** A `withdrawn` of a story at the version its erasure wrote says `erased` (README: a desk drops its text too). */
  checkWithdrawn(m: Record<string, unknown>, latest: ArticleEvent | undefined, why: string): void {
    if (latest === undefined || latest.type !== 'WITHDRAWN' || latest.article.headline !== '') return
    if (m.articleId === latest.article.id && m.version === latest.article.version)
      assert.equal(m.erased, true, `X. the erasure's withdrawn of ${latest.article.id} without erased: ${why}`)
  }
}
