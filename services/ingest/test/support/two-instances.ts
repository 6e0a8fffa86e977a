// The steps of the two-instances model (red28b-two-instances-model.test.ts): the CMS's saves and
// the desk's and editor's controls of one story, sent to either of two ingest instances under the
// few Idempotency-Keys a CMS reuses (it keys by its revision, which a hold or a kill does not bump),
// retries of keyed requests on either instance, each instance's tail reading the other's records
// when the model says, the clock, restarts.
import fc from 'fast-check'
import { apiKeysEnv, embargoes, keys } from './editorial-model.ts'
import { tickArb } from './keys-clock.ts'
import type { TickOp } from './keys-clock.ts'

export type Inst = 0 | 1
export type Idem = 'rev-a' | 'rev-b'
/** A PATCH of the story's controls: hold, release, an embargo until 2030 or 2099, a hold that lifts, a lift. */
export type Body = 'hold' | 'release' | 'soon' | 'late' | 'hold-lifts' | 'lift'

/** The CMS's API key `dev`: its key before a rotation, or the one that replaces it (`new`). */
export type By = 'old' | 'new'
/** Which of the two keys of `dev` an instance has configured: a rotation adds the new one, then retires the old. */
export type Config = 'old' | 'both' | 'new'

export type Step =
  /** The CMS's save of the whole story (no controls: they keep their value), under one of its keys. */
  | { kind: 'save'; at: Inst; idem: Idem; text: 0 | 1 | 2; by?: By | undefined }
  /** The same save without a key: `unchanged` when nothing changed (in no record). */
  | { kind: 'resave'; at: Inst; text: 0 | 1 | 2; by?: By | undefined }
  /** A PATCH of the controls, under one of the CMS's keys or none (the desk's buttons). */
  | { kind: 'patch'; at: Inst; idem: Idem | null; body: Body; by?: By | undefined }
  | { kind: 'kill'; at: Inst; idem: Idem; by?: By | undefined }
  /** Two saves of other stories under keys of their own: with a bound of two, they push older answers out. */
  | { kind: 'push'; at: Inst }
  /**
   * A keyed request of the run (the `pick`-th, modulo; counted from the last when negative) sent
   * again as it was, to instance `at` (under `by`, if given).
   */
  | { kind: 'retry'; at: Inst; pick: number; by?: By | undefined }
  /** Instance `at`'s tail reads the other's records up to the log's end. */
  | { kind: 'tail'; at: Inst }
  | { kind: 'restart'; at: Inst; twice: boolean }
  /** Instance `at` restarts with the CMS's keys `to` (README "Retiring a key"). */
  | { kind: 'rotate'; at: Inst; to: Config }
  | TickOp

const inst = fc.constantFrom<Inst>(0, 1)
const idem = fc.constantFrom<Idem>('rev-a', 'rev-a', 'rev-b')
const text = fc.constantFrom<0 | 1 | 2>(0, 0, 1, 2)
const by = fc.constantFrom<By | undefined>(undefined, undefined, undefined, 'new')

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('save' as const), at: inst, idem, text, by }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('resave' as const), at: inst, text, by }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('patch' as const),
      at: inst,
      idem: fc.constantFrom<Idem | null>('rev-a', 'rev-a', 'rev-b', null, null),
      body: fc.constantFrom<Body>('hold', 'release', 'soon', 'soon', 'late', 'late', 'hold-lifts', 'lift'),
      by,
    }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant('kill' as const), at: inst, idem, by }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('push' as const), at: inst }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('retry' as const),
      at: inst,
      pick: fc.nat({ max: 7 }),
      by: fc.constantFrom<By | undefined>(undefined, 'old', 'new'),
    }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant('tail' as const), at: inst }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('restart' as const), at: inst, twice: fc.boolean() }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('rotate' as const), at: inst, to: fc.constantFrom<Config>('both', 'both', 'new', 'old') }),
    weight: 1,
  },
  { arbitrary: tickArb, weight: 2 },
)

/**
 * The CMS's save on `on`, once before without a key (`unchanged` then, in no record), its takedown
 * under the save's key (decided without it: red24f), the desk's move (a release, or the embargo
 * moved to 2099), `on`'s records read by `retryAt`'s tail or not, then the takedown's retry on
 * `retryAt`. Drawn at random, a retry of a takedown whose key was free on another instance was rare.
 */
export const movedArb: fc.Arbitrary<Step[]> = fc
  .record({
    on: inst,
    retryAt: inst,
    late: fc.constantFrom<'soon' | 'hold'>('soon', 'hold'),
    lag: fc.boolean(),
    rotate: fc.constantFrom<Config | null>(null, null, 'both', 'new'),
  })
  .map(({ on, retryAt, late, lag, rotate }): Step[] => [
    { kind: 'resave', at: on, text: 0 },
    { kind: 'save', at: on, idem: 'rev-a', text: 0 },
    { kind: 'patch', at: on, idem: 'rev-a', body: late },
    { kind: 'patch', at: on, idem: null, body: late === 'soon' ? 'late' : 'release' },
    ...(lag ? [] : [{ kind: 'tail' as const, at: retryAt }]),
    // a rotation on the retry's instance: the CMS retries under its new key (README "Retiring a key")
    ...(rotate === null ? [] : [{ kind: 'rotate' as const, at: retryAt, to: rotate }]),
    { kind: 'retry', at: retryAt, pick: -1, by: rotate === null ? undefined : 'new' },
  ])

/** The model's steps: one at a time, or a MovedOp's in a row. */
export const stepsArb: fc.Arbitrary<Step[]> = fc
  .array(fc.oneof({ arbitrary: stepArb.map((s) => [s]), weight: 6 }, { arbitrary: movedArb, weight: 1 }), { minLength: 1, maxLength: 16 })
  .map((a) => a.flat())

const bodies: Record<Body, Record<string, unknown>> = {
  hold: { pubStatus: 'withheld' },
  release: { pubStatus: 'usable' },
  soon: { embargoedUntil: embargoes[1] },
  late: { embargoedUntil: embargoes[2] },
  'hold-lifts': { pubStatus: 'withheld', embargoedUntil: null },
  lift: { embargoedUntil: null },
}

/** README: a kill, or a PATCH whose only members hold or set an embargo still to come. */
export function isTakedown(step: Step): boolean {
  if (step.kind === 'kill') return true
  return step.kind === 'patch' && (step.body === 'hold' || step.body === 'soon' || step.body === 'late')
}

/** The request of a step on story `id`, under Idempotency-Key `idem` (none when null). */
export function requestOf(
  id: string,
  step: Extract<Step, { kind: 'save' | 'resave' | 'patch' | 'kill' }>,
  idem: string | null,
): { url: string; init: { method: string; headers: Record<string, string>; body: string } } {
  const keyed: Record<string, string> = idem === null ? {} : { 'idempotency-key': idem }
  if (step.kind === 'patch')
    return {
      url: `/v1/articles/${id}`,
      init: {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json', ...keyed },
        body: JSON.stringify(bodies[step.body]),
      },
    }
  if (step.kind === 'kill')
    return {
      url: `/v1/articles/${id}/withdraw`,
      init: { method: 'POST', headers: { 'content-type': 'application/json', ...keyed }, body: JSON.stringify({ reason: 'model' }) },
    }
  const article = { id, language: 'en', headline: `Story ${step.text}`, body: [`text ${step.text}`] }
  return {
    url: '/v1/articles',
    init: { method: 'POST', headers: { 'content-type': 'application/json', ...keyed }, body: JSON.stringify(article) },
  }
}

const NEW_KEY = 'model-key-dev-rotated-02'
/** The API key of `by`. */
export const keyOf = (by: By | undefined): string => (by === 'new' ? NEW_KEY : keys.dev.key)

/** INGEST_API_KEYS of an instance configured `c`: the model's keys, `dev` with its old key, both, or the new one alone. */
export function envOf(c: Config): string {
  const scopes = keys.dev.scopes.join('+')
  const old = `dev:${keys.dev.key}:${scopes}`
  const rotated = `dev:${NEW_KEY}:${scopes}`
  return c === 'old' ? apiKeysEnv : c === 'both' ? `${apiKeysEnv},${rotated}` : apiKeysEnv.replace(old, rotated)
}

/** Whether an instance configured `c` has the key `by` (a key not configured there binds no one: README). */
export const configured = (c: Config, by: By): boolean => c === 'both' || c === by

export interface TwoStats {
  ticks: number
  tails: number
  restarts: number
  rotations: number
  retries: number
  retriesUnderOtherKey: number
  retiredAnswers: number
  decidedAgain: number
  runsWithRetries: number
}
export const newTwoStats = (): TwoStats => ({
  ticks: 0,
  tails: 0,
  restarts: 0,
  rotations: 0,
  retries: 0,
  retriesUnderOtherKey: 0,
  retiredAnswers: 0,
  decidedAgain: 0,
  runsWithRetries: 0,
})
