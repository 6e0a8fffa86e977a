// red24b attack run (2026-12-07): what the Idempotency-Key cache forgets at its bound. A model of
// it: random runs of keyed answers from a few API keys, a small bound (so runs reach it), the clock
// moving on. Within its TTL, an answer is either still given or its request is known as answered
// (`forgotten`): never both gone, which let a retry be decided again over what came after it.
// Past its TTL plus a quarter, neither. Another key's traffic never makes one forgotten.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { ForgottenAnswers } from '../src/forgotten-answers.ts'
import { IdempotencyCache } from '../src/idempotency-cache.ts'
import { answerPrint } from '../src/outcome.ts'
import type { Outcome, Remembered, RequestContext } from '../src/outcome.ts'
import { createSubmitter } from '../src/submit.ts'

const TTL = 1000
const print = (key: string, value: string) => `${key}\u0000${value}`

type Op = { op: 'set'; owner: number; key: number } | { op: 'wait'; ms: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), owner: fc.nat(2), key: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 600 }) }) },
)

test('an answer within its TTL is given or known as answered, whatever the bound pushed out; none outlives TTL and a quarter', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 120 }), fc.integer({ min: 1, max: 6 }), (ops, max) => {
      const cache = new IdempotencyCache<string>(TTL, max, print)
      /** The model: every answer given, by scoped key, with its body and when. */
      const given = new Map<string, { value: string; at: number }>()
      let now = 0
      let n = 0
      for (const o of ops) {
        if (o.op === 'wait') {
          now += o.ms
        } else {
          const key = `owner${o.owner}:k${o.key}`
          const value = `body-${n++}`
          cache.set(key, value, now)
          given.set(key, { value, at: now })
        }
        for (const [key, { value, at }] of given) {
          const kept = cache.get(key, now) === value
          const known = cache.forgotten(key, print(key, value), now)
          if (now < at + TTL) assert.ok(kept || known, `${key} (${value}) neither given nor known at ${now}`)
          if (now >= at + TTL + TTL / 4) assert.ok(!kept && !known, `${key} (${value}) outlived its TTL at ${now}`)
        }
      }
    }),
    { numRuns: 300 },
  )
})

test('one key’s flood marks none of another key’s answers forgotten, and a new request matches no fingerprint', () => {
  const cache = new IdempotencyCache<string>(TTL, 3, print)
  cache.set('cms:release-1', 'release', 0)
  for (let i = 0; i < 1000; i++) cache.set(`scraper:flood-${i}`, 'x', 1)
  assert.equal(cache.get('cms:release-1', 2), 'release')
  assert.equal(cache.forgotten('cms:new-1', print('cms:new-1', 'new'), 2), false)
  assert.equal(cache.forgotten('scraper:flood-0', print('scraper:flood-0', 'other body'), 2), false, 'other content is another request')
  assert.equal(cache.forgotten('scraper:flood-0', print('scraper:flood-0', 'x'), 2), true)
})

test('the fingerprints: kept until their end, gone a quarter of the TTL after', () => {
  const f = new ForgottenAnswers(4000)
  f.add('a', 4000, 0)
  assert.equal(f.has('a', 3999), true)
  assert.equal(f.has('b', 3999), false)
  assert.equal(f.has('a', 5000), false)
})

test('past one filter’s fill a new one is made: every fingerprint is still found, and others are not', () => {
  const f = new ForgottenAnswers(4000)
  for (let i = 0; i < 70_000; i++) f.add(`cms:sync-${i}`, 4000, 0)
  for (let i = 0; i < 70_000; i += 997) assert.equal(f.has(`cms:sync-${i}`, 1), true, `sync-${i}`)
  let matched = 0
  for (let i = 0; i < 20_000; i++) if (f.has(`cms:new-${i}`, 1)) matched++
  assert.equal(matched, 0, 'new requests taken for answered ones')
})

// red24e attack run: the fingerprints grew without bound (about 9 bytes per answer pushed out),
// until a key's flood ran ingest out of memory, and again at each start as they were rebuilt.
test('a key name holds at most its filters: full, then room again once its oldest generation ends', () => {
  const f = new ForgottenAnswers(4000, { fill: 10, maxFilters: 3 })
  for (let i = 0; i < 200; i++) f.add(`cms:sync-${i}`, 4000, 0)
  assert.equal(f.filters, 3, 'no filter past the bound')
  assert.equal(f.full(1), true)
  for (let i = 0; i < 200; i += 17) assert.equal(f.has(`cms:sync-${i}`, 1), true, 'nothing added is forgotten early')
  // expiring at 4000, kept to the end of its generation (up to a quarter of the TTL past)
  assert.equal(f.roomAt(1), 5000)
  // a later generation still gets its first filter: a fingerprint is never put where it ends early
  f.add('cms:later', 5000, 2)
  assert.equal(f.filters, 4)
  assert.equal(f.has('cms:later', 4500), true)
  assert.equal(f.full(4999), true)
  assert.equal(f.full(5000), false, 'the oldest generation ended')
  assert.equal(f.has('cms:later', 5000), true)
})

test('a full key: its keyed writes other than takedowns are refused 429 with Retry-After, its kept answers and kills still served', async () => {
  const cache = new IdempotencyCache<Remembered>(60_000, 2, (key, v) => answerPrint(key, v.by, v.requestHash), { fill: 1, maxFilters: 2 })
  const stored: Outcome = { status: 201, body: { id: 'a', version: 1, eventId: 'kept', type: 'CREATED' } }
  for (let i = 0; i < 6; i++) cache.set(`cms:sync-${i}`, { outcome: stored, requestHash: `h${i}`, by: 'k1' })
  assert.notEqual(cache.fullUntil('cms:new'), null)
  assert.equal(cache.fullUntil('desk:new'), null, 'another key name has room')
  const submit = createSubmitter({
    publisher: {
      partitionOf: () => 0,
      submit: async (job) => job.plan(undefined, { entryKeys: () => [] } as never).result,
      drain: async () => {},
      close: async () => {},
    },
    idempotency: cache,
    publishTimeoutMs: 1000,
  })
  const fresh: Outcome = { status: 200, body: { id: 'a', version: 2, eventId: 'fresh', type: 'WITHDRAWN' } }
  const ctx = (key: string, extra: Partial<RequestContext> = {}): RequestContext => ({
    actor: { source: 'cms', importer: false },
    traceId: 't'.repeat(32),
    idempotencyKey: key,
    requestHash: 'h-new',
    keyId: 'k1',
    ...extra,
  })
  await assert.rejects(
    submit('a', ctx('cms:new-1'), () => ({ event: null, result: fresh })),
    (err: { code?: string; headers?: Record<string, string> }) =>
      err.code === 'idempotency_keys_full' && Number(err.headers?.['Retry-After']) > 0,
  )
  const kill = await submit('a', ctx('cms:kill-1', { takesDown: true }), () => ({ event: null, result: fresh }))
  assert.equal('eventId' in kill.body && kill.body.eventId, 'fresh', 'a kill is taken')
  const kept = await submit('a', ctx('cms:sync-5', { requestHash: 'h5' }), () => ({ event: null, result: fresh }))
  assert.equal('eventId' in kept.body && kept.body.eventId, 'kept', 'a kept answer is given')
})
