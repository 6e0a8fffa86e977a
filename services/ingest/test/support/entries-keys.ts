// The entries model's Idempotency-Keys as a CMS reuses them (red26c attack run, 2026-12-07): which
// answer a keyed entry or story request gets, written from services/ingest/README.md
// "Idempotency" and "Live stories" (an entry and an article request share the key space of one
// API key), not from submit.ts. The entries model keyed each request with a key of its own, so a
// key never met other content: an entry's key reused for another entry, for its deletion, for the
// story's hold or kill, and retries of takedowns whose answer is bound or pushed out went unchecked.
import fc from 'fast-check'
import { embargoes, has, keys } from './editorial-model.ts'
import type { KeyName, Status } from './editorial-model.ts'
import { requestOf } from './entries-driver.ts'
import type { Sent } from './entries-driver.ts'
import { entryOpArb, stepEntry } from './entries-model.ts'
import type { EntryNo, EntryOp, Expected, ModelEntry, ModelStory, StoryNo } from './entries-model.ts'

/** The Idempotency-Keys a CMS reuses (it keys by its revision, which a hold or a kill does not bump). */
/** `push-<n>`: a key of its own, whose answer pushes out the older ones (LostOp). */
export type IdemKey = 'rev-a' | 'rev-b' | 'rev-c' | 'rev-d' | `push-${number}`
type NoIdem<T> = T extends unknown ? Omit<T, 'idem'> : never
/** An entry write of the entries model, whose Idempotency-Key is named here (KeyedOp). */
export type EntryWrite = NoIdem<Extract<EntryOp, { kind: 'put' | 'patch' | 'delete' }>>
export type PutOp = Extract<EntryOp, { kind: 'put' }>

/** The story's own requests under the CMS's keys: a PATCH of its controls (or `live`), its kill or erasure. */
export type StoryOp =
  | { kind: 'storyPatch'; key: KeyName; story: StoryNo; live?: boolean; pubStatus?: Status; embargoedUntil?: string | null }
  | { kind: 'storyKill'; key: KeyName; story: StoryNo; erase: boolean }

export type KeyedOp = (EntryWrite | StoryOp) & { idem?: IdemKey }

/** A keyed request of the run sent again as it was (the `pick`-th, modulo), or a keyed batch (odd picks). */
export interface RetryOp {
  kind: 'retry'
  pick: number
}
/** A keyed request sent twice at once (a CMS's retry racing its first attempt). */
export interface TwinOp {
  kind: 'twin'
  op: KeyedOp & { idem: IdemKey }
}
/** Two or three entry lines (some of one entry) in one NDJSON batch of one story. */
export interface BatchOp {
  kind: 'batch'
  key: KeyName
  story: StoryNo
  lines: PutOp[]
  idem: IdemKey | undefined
}
/**
 * The CMS saves under one of its keys, the desk moves an embargo to 2099 (no key), then the CMS's
 * older takedown arrives under the save's key: an embargo until 2030, or a hold that also lifts
 * (red25c's case, on an entry or a story), or its deletion or kill (red24f's). Drawn at random, the
 * key was seldom still bound.
 */
export interface MovedOp {
  kind: 'moved'
  story: StoryNo
  entry: EntryNo | 'story'
  late: 'earlier' | 'hold-lifts' | 'kill'
  idem: IdemKey
}
/**
 * The CMS's save of an entry under one of its keys, two saves of other entries under keys of their
 * own (their answers push the first one's out: the app keeps two), then the first save's retry
 * (red24b's case). Drawn at random, a retried answer pushed out was rare.
 */
export interface LostOp {
  kind: 'lost'
  save: KeyedOp & { kind: 'put' }
}
export type KeyStep = KeyedOp | RetryOp | TwinOp | BatchOp | MovedOp | LostOp

/** The two saves of a LostOp that push its first one's answer out, under keys of their own (`n`: the step). */
export function pushers(l: LostOp, n: number): KeyedOp[] {
  return ([1, 2] as const).map((entry) => ({ ...l.save, entry, idem: `push-${2 * n + entry - 1}` as IdemKey }))
}

/** The two requests of a MovedOp. */
export function movedOps(m: MovedOp): KeyedOp[] {
  // red24f's case: the entry's deletion, or the story's kill, under the save's key
  if (m.late === 'kill') {
    const kill: KeyedOp =
      m.entry === 'story'
        ? { kind: 'storyKill', key: 'dev', story: m.story, erase: false, idem: m.idem }
        : { kind: 'delete', key: 'dev', story: m.story, entry: m.entry, idem: m.idem }
    return [...movedOps({ ...m, late: 'earlier' }).slice(0, 1), kill]
  }
  const late = m.late === 'earlier' ? { embargoedUntil: embargoes[1] } : { pubStatus: 'withheld' as const, embargoedUntil: null }
  if (m.entry === 'story')
    return [
      { kind: 'storyPatch', key: 'dev', story: m.story, live: true, idem: m.idem },
      { kind: 'storyPatch', key: 'dev', story: m.story, embargoedUntil: embargoes[2] },
      { kind: 'storyPatch', key: 'dev', story: m.story, ...late, idem: m.idem },
    ]
  const patch = { kind: 'patch' as const, key: 'dev' as const, story: m.story, entry: m.entry, text: undefined, pinned: undefined }
  const rest = { pubStatus: undefined, correction: undefined }
  const save = { kind: 'put' as const, key: 'dev' as const, story: m.story, entry: m.entry, text: 1 as const, pinned: false }
  return [
    {
      ...save,
      keyEvent: false,
      pubStatus: undefined,
      embargoedUntil: undefined,
      revision: 'none',
      correction: undefined,
      via: 'single',
      idem: m.idem,
    },
    { ...patch, ...rest, embargoedUntil: embargoes[2] },
    { ...patch, ...rest, ...late, idem: m.idem },
  ]
}

const idemArb = fc.constantFrom<IdemKey | undefined>(undefined, 'rev-a', 'rev-a', 'rev-a', 'rev-b', 'rev-b', 'rev-c', 'rev-d')
/** The CMS's API key mostly (all scopes: its saves and kills share Idempotency-Keys), now and then another. */
const cmsKey = fc.constantFrom<KeyName>('dev', 'dev', 'dev', 'dev', 'cms', 'legal', 'desk', 'forged')
const story = fc.constantFrom<StoryNo>(0, 0, 0, 0, 1, 2)
const entry = fc.constantFrom<EntryNo>(0, 0, 0, 1, 1, 2)
/** Mostly embargoes still to come, moved back and forth (2030, 2099): what a retried takedown may bring forward. */
const future = fc.constantFrom<string | null | undefined>(undefined, null, ...embargoes, ...embargoes.slice(1))

const entryWriteArb = entryOpArb.filter(
  (op): op is Extract<EntryOp, { kind: 'put' | 'patch' | 'delete' }> => op.kind === 'put' || op.kind === 'patch' || op.kind === 'delete',
)

/** An entry write of the entries model, under the CMS's key and one of its Idempotency-Keys. */
const keyedEntryArb: fc.Arbitrary<KeyedOp> = fc
  .tuple(entryWriteArb, cmsKey, idemArb, story, entry)
  .map(([{ idem: _sent, ...op }, key, idem, s, e]) => ({ ...op, key, story: s, entry: e, ...(idem === undefined ? {} : { idem }) }))

/** The live desk's buttons on an entry: a PATCH of its controls alone (hold, release, embargo set, moved, lifted). */
const deskArb: fc.Arbitrary<KeyedOp> = fc
  .record({
    key: fc.constantFrom<KeyName>('dev', 'dev', 'cms'),
    story,
    entry,
    pubStatus: fc.constantFrom<Status | undefined>('withheld', 'withheld', 'usable', undefined),
    embargoedUntil: future,
    idem: idemArb,
  })
  .map(({ idem, ...o }) => ({
    kind: 'patch' as const,
    ...o,
    // nothing sent at all is no button: a hold
    pubStatus: o.pubStatus === undefined && o.embargoedUntil === undefined ? ('withheld' as const) : o.pubStatus,
    text: undefined,
    pinned: undefined,
    correction: undefined,
    idem: idem ?? 'rev-a',
  }))

const storyArb: fc.Arbitrary<KeyedOp> = fc.oneof(
  fc
    .record({
      kind: fc.constant('storyPatch' as const),
      key: fc.constantFrom<KeyName>('dev', 'dev', 'cms', 'desk'),
      story,
      live: fc.constantFrom<boolean | undefined>(undefined, undefined, undefined, true, false),
      pubStatus: fc.constantFrom<Status | undefined>('withheld', 'usable', undefined),
      embargoedUntil: future,
      idem: idemArb,
    })
    .map(({ live, pubStatus, embargoedUntil, idem, ...op }) => ({
      ...op,
      ...(live === undefined ? {} : { live }),
      // an empty patch is no button: a hold
      ...(pubStatus === undefined
        ? live === undefined && embargoedUntil === undefined
          ? { pubStatus: 'withheld' as const }
          : {}
        : { pubStatus }),
      ...(embargoedUntil === undefined ? {} : { embargoedUntil }),
      ...(idem === undefined ? {} : { idem }),
    })),
  fc.record({
    kind: fc.constant('storyKill' as const),
    key: fc.constantFrom<KeyName>('dev', 'dev', 'legal', 'cms'),
    story,
    erase: fc.constantFrom(false, false, true),
    idem: idemArb.map((i) => i ?? 'rev-a'),
  }),
)

const batchArb: fc.Arbitrary<BatchOp> = fc.record({
  kind: fc.constant('batch' as const),
  key: fc.constantFrom<KeyName>('dev', 'dev', 'cms', 'desk'),
  story,
  lines: fc.array(
    entryWriteArb.filter((op): op is PutOp => op.kind === 'put'),
    { minLength: 2, maxLength: 3 },
  ),
  idem: idemArb,
})

export const keyStepArb: fc.Arbitrary<KeyStep> = fc.oneof(
  { arbitrary: keyedEntryArb, weight: 7 },
  { arbitrary: deskArb, weight: 5 },
  { arbitrary: storyArb, weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('retry' as const), pick: fc.nat({ max: 7 }) }), weight: 7 },
  {
    arbitrary: fc.record({ kind: fc.constant('twin' as const), op: keyedEntryArb.map((op) => ({ ...op, idem: op.idem ?? 'rev-b' })) }),
    weight: 2,
  },
  { arbitrary: batchArb, weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('lost' as const),
      save: fc.record({
        kind: fc.constant('put' as const),
        key: fc.constant<KeyName>('dev'),
        story: fc.constant<StoryNo>(0),
        entry: fc.constant<EntryNo>(0),
        text: fc.constantFrom<0 | 1>(0, 1),
        pinned: fc.boolean(),
        keyEvent: fc.constant(false),
        pubStatus: fc.constant(undefined),
        embargoedUntil: fc.constant(undefined),
        revision: fc.constant('none' as const),
        correction: fc.constant(undefined),
        via: fc.constant('single' as const),
        idem: fc.constantFrom<IdemKey>('rev-a', 'rev-b'),
      }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('moved' as const),
      story: fc.constantFrom<StoryNo>(0, 0, 1),
      entry: fc.constantFrom<EntryNo | 'story'>(0, 0, 1, 'story'),
      late: fc.constantFrom<MovedOp['late']>('earlier', 'hold-lifts', 'kill'),
      idem: fc.constantFrom<IdemKey>('rev-a', 'rev-a', 'rev-b'),
    }),
    weight: 2,
  },
)

/** The editorial controls of each story (the entries model keeps only `live` and `killed`). */
export interface StoryControls {
  pubStatus: Status
  embargoedUntil: string | null
}
export const newControls = (): Map<StoryNo, StoryControls> =>
  new Map<StoryNo, StoryControls>([
    [0, { pubStatus: 'usable', embargoedUntil: null }],
    [1, { pubStatus: 'usable', embargoedUntil: null }],
  ])

/** The request for a keyed op (not a retry) on the stories of run `prefix`, under `idemKey` if keyed. */
export function keyedRequest(base: string, prefix: string, op: KeyedOp, revision: number | undefined, idemKey: string): Sent {
  const idem: Record<string, string> = op.idem === undefined ? {} : { 'idempotency-key': idemKey }
  const article = `${base}/v1/articles/${prefix}-s${op.story}`
  const key = keys[op.key].key
  if (op.kind === 'storyPatch') {
    const body: Record<string, unknown> = {}
    if (op.live !== undefined) body.live = op.live
    if (op.pubStatus !== undefined) body.pubStatus = op.pubStatus
    if (op.embargoedUntil !== undefined) body.embargoedUntil = op.embargoedUntil
    const headers = { 'content-type': 'application/merge-patch+json', ...idem }
    return { url: article, init: { method: 'PATCH', key, headers, body: JSON.stringify(body) } }
  }
  if (op.kind === 'storyKill') {
    const headers = { 'content-type': 'application/json', ...idem }
    const url = `${article}/${op.erase ? 'erase' : 'withdraw'}`
    return { url, init: { method: 'POST', key, headers, body: JSON.stringify({ reason: 'model' }) } }
  }
  return requestOf(base, prefix, entryOpOf(op), revision, idemKey)
}

/** The request's identity as ingest hashes it (method, path, body), whoever sends it, wherever. */
export const sigOf = (sent: Sent, base: string): string =>
  `${sent.init.method} ${sent.url.slice(base.length)}\n${sent.url.endsWith('/entries/batch') ? sent.init.body.replace(/\n$/, '') : sent.init.body}`

/** README: a kill, an erasure, an entry's deletion, or a PATCH that only holds or embargoes (a future embargo). */
export function takedown(op: KeyedOp | PutOp): boolean {
  if (op.kind === 'delete' || op.kind === 'storyKill') return true
  if (op.kind === 'put') return false
  if (op.kind === 'storyPatch' ? op.live !== undefined : op.text !== undefined || op.pinned !== undefined || op.correction !== undefined)
    return false
  if (op.pubStatus !== undefined) return op.pubStatus === 'withheld'
  return typeof op.embargoedUntil === 'string' && Date.parse(op.embargoedUntil) > Date.now()
}

interface Shown {
  pubStatus: string
  embargoedUntil: string | null
}

/** README: let past its key, a takedown must lift no embargo still to come and bring none forward. */
export function onlyTakesDown(before: Shown | undefined, after: Shown | undefined): boolean {
  if (before === undefined || after === undefined) return true
  if (after.pubStatus === 'canceled') return true
  if (before.pubStatus !== 'usable' && after.pubStatus === 'usable') return false
  if (before.embargoedUntil === null || Date.parse(before.embargoedUntil) <= Date.now()) return true
  return after.embargoedUntil !== null && Date.parse(after.embargoedUntil) >= Date.parse(before.embargoedUntil)
}

/** The model's stories and their controls, as one value a refused takedown puts back. */
export interface World {
  stories: Map<StoryNo, ModelStory>
  controls: Map<StoryNo, StoryControls>
}

const copyWorld = (w: World): World => ({
  stories: new Map(
    [...w.stories].map(([n, s]) => [
      n,
      { ...s, entries: new Map([...s.entries].map(([e, m]) => [e, { ...m }])), unreadable: new Map(s.unreadable) },
    ]),
  ),
  controls: new Map([...w.controls].map(([n, c]) => [n, { ...c }])),
})

function restore(w: World, from: World): void {
  w.stories.clear()
  for (const [n, s] of from.stories) w.stories.set(n, s)
  w.controls.clear()
  for (const [n, c] of from.controls) w.controls.set(n, c)
}

/** What the op's event would set: the entry's controls, or the story's. */
function shownOf(w: World, op: KeyedOp | PutOp): Shown | undefined {
  const story = w.stories.get(op.story)
  if (op.kind === 'storyPatch' || op.kind === 'storyKill') {
    const c = w.controls.get(op.story)
    if (story === undefined || c === undefined) return undefined
    return story.killed ? { pubStatus: 'canceled', embargoedUntil: c.embargoedUntil } : c
  }
  const m: ModelEntry | undefined = story?.entries.get(op.entry)
  return m && { pubStatus: m.pubStatus, embargoedUntil: m.embargoedUntil }
}

/** A story op decided on the model (the entries model's live, kill and erase, with the story's controls). */
function stepStory(w: World, op: StoryOp): Expected {
  if (op.key === 'forged') return { status: 401, code: 'unauthorized' }
  if (!has(op.key, op.kind === 'storyKill' ? 'withdraw' : 'write')) return { status: 403, code: 'forbidden' }
  const story = w.stories.get(op.story)
  const c = w.controls.get(op.story)
  if (op.kind === 'storyKill') {
    const killed = story?.killed === true
    const expected = stepEntry(w.stories, { kind: op.erase ? 'erase' : 'kill', story: op.story }, undefined)
    return killed && !op.erase && expected.status === 200 ? { status: 200, unchanged: true } : expected
  }
  if (story === undefined || c === undefined) return { status: 404, code: 'not_found' }
  if (story.killed) return { status: 409, code: 'conflict' }
  const next = {
    live: op.live ?? story.live,
    pubStatus: op.pubStatus ?? c.pubStatus,
    embargoedUntil: op.embargoedUntil === undefined ? c.embargoedUntil : op.embargoedUntil,
  }
  const changed = next.live !== story.live || next.pubStatus !== c.pubStatus || next.embargoedUntil !== c.embargoedUntil
  story.live = next.live
  w.controls.set(op.story, { pubStatus: next.pubStatus, embargoedUntil: next.embargoedUntil })
  return { status: 200, unchanged: !changed }
}

type EntryRequest = Extract<EntryOp, { kind: 'put' | 'patch' | 'delete' }>
/** The entries model's op for an entry write, keyed or not (its driver reads `idem` as a boolean). */
export const entryOpOf = (op: EntryWrite & { idem?: IdemKey | boolean }): EntryRequest =>
  ({ ...op, idem: op.idem !== undefined && op.idem !== false }) as EntryRequest

/** What refuses a request before its key is read: the key, its scope, the request itself. */
function refusedFirst(op: KeyedOp | PutOp, revision: number | undefined): Expected | undefined {
  if (op.kind === 'storyPatch' || op.kind === 'storyKill') return undefined
  const scope = op.kind === 'delete' ? 'withdraw' : 'write'
  if (op.key === 'forged') return { status: 401, code: 'unauthorized' }
  if (!has(op.key, scope)) return { status: 403, code: 'forbidden' }
  // the request's own 422s come before the key is read (the routes validate first)
  const before = stepEntry(new Map(), entryOpOf(op), revision)
  return before.status === 422 ? before : undefined
}

/** `op` decided on the model as a request of its own. */
export function decide(w: World, op: KeyedOp | PutOp, revision: number | undefined): Expected {
  if (op.kind === 'storyPatch' || op.kind === 'storyKill') return stepStory(w, op)
  return stepEntry(w.stories, entryOpOf(op), revision)
}

/** An answer the model remembers under a key: the request it answered, and what ingest said. */
export interface Kept {
  sig: string
  status: number
  body: unknown
}

export type KeyedExpected =
  | { kind: 'decided'; expected: Expected; key: string }
  | { kind: 'kept'; kept: Kept }
  | { kind: 'refused'; expected: Expected; forKey?: 'other' | 'forgotten' | 'full' | 'brings-forward' }
  | { kind: 'unkeyed'; expected: Expected }

/**
 * Applies `op` (sent under scoped key `key`, with identity `sig`) to the world over the answers
 * `kept` and the fingerprints `forgotten` of answers pushed out; the caller keeps a decided success.
 * `full`: the key's API key holds all the fingerprints it may (README: 429 `idempotency_keys_full`);
 * `letPast`: whether this very takedown was decided before without its key (README, red27b).
 */
export function stepKeyed(
  w: World,
  kept: Pick<ReadonlyMap<string, Kept>, 'get'>,
  forgotten: Pick<ReadonlyMap<string, ReadonlySet<string>>, 'get'>,
  op: KeyedOp | PutOp,
  revision: number | undefined,
  key: string,
  sig: string,
  full = false,
  letPast: (key: string, sig: string) => boolean = () => false,
): KeyedExpected {
  const first = refusedFirst(op, revision)
  if (first) return { kind: 'refused', expected: first }
  const seen = kept.get(key)
  /** Decided, unless it would do more than take down: then null, and nothing changes. */
  const takeDown = (): Expected | null => {
    const was = copyWorld(w)
    const before = shownOf(w, op)
    const expected = decide(w, op, revision)
    if (expected.status >= 300 || expected.unchanged || onlyTakesDown(before, shownOf(w, op))) return expected
    restore(w, was)
    return null
  }
  // a takedown decided without its key once (bound to other content) is decided so again, whatever
  // the key holds by now: only if it only takes down, else refused as the key (or its lost answer) says
  const other = takedown(op) && seen !== undefined && seen.sig !== sig
  if (other || (takedown(op) && letPast(key, sig))) {
    const expected = takeDown()
    const refusal: Expected = other
      ? { status: 422, code: 'idempotency_key_reused' }
      : { status: 409, code: 'idempotency_answer_forgotten' }
    return expected === null ? { kind: 'refused', expected: refusal, forKey: 'brings-forward' } : { kind: 'unkeyed', expected }
  }
  if (seen === undefined) {
    const lost = forgotten.get(key)?.has(sig) === true
    if (!lost && !full) return { kind: 'decided', expected: decide(w, op, revision), key }
    const refusal: Expected = lost ? { status: 409, code: 'idempotency_answer_forgotten' } : { status: 429, code: 'idempotency_keys_full' }
    if (!takedown(op)) return { kind: 'refused', expected: refusal, forKey: lost ? 'forgotten' : 'full' }
    const expected = takeDown()
    return expected === null ? { kind: 'refused', expected: refusal, forKey: 'brings-forward' } : { kind: 'decided', expected, key }
  }
  if (seen.sig === sig) return { kind: 'kept', kept: seen }
  return { kind: 'refused', expected: { status: 422, code: 'idempotency_key_reused' }, forKey: 'other' }
}

/** README (red27b): the key a takedown decided without its own is remembered under, per key and content. */
export const letPastKey = (key: string, sig: string): string => `${key.replace(':', '\u0000:')}\u0000${sig}`

export interface EntryKeyStats {
  keyed: number
  kept: number
  reused: number
  forgotten: number
  unkeyedDeletes: number
  unkeyedHolds: number
  unkeyedKills: number
  bringsForward: number
  twins: number
  batchLines: number
  batchRetries: number
  afterRestart: number
}
export const newEntryKeyStats = (): EntryKeyStats => ({
  keyed: 0,
  kept: 0,
  reused: 0,
  forgotten: 0,
  unkeyedDeletes: 0,
  unkeyedHolds: 0,
  unkeyedKills: 0,
  bringsForward: 0,
  twins: 0,
  batchLines: 0,
  batchRetries: 0,
  afterRestart: 0,
})

/** The answer `keyed` stands for, counted in `stats`. */
export function expectedOf(keyed: KeyedExpected, op: KeyedOp | PutOp, stats: EntryKeyStats): Expected {
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
      if (keyed.forKey === 'brings-forward') stats.bringsForward++
      return keyed.expected
    case 'unkeyed':
      if (op.kind === 'delete') stats.unkeyedDeletes++
      else if (op.kind === 'storyKill') stats.unkeyedKills++
      else stats.unkeyedHolds++
      return keyed.expected
  }
}
