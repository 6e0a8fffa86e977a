// An Idempotency-Key reused with other content while the first request still commits is refused
// (422 idempotency_key_reused), as it is once the first is answered. An outside review (2026-12-04)
// found the second request got the first one's answer and was never written: a kill sent with the
// key of an update still in flight was answered 200 and the story stayed public.
// Through the routes a kill now carries `takesDown` and is decided as if sent without a key
// (red24f-takedown-key-bound.test.ts); here, without it, it stands for any other write.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { planView } from '../src/batch-plan.ts'
import type { Job } from '../src/batch-plan.ts'
import { type Publisher, unavailable } from '../src/publisher.ts'
import type { Remembered, RequestContext } from '../src/outcome.ts'
import { createWriteServices } from '../src/services.ts'
import { ArticleState, IdempotencyCache } from '../src/state.ts'
import { validateArticle } from '../src/validate.ts'

/** The article writes over `publisher`, with an Idempotency-Key cache of their own. */
const articlesOver = (publisher: Publisher) =>
  createWriteServices({
    publisher,
    idempotency: new IdempotencyCache<Remembered>(60_000),
    publishTimeoutMs: 1000,
    onUnchanged: () => {},
  }).articles

/** A CMS request with Idempotency-Key `key` (null: none) over content hashed as `requestHash`. */
const ctx = (key: string | null, requestHash: string): RequestContext => ({
  actor: { source: 'cms', importer: false },
  traceId: 't',
  idempotencyKey: key,
  requestHash,
})

test('a withdraw with the Idempotency-Key of an update still committing is refused, and a true retry still waits for the update', async () => {
  const state = new ArticleState()
  const published: string[] = []
  // A publisher whose commits take a while, as Kafka's do (linger, transaction, read-back)
  const gate: (() => void)[] = []
  const publisher: Publisher = {
    partitionOf: () => 0,
    async submit<R>(job: Job<R>) {
      await new Promise<void>((resolve) => gate.push(resolve))
      const plan = job.plan(state.get(job.articleId), planView(state))
      if (plan.event) {
        published.push(`${plan.event.type} ${plan.event.article.id}`)
        state.apply(plan.event)
        job.committed?.(plan.result)
      }
      return plan.result
    },
    drain: async () => {},
    close: async () => {},
  }
  const articles = articlesOver(publisher)
  const input = (id: string, headline: string) => {
    const r = validateArticle({ id, language: 'en', headline, body: ['b'] })
    assert.ok(r.ok)
    return r.article
  }
  for (const id of ['a', 'b']) {
    const p = articles.upsert(input(id, 'v1'), ctx(null, ''))
    gate.shift()?.()
    await p
  }
  const update = articles.upsert(input('b', 'v2'), ctx('cms:K', 'hash-of-the-update'))
  const kill = articles.withdraw('a', 'legal', ctx('cms:K', 'hash-of-the-kill'))
  const retry = articles.upsert(input('b', 'v2'), ctx('cms:K', 'hash-of-the-update'))
  while (gate.length > 0) gate.shift()?.()
  const [u, k, r] = await Promise.allSettled([update, kill, retry])
  assert.equal(k.status, 'rejected', `the kill was answered ${JSON.stringify(k)}`)
  assert.equal((k as PromiseRejectedResult).reason?.problem?.code, 'idempotency_key_reused')
  assert.equal(u.status, 'fulfilled')
  assert.deepEqual(r, u, 'the retry gets the update’s answer')
  assert.deepEqual(published, ['CREATED a', 'CREATED b', 'UPDATED b'], 'the update written once, nothing else')
})

// A commit can land after its request was answered 503 (Kafka did not acknowledge in time): the
// publisher then tells the submitter through `committed`, and that answer is what a retry gets.
// Decided again instead, the retry of a release undid the desk's hold that came after it (stop 42
// mutation sweep, gs3: the `committed` hook dropped survived every ingest unit file).
test('a retry of a write answered 503 whose commit landed afterwards gets its answer, and does not undo the hold that came after', async () => {
  const state = new ArticleState()
  const published: string[] = []
  let timeOutNext = false
  const commit = <R>(job: Job<R>): R => {
    const plan = job.plan(state.get(job.articleId), planView(state))
    if (plan.event) {
      published.push(`${plan.event.type} ${plan.event.article.id} v${plan.event.article.version} ${plan.event.article.pubStatus}`)
      state.apply(plan.event)
      job.committed?.(plan.result)
    }
    return plan.result
  }
  const landed: Promise<void>[] = []
  const publisher: Publisher = {
    partitionOf: () => 0,
    async submit<R>(job: Job<R>) {
      if (!timeOutNext) return commit(job)
      timeOutNext = false
      // the request times out first; its transaction commits a moment later
      landed.push(new Promise<void>((resolve) => setImmediate(() => resolve(void commit(job)))))
      throw unavailable('Kafka did not acknowledge within 1000 ms (the write may still be committed)')
    },
    drain: async () => {},
    close: async () => {},
  }
  const articles = articlesOver(publisher)
  const input = (headline: string, pubStatus: 'usable' | 'withheld') => {
    const r = validateArticle({ id: 'a', language: 'en', headline, body: ['b'], pubStatus })
    assert.ok(r.ok)
    return r.article
  }
  await articles.upsert(input('held', 'withheld'), ctx(null, ''))
  // the CMS releases it; the answer is lost to the timeout, the commit lands
  timeOutNext = true
  await assert.rejects(articles.upsert(input('released', 'usable'), ctx('cms:K', 'hash-of-the-release')), /may still be committed/)
  await Promise.all(landed)
  // the desk holds it again
  await articles.upsert(input('released', 'withheld'), ctx(null, ''))
  // the CMS retries its release
  const retry = await articles.upsert(input('released', 'usable'), ctx('cms:K', 'hash-of-the-release'))
  assert.equal(retry.status, 200)
  assert.deepEqual([retry.body.version, 'type' in retry.body && retry.body.type], [2, 'UPDATED'], 'the first attempt’s answer')
  assert.deepEqual(published, ['CREATED a v1 withheld', 'UPDATED a v2 usable', 'UPDATED a v3 withheld'], 'the retry wrote nothing')
  assert.equal(state.get('a')?.article.pubStatus, 'withheld', 'the hold stands')
})
