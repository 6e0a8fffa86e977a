// red23a attack run (2026-12-07): whom a remembered Idempotency-Key answer binds, as a small model.
// A record names the API key that was given it (`api-key-id`, red22c) or, written by a release
// before that header, names none. Random remembered answers (a key of three, or none; one of two
// request hashes), the keys configured now, and a request under that Idempotency-Key by one of
// the keys: the submitter answers it from the remembered answer, refuses it (422), or decides it
// as new, as the reference says. An answer whose giver is not configured binds no one (red22c);
// one whose giver is unknown answers only the same request (red23a: it refused the CMS's kill
// after the key that wrote it was retired, over an upgrade). red24e: the answer may also have been
// pushed out by its key's bound (its fingerprint kept, forgotten-answers.ts): the same request is
// then refused 409 whenever the kept answer would have answered it, under any key configured under
// its name. A takedown (the withdraw scope's routes) is never refused either way: under other
// content's key, or its fingerprint matched, it is decided as new (red24f: a CMS keying by its
// revision had its kill refused; stop 54: a fingerprint may match a request never sent), unless
// its version would lift or bring forward an embargo in force (red25c: then the refusal stands).
// Known runs: the shrunk failures without the fixes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'
import type { RequestContext } from '../src/articles.ts'
import { answerPrint, type Outcome, type Remembered } from '../src/outcome.ts'
import { IdempotencyCache } from '../src/state.ts'
import { createSubmitter } from '../src/submit.ts'

const KEYS = ['k1', 'k2', 'k3'] as const
const STORED: Outcome = { status: 201, body: { id: 'junk', version: 1, eventId: 'stored', type: 'CREATED' } }
const FRESH: Outcome = { status: 200, body: { id: 'story', version: 2, eventId: 'fresh', type: 'WITHDRAWN' } }

interface Run {
  by: string | null
  storedHash: string
  live: string[]
  keyId: string
  requestHash: string
  /** Pushed out by the bound before the request came. */
  pushedOut: boolean
  takesDown: boolean
  /**
   * red25c: the takedown's version, over the stored one, lifts an embargo still in force (a hold
   * sent with `embargoedUntil: null`): let past its key's refusal, it must not be decided.
   */
  bringsForward: boolean
}

type Answer = 'stored' | 'refused' | 'fresh' | 'forgotten'

/** What the rules say (ingest README, Idempotency-Key). */
function reference(r: Run): Answer {
  const binds = r.by === null ? r.requestHash === r.storedHash : r.live.includes(r.by)
  if (!binds) return 'fresh'
  // a fingerprint covers the request's hash: other content under the key is new; a takedown is decided again
  // a takedown is let past either refusal only where it only takes down (red25c)
  const letPast = r.takesDown && !r.bringsForward
  if (r.pushedOut) return r.requestHash === r.storedHash && !letPast ? 'forgotten' : 'fresh'
  if (r.requestHash === r.storedHash) return 'stored'
  return letPast ? 'fresh' : 'refused'
}

const FAR = Date.parse('2099-12-31T23:59:00Z')
/** The story as stored: public from 2099; the takedown holds it and keeps the embargo, or lifts it. */
const storedStory = { article: { id: 'story', pubStatus: 'usable', embargoedUntil: FAR } } as never
const versionOf = (r: Run) =>
  ({ article: { id: 'story', pubStatus: 'withheld', embargoedUntil: r.bringsForward ? null : FAR }, entry: null }) as never

async function actual(r: Run): Promise<Answer> {
  const idempotency = new IdempotencyCache<Remembered>(60_000, 1, (key, v) => answerPrint(key, v.by, v.requestHash))
  idempotency.set('cms:kill-story', { outcome: STORED, requestHash: r.storedHash, ...(r.by === null ? {} : { by: r.by }) })
  if (r.pushedOut) idempotency.set('cms:sync-1', { outcome: STORED, requestHash: 'h9', by: 'k1' })
  const submit = createSubmitter({
    publisher: {
      partitionOf: () => 0,
      submit: async (job) => job.plan(storedStory, { entryKeys: () => [] } as never).result,
      drain: async () => {},
      close: async () => {},
    },
    idempotency,
    publishTimeoutMs: 1000,
    liveKeyIds: new Set(r.live),
    liveKeyIdsByName: new Map([['cms', r.live]]),
  })
  const ctx: RequestContext = {
    actor: { source: 'cms', importer: false },
    traceId: 't'.repeat(32),
    idempotencyKey: 'cms:kill-story',
    requestHash: r.requestHash,
    keyId: r.keyId,
    ...(r.takesDown ? { takesDown: true as const } : {}),
  }
  try {
    const out = await submit('story', ctx, () => ({ event: r.takesDown ? versionOf(r) : null, result: FRESH }))
    return 'eventId' in out.body && out.body.eventId === 'stored' ? 'stored' : 'fresh'
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'idempotency_answer_forgotten') return 'forgotten'
    assert.equal(code, 'idempotency_key_reused', String(err))
    return 'refused'
  }
}

const runArb: fc.Arbitrary<Run> = fc.record({
  by: fc.option(fc.constantFrom(...KEYS), { nil: null }),
  storedHash: fc.constantFrom('h1', 'h2'),
  live: fc.subarray([...KEYS], { minLength: 1 }),
  keyId: fc.constantFrom(...KEYS),
  requestHash: fc.constantFrom('h1', 'h2'),
  pushedOut: fc.boolean(),
  takesDown: fc.boolean(),
  bringsForward: fc.boolean(),
})

const known: Run[] = [
  // the old release's answer (no api-key-id) to the leaked key's junk write; the CMS's kill under that key
  { by: null, storedHash: 'h1', live: ['k2'], keyId: 'k2', requestHash: 'h2', pushedOut: false, takesDown: false, bringsForward: false },
  // red24e: the release under the rotation's old key, pushed out; its retry under the new key
  {
    by: 'k1',
    storedHash: 'h1',
    live: ['k1', 'k2'],
    keyId: 'k2',
    requestHash: 'h1',
    pushedOut: true,
    takesDown: false,
    bringsForward: false,
  },
  // the CMS's save, then its kill under the same revision's key (red24f)
  { by: 'k1', storedHash: 'h1', live: ['k1'], keyId: 'k1', requestHash: 'h2', pushedOut: false, takesDown: true, bringsForward: false },
  // stop 54: a kill whose answer was pushed out, retried: decided again, not refused
  { by: 'k1', storedHash: 'h1', live: ['k1'], keyId: 'k1', requestHash: 'h1', pushedOut: true, takesDown: true, bringsForward: false },
  // red25c: a hold that lifts the desk's later embargo, retried after its answer was pushed out
  { by: 'k1', storedHash: 'h1', live: ['k1'], keyId: 'k1', requestHash: 'h1', pushedOut: true, takesDown: true, bringsForward: true },
  // red25c: the same hold under the key of the CMS's save (other content)
  { by: 'k1', storedHash: 'h1', live: ['k1'], keyId: 'k1', requestHash: 'h2', pushedOut: false, takesDown: true, bringsForward: true },
]

test('known runs: a remembered answer binds as the rules say', async () => {
  for (const r of known) assert.equal(await actual(r), reference(r), JSON.stringify(r))
})

test('property: a remembered answer is given, refuses, or binds no one as the rules say', async () => {
  await fc.assert(
    fc.asyncProperty(runArb, async (r) => {
      assert.equal(await actual(r), reference(r), JSON.stringify(r))
    }),
    { numRuns: 300, ...MODEL_REPLAY },
  )
})
