// The entries-keys model's answers over time and across restarts (red27b attack run, 2026-12-07):
// what ingest keeps of an API key's Idempotency-Key answers, written from services/ingest/README.md
// "Idempotency" (a TTL, a bound per API key, fingerprints of the answers the bound pushes out per
// quarter of the TTL, at most so many filters of them before keyed writes get 429
// `idempotency_keys_full`; a restart reads the last TTL of keyed records back, the answer given
// last standing), with a clock the model moves. The entries-keys model never moved time, never
// filled a key's fingerprints, and restarted only at the end of a run.
import fc from 'fast-check'
import { answerPrint } from '../../src/outcome.ts'
import type { Remembered } from '../../src/outcome.ts'
import { IdempotencyCache } from '../../src/state.ts'
import { movedOps } from './entries-keys.ts'
import type { IdemKey, KeyedOp, Kept } from './entries-keys.ts'
import type { EntryNo, StoryNo } from './entries-model.ts'

/** INGEST_IDEMPOTENCY_TTL_MS of the model's ingest; fingerprints go by quarters of it. */
export const TTL = 60_000
const WIDTH = Math.ceil(TTL / 4)
/** Fingerprints a filter takes, and filters a key name holds before it is full: tiny, so runs fill them. */
export const LIMITS = { fill: 2, maxFilters: 3 }

/** The time ingest reads, moved by the model only (and a millisecond before each request). */
export class Clock {
  now = Date.UTC(2026, 11, 7, 12)
  tick(ms: number): void {
    this.now += ms
  }
}

/** Ingest's IdempotencyCache (as server.ts makes it) on the model's clock instead of Date.now. */
export class ClockedCache extends IdempotencyCache<Remembered> {
  readonly #clock: Clock
  constructor(clock: Clock, bound: number) {
    super(TTL, bound, (key, v) => answerPrint(key, v.by, v.requestHash), LIMITS)
    this.#clock = clock
  }
  override get(key: string, now = this.#clock.now): Remembered | undefined {
    return super.get(key, now)
  }
  override set(key: string, value: Remembered, now = this.#clock.now): void {
    super.set(key, value, now)
  }
  override forgotten(key: string, print: string, now = this.#clock.now): boolean {
    return super.forgotten(key, print, now)
  }
  override fullUntil(key: string, now = this.#clock.now): number | null {
    return super.fullUntil(key, now)
  }
  override live(at: number, now = this.#clock.now): boolean {
    return super.live(at, now)
  }
}

/** An answer kept: `readBack` when a restarted instance read it from its record (the body as the event says). */
export interface TimedKept extends Kept {
  readBack?: true
}

/** A keyed request committed in a record: what a restart reads back (`story`: its partition). */
export interface KeyedRecord {
  key: string
  story: number
  at: number
  kept: TimedKept
}

const ownerOf = (key: string): string => key.slice(0, key.indexOf(':'))

/** The README's answers of one ingest instance, in the model's terms (sig: the request's identity). */
export class ModelAnswers {
  readonly #bound: number
  readonly #owners = new Map<string, Map<string, { kept: TimedKept; expires: number }>>()
  /** Per key name: its fingerprints, and its filters per generation (a quarter of the TTL). */
  readonly #prints = new Map<
    string,
    { list: { key: string; sig: string; until: number }[]; gens: Map<number, { filters: number; inLast: number }>; filters: number }
  >()
  constructor(bound: number) {
    this.#bound = bound
  }

  /** The answer kept for `key` at `now` (one past its TTL is dropped, and leaves its place in the bound). */
  get(key: string, now: number): TimedKept | undefined {
    const owned = this.#owners.get(ownerOf(key))
    const e = owned?.get(key)
    if (e === undefined) return undefined
    if (e.expires > now) return e.kept
    owned?.delete(key)
    return undefined
  }

  #pruned(owner: string, now: number) {
    const p = this.#prints.get(owner)
    if (p === undefined) return undefined
    for (const [g, gen] of p.gens)
      if ((g + 1) * WIDTH <= now) {
        p.filters -= gen.filters
        p.gens.delete(g)
      }
    p.list = p.list.filter((x) => x.until > now)
    return p
  }

  /** The sigs of `key`'s answers pushed out by the bound, still remembered at `now`. */
  forgotten(key: string, now: number): Set<string> {
    return new Set(
      this.#pruned(ownerOf(key), now)
        ?.list.filter((x) => x.key === key)
        .map((x) => x.sig),
    )
  }

  /** Whether `key`'s API key holds all the fingerprints it may at `now`. */
  full(key: string, now: number): boolean {
    const p = this.#pruned(ownerOf(key), now)
    return p !== undefined && p.filters >= LIMITS.maxFilters
  }

  #print(owner: string, key: string, sig: string, expires: number, now: number): void {
    const p = this.#pruned(owner, now) ?? { list: [] as { key: string; sig: string; until: number }[], gens: new Map(), filters: 0 }
    this.#prints.set(owner, p)
    const g = Math.floor(expires / WIDTH)
    // once per generation (README red28b: an answer read twice at a start is fingerprinted once)
    if (p.list.some((x) => x.key === key && x.sig === sig && x.until === (g + 1) * WIDTH)) return
    const gen = p.gens.get(g) ?? { filters: 0, inLast: 0 }
    p.gens.set(g, gen)
    // a generation's first fingerprint always gets a filter; past the bound the last one takes more
    if (gen.filters === 0 || (gen.inLast >= LIMITS.fill && p.filters < LIMITS.maxFilters)) {
      gen.filters++
      p.filters++
      gen.inLast = 0
    }
    gen.inLast++
    p.list.push({ key, sig, until: (g + 1) * WIDTH })
  }

  /** Keeps `kept` for `key` from `now`; the API key's oldest answers past its bound are pushed out. */
  set(key: string, kept: TimedKept, now: number): void {
    const owner = ownerOf(key)
    const owned = this.#owners.get(owner) ?? new Map()
    this.#owners.set(owner, owned)
    // only a restart replaces a live answer with another request's (read back, the older first): the
    // older was pushed out before the newer was decided, and left its fingerprint
    const was = owned.get(key)
    if (was !== undefined && was.expires > now && was.kept.sig !== kept.sig) this.#print(owner, key, was.kept.sig, was.expires, now)
    owned.delete(key)
    owned.set(key, { kept, expires: now + TTL })
    for (const [oldest, e] of owned) {
      if (owned.size <= this.#bound) break
      if (e.expires > now) this.#print(owner, oldest, e.kept.sig, e.expires, now)
      owned.delete(oldest)
    }
  }

  /**
   * A restart: the records within the TTL at `now`, read in `records`' order (a record may come
   * twice: news.article-events, then news.articles); the answer given last stands.
   */
  static readBack(bound: number, records: readonly KeyedRecord[], now: number): ModelAnswers {
    const a = new ModelAnswers(bound)
    for (const r of records) {
      if (r.at + TTL <= now) continue
      const owned = a.#owners.get(ownerOf(r.key))
      const held = owned?.get(r.key)
      const expires = r.at + TTL
      // no newer than every answer its key name holds, the bound full: fingerprinted only (read
      // again at a start, or late from another partition: README red28b)
      const oldest = owned?.values().next().value
      if (held === undefined && owned !== undefined && owned.size >= bound && oldest !== undefined && oldest.expires >= expires) {
        a.#print(ownerOf(r.key), r.key, r.kept.sig, expires, r.at)
        continue
      }
      // the same request's answer read again keeps its place; a newer decision of it stands
      if (held !== undefined && held.kept.sig === r.kept.sig && held.expires >= expires) continue
      // an older answer read after the newer one (another partition) leaves its fingerprint too
      if (held !== undefined && held.expires > r.at + TTL) {
        if (held.kept.sig !== r.kept.sig) a.#print(ownerOf(r.key), r.key, r.kept.sig, r.at + TTL, r.at)
        continue
      }
      a.set(r.key, { ...r.kept, readBack: true }, r.at)
    }
    return a
  }
}

/** The model's clock moves: a second, half the TTL, past the TTL, past the fingerprints' last quarter too. */
export interface TickOp {
  kind: 'tick'
  ms: number
}
/**
 * Ingest restarts: its state and answers read back from the records; partitions in story order, or
 * the last story first. `twice`: as a start does, each keyed record is read from news.article-events
 * and again from news.articles (the other partition order): a restart read each once (red28b).
 */
export interface RestartOp {
  kind: 'restart'
  reversed: boolean
  twice?: boolean
}
/**
 * The CMS saves under one of its keys, then sends a takedown under the same key (bound to the save:
 * decided as if sent without it, red24f) and loses its answer; the desk moves the embargo to 2099
 * (no key); the save's answer goes (pushed out by the CMS's next saves, past its TTL, or, answered
 * `unchanged`, gone with a restart) while the takedown's is still within its TTL; the CMS retries
 * the takedown. Drawn at random, a takedown's key was seldom freed before its retry.
 */
export interface FreedOp {
  kind: 'freed'
  story: StoryNo
  entry: EntryNo | 'story'
  late: 'earlier' | 'hold-lifts'
  how: 'pushed' | 'ttl' | 'restart'
  idem: IdemKey
}
export const freedArb: fc.Arbitrary<FreedOp> = fc.record({
  kind: fc.constant('freed' as const),
  story: fc.constantFrom<StoryNo>(0, 0, 1),
  entry: fc.constantFrom<EntryNo | 'story'>(0, 0, 1, 'story'),
  late: fc.constantFrom<FreedOp['late']>('earlier', 'hold-lifts'),
  how: fc.constantFrom<FreedOp['how']>('pushed', 'ttl', 'restart'),
  idem: fc.constantFrom<IdemKey>('rev-a', 'rev-b'),
})

/** The requests of a FreedOp, in order; `null` where its key's save answer goes; the last is the retry. */
export function freedOps(f: FreedOp, n: number): (KeyedOp | null)[] {
  const [save, desk, late] = movedOps({ kind: 'moved', story: f.story, entry: f.entry, late: f.late, idem: f.idem })
  const takedown = late as KeyedOp
  // the desk's move, without a key (movedOps sends it so)
  const move = desk as KeyedOp
  const first = save as KeyedOp
  // answered `unchanged` (in no record): the same save sent once before without a key
  const unchanged: KeyedOp[] = f.how === 'restart' ? [{ ...first, idem: undefined } as KeyedOp] : []
  const pushed: KeyedOp[] =
    f.how === 'pushed'
      ? ([1, 2] as const).map((entry) => ({
          kind: 'put' as const,
          key: 'dev' as const,
          story: 0 as const,
          entry,
          text: 0 as const,
          pinned: false,
          keyEvent: false,
          pubStatus: undefined,
          embargoedUntil: undefined,
          revision: 'none' as const,
          correction: undefined,
          via: 'single' as const,
          idem: `push-${2 * n + entry + 1000}` as IdemKey,
        }))
      : []
  return [...unchanged, first, takedown, move, ...(f.how === 'pushed' ? pushed : [null]), takedown]
}

export const tickArb: fc.Arbitrary<TickOp> = fc.record({
  kind: fc.constant('tick' as const),
  ms: fc.constantFrom(1_000, 1_000, WIDTH, TTL / 2, TTL - 1_000, TTL + 1, TTL + WIDTH + 1),
})
export const restartArb: fc.Arbitrary<RestartOp> = fc.record({
  kind: fc.constant('restart' as const),
  reversed: fc.boolean(),
  twice: fc.constantFrom(true, true, false),
})

export interface ClockStats {
  ticks: number
  decidedAgain: number
  takedownsAgain: number
  freed: number
  full: number
  fullTakedowns: number
  restarts: number
  readTwice: number
  readBackKept: number
  retriesAfterRestart: number
  batchRetriesAfterRestart: number
}
export const newClockStats = (): ClockStats => ({
  ticks: 0,
  decidedAgain: 0,
  takedownsAgain: 0,
  freed: 0,
  full: 0,
  fullTakedowns: 0,
  restarts: 0,
  readTwice: 0,
  readBackKept: 0,
  retriesAfterRestart: 0,
  batchRetriesAfterRestart: 0,
})
