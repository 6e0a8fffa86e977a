// The editorial model's Idempotency-Keys (red25c attack run, 2026-12-07): which answer a keyed
// request gets, written from services/ingest/README.md "Idempotency", not from submit.ts. The
// model's requests used to go without a key, so nothing ever retried, reused a key for other
// content, or sent a takedown under a key bound to a save (red24f), and the rule that such a
// takedown is decided as if sent without its key went unchecked against the editorial rules.
import fc from 'fast-check'
import type { KafkaMessage } from '@newswire/shared'
import { badRevision, embargoes, embargoShown, embargoSpellings, has, namedTwice, scopeOf, stepOver } from './editorial-model.ts'
import type { Expected, ModelArticle, Op } from './editorial-model.ts'

/** Two Idempotency-Keys a CMS reuses (it keys by its revision, which a hold or a kill does not bump). */
export type IdemKey = 'rev-a' | 'rev-b' | 'rev-c' | 'rev-d'

/** A request of the model sent again, as it was sent: the `pick`-th of those sent with a key (modulo). */
export interface RetryOp {
  kind: 'retry'
  pick: number
}

/** Mostly the two keys a CMS reuses; now and then others, whose answers push the first ones out (a tiny bound). */
export const idemArb: fc.Arbitrary<IdemKey | undefined> = fc.constantFrom<IdemKey | undefined>(
  undefined,
  'rev-a',
  'rev-a',
  'rev-b',
  'rev-c',
  'rev-d',
)
export const retryArb: fc.Arbitrary<RetryOp> = fc.record({ kind: fc.constant('retry' as const), pick: fc.nat({ max: 7 }) })

/**
 * The desk's buttons as PATCHes of the controls alone, under the CMS's keys (dev holds every scope,
 * so its saves and kills share keys): holds, releases, embargoes set, moved and lifted, a hold and
 * an embargo change at once. The editorial model's patches name these alone only now and then.
 */
export const deskArb: fc.Arbitrary<Op & { idem: IdemKey }> = fc.record({
  kind: fc.constant('patch' as const),
  key: fc.constantFrom<'dev' | 'cms'>('dev', 'dev', 'cms'),
  id: fc.integer({ min: 0, max: 2 }),
  headline: fc.constant(undefined),
  summary: fc.constant(undefined),
  urgency: fc.constant(undefined),
  pubStatus: fc.constantFrom<'withheld' | 'usable' | undefined>('withheld', 'usable', undefined, undefined),
  embargoedUntil: fc.constantFrom<string | null | undefined>(undefined, null, ...embargoes, ...Object.keys(embargoSpellings)),
  twice: fc.constant(undefined),
  idem: fc.constantFrom<IdemKey>('rev-a', 'rev-a', 'rev-b'),
})

/** A request as sent: what a retry sends again. */
export interface Sent {
  op: Op
  revision: number | undefined
  idem: IdemKey
  /** A batch's line (from 0): ingest files it under `<key>#<line>`. */
  line?: number
}

/** An answer the model remembers under a key: the request it answered, and what ingest said. */
export interface Kept {
  /** The request's identity (method, path, body): another one under the key is other content. */
  sig: string
  status: number
  body: { eventId?: string; version?: number; unchanged?: boolean }
}

/** What the README says about a keyed request, beside the answer step gives. */
export type KeyedExpected =
  /** Decided as a request of its own; remembered under `key` if it succeeds. */
  | { kind: 'decided'; expected: Expected; key: string }
  /** The key's first answer, again: nothing written. */
  | { kind: 'kept'; kept: Kept }
  /**
   * Refused before the key is read (401, 403, a 422 of the request itself), or for the key (422):
   * other content under it, or a takedown that would lift or bring forward an embargo.
   */
  | { kind: 'refused'; expected: Expected; forKey?: 'other' | 'forgotten' | 'brings-forward' }
  /** A takedown under a key bound to other content, decided as if sent without one; the key keeps its answer. */
  | { kind: 'unkeyed'; expected: Expected; takedown: 'kill' | 'hold' }

export interface KeyStats {
  keyed: number
  kept: number
  reused: number
  /** Takedowns under a key bound to other content: decided, or refused for lifting or bringing forward. */
  unkeyedKills: number
  unkeyedHolds: number
  unkeyedRefused: number
  /** Retries of committed keyed requests on an instance restarted since, answered from their records. */
  afterRestart: number
  /** Lines of NDJSON batches sent, and keyed batches sent again. */
  batchLines: number
  batchRetries: number
  /** Keyed requests raced by their twin (the same request at once). */
  twins: number
  /** Retries refused because their answer was pushed out by the key's bound (red24b). */
  forgotten: number
}

export const newKeyStats = (): KeyStats => ({
  keyed: 0,
  kept: 0,
  reused: 0,
  unkeyedKills: 0,
  unkeyedHolds: 0,
  unkeyedRefused: 0,
  afterRestart: 0,
  batchLines: 0,
  batchRetries: 0,
  twins: 0,
  forgotten: 0,
})

/** The model's "now": the embargoes it draws are in 2020 (past), 2030 and 2099. */
const future = (instant: string | null): boolean => instant !== null && Date.parse(instant) > Date.now()

/** The Idempotency-Key ingest files the request under: its API key's name; a batch's line n as `#n-1`. */
export const scopedKey = (op: Op, idem: IdemKey, line = 0): string =>
  `${op.key}:${idem}${op.kind === 'post' && op.via === 'batch' ? `#${line}` : ''}`

/** README: a kill, an erasure, or a PATCH that only holds or embargoes (`withheld`, a future embargo, nothing else). */
function takedown(op: Op): boolean {
  if (op.kind === 'withdraw' || op.kind === 'erase') return true
  if (op.kind !== 'patch' || op.headline !== undefined || op.summary !== undefined || op.urgency !== undefined) return false
  if (op.pubStatus !== undefined) return op.pubStatus === 'withheld'
  return op.embargoedUntil !== undefined && future(embargoShown(op.embargoedUntil))
}

/** README: let past its key, a takedown must lift no embargo still to come and bring none forward. */
function onlyTakesDown(before: ModelArticle | undefined, after: ModelArticle | undefined): boolean {
  if (before === undefined || after === undefined || before === after) return true
  if (after.pubStatus === 'canceled') return true
  if (before.pubStatus === 'withheld' && after.pubStatus === 'usable') return false
  if (!future(before.embargoedUntil)) return true
  return after.embargoedUntil !== null && after.embargoedUntil >= (before.embargoedUntil as string)
}

/** What refuses a request before its key is read: the key, its scope, the request itself. */
function refusedFirst(op: Op, revision: number | undefined): Expected | undefined {
  if (op.key === 'forged') return { status: 401, code: 'unauthorized' }
  if (!has(op.key, scopeOf(op))) return { status: 403, code: 'forbidden' }
  if (namedTwice(op)) return { status: 422, code: 'validation_failed' }
  if (op.kind === 'post' && (op.urgency > 9 || op.pubStatus === 'canceled' || badRevision(op.revision, revision)))
    return { status: 422, code: 'validation_failed' }
  if (op.kind === 'patch' && op.pubStatus === null) return { status: 422, code: 'validation_failed' }
  return undefined
}

/**
 * Applies `op`, sent under `idem` with `revision` and identity `sig`, to `articles` (when
 * accepted) over the answers `kept`; the caller remembers a `decided` success under its `key`.
 */
export function stepKeyed(
  articles: Map<number, ModelArticle>,
  unreadable: ReadonlySet<number>,
  kept: ReadonlyMap<string, Kept>,
  sent: Sent,
  sig: string,
  forgotten: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
  letPast: (key: string, sig: string) => boolean = () => false,
): KeyedExpected {
  const { op, revision } = sent
  const first = refusedFirst(op, revision)
  if (first) return { kind: 'refused', expected: first }
  const key = scopedKey(op, sent.idem, sent.line)
  const seen = kept.get(key)
  const decide = () => stepOver(articles, unreadable, op, { revision })
  /** `decide`, unless it would do more than take down: then null, and nothing changes. */
  const takeDown = (): Expected | null => {
    const before = articles.get(op.id)
    const expected = decide()
    if (expected.status >= 300 || onlyTakesDown(before, articles.get(op.id))) return expected
    if (before === undefined) articles.delete(op.id)
    else articles.set(op.id, before)
    return null
  }
  // a takedown decided without its key once (bound to other content) is decided so again, whatever
  // the key holds by now (README, red27b): only if it only takes down
  const other = takedown(op) && seen !== undefined && seen.sig !== sig
  if (other || (takedown(op) && letPast(key, sig))) {
    const expected = takeDown()
    const refusal: Expected = other
      ? { status: 422, code: 'idempotency_key_reused' }
      : { status: 409, code: 'idempotency_answer_forgotten' }
    if (expected === null) return { kind: 'refused', expected: refusal, forKey: 'brings-forward' }
    return { kind: 'unkeyed', expected, takedown: op.kind === 'patch' ? 'hold' : 'kill' }
  }
  if (seen === undefined) {
    // this very request's answer was pushed out by its key's bound: refused, but a takedown (README)
    if (!forgotten.get(key)?.has(sig)) return { kind: 'decided', expected: decide(), key }
    const refusal: Expected = { status: 409, code: 'idempotency_answer_forgotten' }
    if (!takedown(op)) return { kind: 'refused', expected: refusal, forKey: 'forgotten' }
    const expected = takeDown()
    return expected === null ? { kind: 'refused', expected: refusal, forKey: 'brings-forward' } : { kind: 'decided', expected, key }
  }
  if (seen.sig === sig) return { kind: 'kept', kept: seen }
  return { kind: 'refused', expected: { status: 422, code: 'idempotency_key_reused' }, forKey: 'other' }
}

/**
 * The answers ingest keeps, at most `bound` per API key name, oldest pushed out first (its
 * IdempotencyCache), over every run against one app: which of a run's keys each new one pushes out.
 */
export class AnswerBound {
  readonly #kept = new Map<string, { run: number; key: string }[]>()
  readonly bound: number
  constructor(bound: number) {
    this.bound = bound
  }

  /** Ingest keeps the answer of `key` (of run `run`): the keys of that run it pushes out. */
  keep(run: number, key: string): string[] {
    const owner = key.slice(0, key.indexOf(':'))
    const list = (this.#kept.get(owner) ?? []).filter((e) => !(e.run === run && e.key === key))
    list.push({ run, key })
    const out: string[] = []
    while (list.length > this.bound) {
      const e = list.shift()
      if (e?.run === run) out.push(e.key)
    }
    this.#kept.set(owner, list)
    return out
  }
}

/**
 * The answers a run's model has ingest keep by key, and those its bound pushed out (their
 * fingerprints in `forgotten`): the editorial and the entries-keys models keep them alike.
 */
export class KeptAnswers<K extends { sig: string }> {
  readonly kept = new Map<string, K>()
  readonly forgotten = new Map<string, Set<string>>()
  readonly pushedOut = new Map<string, K>()
  readonly #bound: AnswerBound
  readonly #run: number
  constructor(bound: AnswerBound, run: number) {
    this.#bound = bound
    this.#run = run
  }

  /** Ingest keeps the answer of `key` (again, if its batch's own commits pushed it out in between). */
  keep(key: string): void {
    const mine = this.kept.get(key) ?? this.pushedOut.get(key)
    for (const out of this.#bound.keep(this.#run, key)) {
      const was = this.kept.get(out)
      if (was) this.forgotten.set(out, new Set([...(this.forgotten.get(out) ?? []), was.sig]))
      if (was) this.pushedOut.set(out, was)
      this.kept.delete(out)
    }
    if (mine) this.kept.set(key, mine)
  }
}

/** The answer `keyed` stands for, counted in `stats`. */
export function stepUnkeyed(keyed: KeyedExpected, stats: KeyStats): Expected {
  switch (keyed.kind) {
    case 'kept':
      stats.kept++
      return { status: keyed.kept.status }
    case 'decided':
      stats.keyed++
      return keyed.expected
    case 'refused':
      if (keyed.forKey === 'other') stats.reused++
      if (keyed.forKey === 'forgotten') stats.forgotten++
      if (keyed.forKey === 'brings-forward') stats.unkeyedRefused++
      return keyed.expected
    case 'unkeyed':
      if (keyed.takedown === 'kill') stats.unkeyedKills++
      else stats.unkeyedHolds++
      return keyed.expected
  }
}

/** The Idempotency-Key headers a keyed record carries (records.ts). */
export interface IdempotencyHeaders {
  key: string
  requestHash: string
  by?: string
}

/** A news.article-events record of a keyed request, as a restarted instance reads it (answers.ts). */
export function recordOf(h: IdempotencyHeaders, at = Date.now()): KafkaMessage {
  const headers: Record<string, Buffer> = { 'idempotency-key': Buffer.from(h.key), 'request-hash': Buffer.from(h.requestHash) }
  if (h.by !== undefined) headers['api-key-id'] = Buffer.from(h.by)
  return { key: null, value: null, timestamp: String(at), attributes: 0, offset: '0', headers }
}
