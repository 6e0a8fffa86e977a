// An Idempotency-Key reused with other content while the first request still commits is refused
// (422 idempotency_key_reused), as it is once the first is answered. An outside review (2026-12-04)
// found the second request got the first one's answer and was never written: a kill sent with the
// key of an update still in flight was answered 200 and the story stayed public.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { planView } from '../src/batch-plan.ts'
import type { Job } from '../src/batch-plan.ts'
import type { Publisher } from '../src/publisher.ts'
import type { Remembered, RequestContext } from '../src/outcome.ts'
import { createWriteServices } from '../src/services.ts'
import { ArticleState, IdempotencyCache } from '../src/state.ts'
import { validateArticle } from '../src/validate.ts'

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
  const idempotency = new IdempotencyCache<Remembered>(60_000)
  const { articles } = createWriteServices({ publisher, idempotency, publishTimeoutMs: 1000, onUnchanged: () => {} })
  const ctx = (key: string | null, requestHash: string): RequestContext => ({
    actor: { source: 'cms', importer: false },
    traceId: 't',
    idempotencyKey: key,
    requestHash,
  })
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
