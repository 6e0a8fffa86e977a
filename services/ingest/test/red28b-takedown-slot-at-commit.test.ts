// red28b attack run (2026-12-07): a takedown decided without its key (bound to other content,
// red24f) is remembered in a slot of its own, and its retry is decided so again, only if it only
// takes down (red27b). The retry's check for that slot was made once, before the partition's
// catch-up: on an instance whose tail had not yet read the other instance's record of the takedown
// (two instances serving at once; the save under the key answered `unchanged` there, in no record,
// so the key was free here), the retry found its key free and no slot, and was decided at commit
// time as a new request, with no check: "embargo until 2030" brought the desk's 2099 back to 2030.
// A plan made again after a fenced commit also asked the key again, and refused a kill switched
// off its key by the first plan (422: the key bound to other content).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ProblemError } from '@newswire/shared'
import { planView } from '../src/batch-plan.ts'
import type { Job } from '../src/batch-plan.ts'
import type { Publisher } from '../src/publisher.ts'
import type { Outcome, Remembered, RequestContext } from '../src/outcome.ts'
import { createWriteServices } from '../src/services.ts'
import { letPastKey } from '../src/submit.ts'
import { ArticleState, IdempotencyCache } from '../src/state.ts'
import { validateArticle } from '../src/validate.ts'

const [SOON, LATE] = ['2030-06-01T12:00:00.000Z', '2099-12-31T23:59:00.000Z']

const ctx = (key: string | null, requestHash: string, takesDown = false): RequestContext => ({
  actor: { source: 'cms', importer: false },
  traceId: 't',
  idempotencyKey: key,
  requestHash,
  ...(takesDown ? { takesDown: true as const } : {}),
})

/**
 * Writes over an in-memory state; `beforePlan` runs as the writer's catch-up would, before each
 * plan; `plans`: how many times each job is planned (a fenced commit is planned again).
 */
function harness(beforePlan: () => void, plans = 1) {
  const state = new ArticleState()
  const idempotency = new IdempotencyCache<Remembered>(60_000)
  const keyed: (string | null)[] = []
  const publisher: Publisher = {
    partitionOf: () => 0,
    async submit<R>(job: Job<R>) {
      beforePlan()
      for (let n = 1; n < plans; n++) job.plan(state.get(job.articleId), planView(state))
      const plan = job.plan(state.get(job.articleId), planView(state))
      if (plan.event) {
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
  return { articles, idempotency, keyed, state }
}

const embargoOf = (state: ArticleState) => {
  const until = state.get('a')?.article.embargoedUntil ?? null
  return until === null ? null : new Date(until).toISOString()
}

/** Story `a` under the desk's embargo until 2099; `learn` runs before the next plan, once. */
async function storyUnderLate() {
  let learn: (() => void) | null = null
  const h = harness(() => {
    learn?.()
    learn = null
  })
  const created = validateArticle({ id: 'a', language: 'en', headline: 'h', body: ['b'] })
  assert.ok(created.ok)
  await h.articles.upsert(created.article, ctx(null, ''))
  await h.articles.patch('a', { embargoedUntil: LATE }, ctx(null, ''))
  const theirs: Outcome = { status: 200, body: { id: 'a', version: 2, eventId: 'e', type: 'UPDATED', changedFields: ['embargoedUntil'] } }
  // the other instance's record of the takedown, decided there without its key, read by the catch-up
  const slotRead = (hash: string) => () => h.idempotency.set(letPastKey('cms:K', hash), { outcome: theirs, requestHash: hash })
  return { ...h, learnAt: (f: () => void) => (learn = f), slotRead }
}

test('a takedown’s retry whose slot this instance learns only at commit time does not bring the desk’s embargo forward', async () => {
  const h = await storyUnderLate()
  h.learnAt(h.slotRead('embargo-2030'))
  await assert.rejects(
    h.articles.patch('a', { embargoedUntil: SOON }, ctx('cms:K', 'embargo-2030', true)),
    (err: unknown) => err instanceof ProblemError && err.problem.code === 'idempotency_answer_forgotten',
  )
  assert.equal(embargoOf(h.state), LATE, 'the desk’s embargo stands')
  assert.equal(h.idempotency.get('cms:K'), undefined, 'nothing was answered under the key')
})

test('a takedown’s retry whose slot is learnt at commit time and that only takes down is decided, without its key', async () => {
  const h = await storyUnderLate()
  h.learnAt(h.slotRead('hold'))
  const held = await h.articles.patch('a', { pubStatus: 'withheld' }, ctx('cms:K', 'hold', true))
  assert.equal((held.body as { type?: string }).type, 'UPDATED')
  assert.equal(h.state.get('a')?.article.pubStatus, 'withheld')
  assert.deepEqual(h.keyed.at(-1), letPastKey('cms:K', 'hold'), 'its record carries its slot, not the key')
  assert.equal(h.idempotency.get('cms:K'), undefined, 'the key stays free')
})

test('a kill switched off its key at commit time and planned again after a fenced commit is still decided', async () => {
  let learn: (() => void) | null = null
  const h = harness(() => {
    learn?.()
    learn = null
  }, 2)
  const created = validateArticle({ id: 'a', language: 'en', headline: 'h', body: ['b'] })
  assert.ok(created.ok)
  await h.articles.upsert(created.article, ctx(null, ''))
  const theirs: Outcome = { status: 200, body: { id: 'a', version: 1, unchanged: true } }
  // another instance's answer to a save under the key, read by the catch-up before the first plan
  learn = () => h.idempotency.set('cms:K', { outcome: theirs, requestHash: 'save' })
  const killed = await h.articles.withdraw('a', 'legal', ctx('cms:K', 'kill', true))
  assert.equal((killed.body as { type?: string }).type, 'WITHDRAWN')
  assert.deepEqual(h.keyed.at(-1), letPastKey('cms:K', 'kill'))
  assert.deepEqual(h.idempotency.get('cms:K')?.outcome, theirs, 'the key keeps the save’s answer')
})
