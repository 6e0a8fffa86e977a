// The answers ingest remembers per Idempotency-Key, for a limited time and number. Keys are scoped
// to their API key (`<key name>:<Idempotency-Key>`, http.ts), and so is the bound: each key name
// keeps its own newest answers. One bound for all keys together let one key push out the others'
// (red12b attack run, 2026-12-05): an import key re-importing a page with fresh keys, at its
// rate limit, had every other client's answers gone within minutes, and a CMS retry of a lost
// release was then decided again over the desk's hold written after it. Key names come from
// configuration (and from the records of the keys that wrote them), so the owners are few.

import { ForgottenAnswers } from './forgotten-answers.ts'
import type { ForgottenLimits } from './forgotten-answers.ts'

/** The API key name an Idempotency-Key belongs to: what comes before its first ':'. */
export function ownerOf(key: string): string {
  const i = key.indexOf(':')
  return i < 0 ? '' : key.slice(0, i)
}

/**
 * Answers remembered per (API key, Idempotency-Key), for `ttlMs`, at most `max` per API key. One
 * pushed out by the bound before its TTL leaves its fingerprint (`print`): a key's own traffic
 * filling its bound must not let a retry be decided again (red24b, forgotten-answers.ts).
 */
export class IdempotencyCache<T> {
  // Map keeps insertion order: the first entries of an owner's map are its oldest
  readonly #byOwner = new Map<string, Map<string, { value: T; expires: number }>>()
  /** Per API key name, so that one key's flood raises no other key's false matches. */
  readonly #forgotten = new Map<string, ForgottenAnswers>()
  readonly #ttlMs: number
  readonly #max: number
  readonly #print: ((key: string, value: T) => string) | null
  readonly #limits: ForgottenLimits | undefined
  constructor(ttlMs: number, max = 100_000, print: ((key: string, value: T) => string) | null = null, limits?: ForgottenLimits) {
    this.#ttlMs = ttlMs
    this.#max = max
    this.#print = print
    this.#limits = limits
  }

  /**
   * When `key`'s API key holds as many fingerprints as it may (forgotten-answers.ts), the moment it
   * has room again; null while it has room.
   */
  fullUntil(key: string, now = Date.now()): number | null {
    const f = this.#forgotten.get(ownerOf(key))
    return f?.full(now) ? f.roomAt(now) : null
  }

  /** Whether an answer of fingerprint `print` (of `key`) was pushed out by the bound within its TTL. */
  forgotten(key: string, print: string, now = Date.now()): boolean {
    return this.#forgotten.get(ownerOf(key))?.has(print, now) ?? false
  }

  /** Whether an answer given at `at` is still within the TTL at `now`. */
  live(at: number, now = Date.now()): boolean {
    return at + this.#ttlMs > now
  }

  /**
   * An answer given at `at`, read back from its record at a start (answers.ts) or by the running
   * state tail (state-records.ts), in any order of partitions and topics. Of two live answers under
   * one key, the newer stands (red26c) and the older is fingerprinted: the newer was decided only
   * once the older was pushed out, so its retry is refused, not decided again (red27b CI run). An
   * answer read again keeps its place, and one the full bound would push out at once is only
   * fingerprinted (red28b attack run: it came back as the newest and pushed out newer answers).
   * Whether `value` is held.
   */
  readBack(key: string, value: T, at: number): boolean {
    const owner = ownerOf(key)
    const owned = this.#byOwner.get(owner)
    const held = owned?.get(key)
    const expires = at + this.#ttlMs
    const print = this.#print?.(key, value)
    if (held === undefined) {
      // no newer than every answer its key name holds, its bound full: the bound would push it out
      // at once (this record read again, or read late from another partition): its fingerprint only
      const oldest = owned?.values().next().value
      if (owned !== undefined && owned.size >= this.#max && oldest !== undefined && oldest.expires >= expires) {
        if (print !== undefined) this.#forgottenOf(owner).add(print, expires, at)
        return false
      }
      this.set(key, value, at)
      return true
    }
    // the same request's answer: this record read again (kept in its place), or an older decision of
    // it (kept); a newer decision of it (a takedown decided again once its answer was pushed out)
    // stands, as where it was given (CI, 2026-12-07: the older one was given to a retry)
    if (print !== undefined && print === this.#print?.(key, held.value) && held.expires >= expires) {
      if (held.expires === expires) held.value = value
      return true
    }
    if (held.expires <= expires) {
      if (held.expires > at) this.#printOther(owner, key, held.value, value, held.expires, at)
      this.set(key, value, at)
      return true
    }
    this.#printOther(owner, key, value, held.value, expires, at)
    return false
  }

  get(key: string, now = Date.now()): T | undefined {
    const owned = this.#byOwner.get(ownerOf(key))
    const e = owned?.get(key)
    if (owned === undefined || e === undefined) return undefined
    if (e.expires <= now) {
      owned.delete(key)
      return undefined
    }
    return e.value
  }

  #forgottenOf(owner: string): ForgottenAnswers {
    let f = this.#forgotten.get(owner)
    if (f === undefined) {
      f = new ForgottenAnswers(this.#ttlMs, this.#limits)
      this.#forgotten.set(owner, f)
    }
    return f
  }

  /** Fingerprints `gone` (of `key`, until `expires`) when it is another request's answer than `kept`. */
  #printOther(owner: string, key: string, gone: T, kept: T, expires: number, now: number): void {
    if (this.#print === null) return
    const print = this.#print(key, gone)
    if (print !== this.#print(key, kept)) this.#forgottenOf(owner).add(print, expires, now)
  }

  set(key: string, value: T, now = Date.now()): void {
    const owner = ownerOf(key)
    let owned = this.#byOwner.get(owner)
    if (owned === undefined) {
      owned = new Map()
      this.#byOwner.set(owner, owned)
    }
    owned.delete(key)
    owned.set(key, { value, expires: now + this.#ttlMs })
    while (owned.size > this.#max) {
      const oldest = owned.keys().next().value
      if (oldest === undefined) break
      const e = owned.get(oldest)
      if (e !== undefined && e.expires > now && this.#print !== null)
        this.#forgottenOf(owner).add(this.#print(oldest, e.value), e.expires, now)
      owned.delete(oldest)
    }
  }
}
