// The article service with an in-process publisher that plans and "commits" at once: the
// decisions taken at commit time, without a broker.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ProblemError } from '@newswire/shared'
import { outcomeOf } from '../src/outcome.ts'
import type { Remembered, RequestContext } from '../src/outcome.ts'
import { createWriteServices } from '../src/services.ts'
import { ArticleState, IdempotencyCache } from '../src/state.ts'
import { validateEntry } from '../src/entry-validate.ts'
import { validateArticle } from '../src/validate.ts'
import { inProcessPublisher } from './support/in-process-publisher.ts'

function setup(beforePlan: () => void = () => {}) {
  const state = new ArticleState()
  const idempotency = new IdempotencyCache<Remembered>(60_000)
  const publisher = inProcessPublisher(state, null, beforePlan)
  const service = createWriteServices({ publisher, idempotency, publishTimeoutMs: 1000, onUnchanged: () => {} }).articles
  return { state, idempotency, published: publisher.published, service }
}

const input = (id: string) => {
  const r = validateArticle({ id, language: 'en', headline: 'h', body: ['b'] })
  assert.ok(r.ok)
  return r.article
}
const ctx = (key: string | null): RequestContext => ({
  actor: { source: 'cms', importer: false },
  traceId: 't',
  idempotencyKey: key,
  requestHash: 'hash-1',
})

test('a retry whose first attempt was committed elsewhere gets that answer, also when it is only learnt at commit time', async () => {
  // Another instance committed the first attempt; this one reads the record (and its headers)
  // during the catch-up that precedes the plan, after the request passed the cache once
  const other = setup()
  const first = await other.service.upsert(input('a-1'), ctx('cms:key-1'))
  const event = other.published[0]
  assert.ok(event)
  let learnt = false
  const here = setup(() => {
    if (learnt) return
    learnt = true
    here.state.apply(event)
    here.idempotency.set('cms:key-1', { outcome: outcomeOf(event), requestHash: 'hash-1' })
  })
  const retry = await here.service.upsert(input('a-1'), ctx('cms:key-1'))
  assert.deepEqual(retry, first)
  assert.equal(here.published.length, 0, 'no second event')
  // without a key it is the same content: unchanged
  assert.deepEqual(await here.service.upsert(input('a-1'), ctx(null)), { status: 200, body: { id: 'a-1', version: 1, unchanged: true } })
})

test('a key reused with other content is refused, also when learnt at commit time', async () => {
  const s = setup()
  await s.service.upsert(input('b-1'), ctx('cms:key-2'))
  await assert.rejects(s.service.upsert(input('b-1'), { ...ctx('cms:key-2'), requestHash: 'other' }), /other content/)
  const other = setup()
  await other.service.upsert(input('b-2'), ctx('cms:key-3'))
  const [event] = other.published
  assert.ok(event)
  const late = setup(() => late.idempotency.set('cms:key-3', { outcome: outcomeOf(event), requestHash: 'hash-of-other-content' }))
  await assert.rejects(late.service.upsert(input('b-2'), ctx('cms:key-3')), /other content/)
  assert.equal(late.published.length, 0)
})

// A retry that reaches another instance, or this one after a restart, is answered from the record
// (outcome.ts `outcomeOf`), so that answer must be the one the request got, for every kind of write
// (stop 42 mutation sweep, go1: a kill's retry answered as an UPDATED survived every unit file).
test('the answer a committed event stands for is the answer its request got, for every kind of write', async () => {
  const state = new ArticleState()
  const idempotency = new IdempotencyCache<Remembered>(60_000)
  const publisher = inProcessPublisher(state, null)
  const { articles, entries } = createWriteServices({ publisher, idempotency, publishTimeoutMs: 1000, onUnchanged: () => {} })
  const story = (extra: Record<string, unknown>) => {
    const r = validateArticle({ id: 's-1', language: 'en', headline: 'h', body: ['b'], ...extra })
    assert.ok(r.ok)
    return r.article
  }
  const entry = (id: string, headline: string) => {
    const r = validateEntry({ id, headline })
    assert.ok(r.ok)
    return r.entry
  }
  const answers = [
    await articles.upsert(story({ live: true }), ctx(null)),
    await articles.upsert(story({ live: true, headline: 'h2' }), ctx(null)),
    await entries.upsert('s-1', entry('e-1', 'first'), ctx(null)),
    await entries.upsert('s-1', entry('e-1', 'first, edited'), ctx(null)),
    await entries.delete('s-1', 'e-1', 'legal', ctx(null)),
    await articles.withdraw('s-1', 'legal', ctx(null)),
  ]
  assert.deepEqual(
    publisher.published.map((e) => e.type),
    ['CREATED', 'UPDATED', 'ENTRY_CREATED', 'ENTRY_UPDATED', 'ENTRY_DELETED', 'WITHDRAWN'],
  )
  assert.deepEqual(publisher.published.map(outcomeOf), answers)
  // a kill says what it changed, as the schema's doc says (seventh mutation batch, ar6: [] passed)
  assert.deepEqual(publisher.published.at(-1)?.changedFields, ['pubStatus'])
  assert.equal(publisher.published.at(-1)?.reason, 'legal')
})

// Seventh mutation batch, ar5: a patch applied to the stored updatedAt kept it, so every PATCH
// that did not send one was dated (updatedAt, the event's occurredAt, a correction's `at`) at the
// version before it, not at ingest's clock as a POST is.
test('a PATCH without updatedAt is dated by ingest’s clock, not at the version it patches', async () => {
  const s = setup()
  const first = validateArticle({ id: 'p-1', language: 'en', headline: 'h', body: ['b'], updatedAt: '2024-01-01T00:00:00Z' })
  assert.ok(first.ok)
  await s.service.upsert(first.article, ctx(null))
  const before = Date.now()
  const answer = await s.service.patch('p-1', { headline: 'h2', correction: { note: 'the headline was wrong' } }, ctx(null))
  assert.equal(answer.status, 200)
  const event = s.published[1]
  assert.ok(event)
  assert.ok((event.article.updatedAt ?? 0) >= before, 'updatedAt: ingest’s clock')
  assert.ok(event.occurredAt >= before)
  assert.ok((event.correction?.at ?? 0) >= before, 'the correction is dated by the update')
  // one sent is taken as sent
  await s.service.patch('p-1', { headline: 'h3', updatedAt: '2024-02-01T00:00:00Z' }, ctx(null))
  assert.equal(s.published[2]?.article.updatedAt, Date.parse('2024-02-01T00:00:00Z'))
})

// Seventh mutation batch, ar8: a withdrawal of a killed article answered one version past the
// kill; the model test reaches a repeated withdrawal in about one seed of ten at its 150 runs.
// An erasure of an article withdrawn with its content writes that kill again without it (red26a
// attack run: tombstones alone reach no running fan-out); of an erased one, nothing.
test('a withdrawal of a killed article, or an erasure of an erased one, answers unchanged at the kill’s version, and writes no event', async () => {
  const s = setup()
  await s.service.upsert(input('k-1'), ctx(null))
  const kill = await s.service.withdraw('k-1', 'legal', ctx(null))
  assert.deepEqual([kill.status, (kill.body as { version?: number }).version], [200, 2])
  assert.deepEqual(await s.service.withdraw('k-1', 'legal', ctx(null)), { status: 200, body: { id: 'k-1', version: 2, unchanged: true } })
  const erased = await s.service.erase('k-1', 'legal', ctx(null))
  assert.deepEqual([erased.status, (erased.body as { version?: number }).version], [200, 3])
  assert.deepEqual(await s.service.erase('k-1', 'legal', ctx(null)), { status: 200, body: { id: 'k-1', version: 3, unchanged: true } })
  assert.deepEqual(await s.service.withdraw('k-1', 'legal', ctx(null)), { status: 200, body: { id: 'k-1', version: 3, unchanged: true } })
  assert.deepEqual(
    s.published.map((e) => [e.type, e.article.version, e.article.headline]),
    [
      ['CREATED', 1, s.published[0]?.article.headline],
      ['WITHDRAWN', 2, s.published[0]?.article.headline],
      ['WITHDRAWN', 3, ''],
    ],
  )
})

// Seventh mutation batch, ar14, ar18, ar19: what an event and a refusal say, each of which passed
// every unit file when dropped (the event dated by ingest's clock over the updatedAt sent; a 409
// without the version stored, which a CMS needs to send the next revision; an importer's 403
// without the scope that may update the article).
test('an event occurs at the updatedAt sent; a 409 names the version stored, an importer’s 403 the scope needed', async () => {
  const s = setup()
  const at = Date.parse('2024-03-01T00:00:00Z')
  const v5 = validateArticle({ id: 'c-1', language: 'en', headline: 'h', body: ['b'], version: 5, updatedAt: '2024-03-01T00:00:00Z' })
  assert.ok(v5.ok)
  await s.service.upsert(v5.article, ctx(null))
  assert.equal(s.published[0]?.occurredAt, at)
  const v3 = validateArticle({ id: 'c-1', language: 'en', headline: 'h2', body: ['b'], version: 3 })
  assert.ok(v3.ok)
  await assert.rejects(s.service.upsert(v3.article, ctx(null)), (err: unknown) => {
    assert.ok(err instanceof ProblemError)
    assert.deepEqual([err.problem.status, err.problem.conflict, err.problem.currentVersion], [409, 'stale_revision', 5])
    return true
  })
  const importer: RequestContext = { ...ctx(null), actor: { source: 'import:scraper', importer: true } }
  await assert.rejects(s.service.upsert(input('c-1'), importer), (err: unknown) => {
    assert.ok(err instanceof ProblemError)
    assert.deepEqual([err.problem.status, err.problem.requiredScope], [403, 'write'])
    return true
  })
  assert.equal(s.published.length, 1)
})
