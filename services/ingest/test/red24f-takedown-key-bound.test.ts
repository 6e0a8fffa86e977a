// red24f attack run (2026-12-07): a takedown (withdraw, erase, an entry's DELETE) whose
// Idempotency-Key is bound to other content (a CMS keying by its revision, which a kill does not
// bump) is decided as one sent without a key, wherever the other content's answer is found: kept,
// still committing, or read at commit time from another instance's record. Any other write so sent
// is still refused (422). red24f-kill-under-revision-key.kafka.test.ts runs it on real processes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { planView } from '../src/batch-plan.ts'
import type { Job } from '../src/batch-plan.ts'
import type { Publisher } from '../src/publisher.ts'
import type { Outcome, Remembered, RequestContext } from '../src/outcome.ts'
import { createWriteServices } from '../src/services.ts'
import { letPastKey } from '../src/submit.ts'
import { ArticleState, IdempotencyCache } from '../src/state.ts'
import { validateArticle } from '../src/validate.ts'

const ctx = (key: string | null, requestHash: string, takesDown = false): RequestContext => ({
  actor: { source: 'cms', importer: false },
  traceId: 't',
  idempotencyKey: key,
  requestHash,
  ...(takesDown ? { takesDown: true as const } : {}),
})

const input = (id: string, headline: string) => {
  const r = validateArticle({ id, language: 'en', headline, body: ['b'] })
  assert.ok(r.ok)
  return r.article
}

/** Writes over an in-memory state; `beforePlan` runs as the writer's catch-up would, before each plan. */
function harness(beforePlan: () => void = () => {}) {
  const state = new ArticleState()
  const idempotency = new IdempotencyCache<Remembered>(60_000)
  const published: string[] = []
  const keyed: (string | null)[] = []
  const gate: (() => void)[] = []
  let gated = false
  const publisher: Publisher = {
    partitionOf: () => 0,
    async submit<R>(job: Job<R>) {
      if (gated) await new Promise<void>((resolve) => gate.push(resolve))
      beforePlan()
      const plan = job.plan(state.get(job.articleId), planView(state))
      if (plan.event) {
        published.push(`${plan.event.type} ${plan.event.article.id}`)
        keyed.push(job.idempotency?.key ?? null)
        state.apply(plan.event)
        job.committed?.(plan.result)
      }
      return plan.result
    },
    drain: async () => {},
    close: async () => {},
  }
  const articles = createWriteServices({ publisher, idempotency, publishTimeoutMs: 1000, onUnchanged: () => {} }).articles
  return { articles, idempotency, published, keyed, gate, gate_: (on: boolean) => (gated = on) }
}

test('a kill under the key of a save answered before is written, and the key keeps the save’s answer', async () => {
  const h = harness()
  const saved = await h.articles.upsert(input('a', 'v1'), ctx('cms:cms-42-rev-1', 'save'))
  const killed = await h.articles.withdraw('a', 'legal', ctx('cms:cms-42-rev-1', 'kill', true))
  assert.equal((killed.body as { type?: string }).type, 'WITHDRAWN')
  assert.deepEqual(h.published, ['CREATED a', 'WITHDRAWN a'])
  // red27b: not the save's key, but a slot of the kill's own, so that its retry stays a takedown's
  assert.deepEqual(h.keyed, ['cms:cms-42-rev-1', letPastKey('cms:cms-42-rev-1', 'kill')], 'the kill’s record carries its own slot')
  assert.deepEqual(await h.articles.upsert(input('a', 'v1'), ctx('cms:cms-42-rev-1', 'save')), saved)
  // any other write under it is still refused
  await assert.rejects(h.articles.upsert(input('a', 'v2'), ctx('cms:cms-42-rev-1', 'other')), /other content/)
})

test('a kill under the key of a save still committing is written after it', async () => {
  const h = harness()
  await h.articles.upsert(input('a', 'v1'), ctx(null, ''))
  h.gate_(true)
  const save = h.articles.upsert(input('a', 'v2'), ctx('cms:K', 'save'))
  const kill = h.articles.withdraw('a', 'legal', ctx('cms:K', 'kill', true))
  const retry = h.articles.upsert(input('a', 'v2'), ctx('cms:K', 'save'))
  const settled = Promise.allSettled([save, kill, retry])
  for (let i = 0; i < 100 && h.published.length < 3; i++) {
    h.gate.shift()?.()
    await new Promise((r) => setImmediate(r))
  }
  const [s, k, r] = await settled
  assert.equal(k.status === 'fulfilled' && (k.value.body as { type?: string }).type, 'WITHDRAWN', JSON.stringify(k))
  assert.deepEqual(r, s)
  assert.deepEqual(h.published, ['CREATED a', 'UPDATED a', 'WITHDRAWN a'])
})

test('a kill under a key another instance answered, learnt only at commit time, is written without the key (under its own slot)', async () => {
  let other: (() => void) | null = null
  const h = harness(() => {
    other?.()
    other = null
  })
  await h.articles.upsert(input('a', 'v1'), ctx(null, ''))
  const theirs: Outcome = { status: 200, body: { id: 'a', version: 1, unchanged: true } }
  other = () => h.idempotency.set('cms:K', { outcome: theirs, requestHash: 'save' })
  const killed = await h.articles.withdraw('a', 'legal', ctx('cms:K', 'kill', true))
  assert.equal((killed.body as { type?: string }).type, 'WITHDRAWN')
  assert.deepEqual(h.keyed, [null, letPastKey('cms:K', 'kill')])
  assert.deepEqual(h.idempotency.get('cms:K')?.outcome, theirs, 'the key keeps the other instance’s answer')
  // a write that is not a takedown learns it alike, and is refused
  other = () => h.idempotency.set('cms:L', { outcome: theirs, requestHash: 'save' })
  await assert.rejects(h.articles.upsert(input('b', 'v1'), ctx('cms:L', 'other')), /other content/)
})
