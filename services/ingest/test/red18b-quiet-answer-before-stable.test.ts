// red18b attack run (2026-12-06): a kill retried without an Idempotency-Key while the kill's
// commit still waits for news.article-events to be stable past it (red17: its commit markers slow
// on the events' leader; the answer waits up to 2 s). A CMS whose HTTP client gave up on the first
// attempt, or a second editor pressing "kill" again, got 200 `unchanged` at once: the retry was
// decided on the kill this instance had committed (and read back from news.articles), and answers
// that write nothing did not wait for it. The desk was told the draft was killed, before its
// embargo, while a fan-out asking where the events log ends could not see the kill yet and
// released the draft at the embargo: the guarantee red17 gave a kill's 2xx, broken by its retry.
// The same for a hold retried. Now an answer that writes nothing (`unchanged`) waits for this
// writer's commits still waiting to be visible (publisher.ts #quietAnswers); refusals (404, 409,
// 422) claim nothing written and are answered at once.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { RequestContext } from '../src/outcome.ts'
import { validateArticle } from '../src/validate.ts'
import { answeredWithin, stableGateHarness } from './support/stable-gate.ts'

const ctx: RequestContext = { actor: { source: 'cms', importer: false }, traceId: 't', idempotencyKey: null, requestHash: '' }

const article = (extra: object = {}) => {
  const r = validateArticle({
    id: 'draft',
    language: 'en',
    headline: 'Verdict',
    body: ['b'],
    embargoedUntil: '2030-01-01T00:00:00Z',
    ...extra,
  })
  assert.ok(r.ok)
  return r.article
}

test('a kill retried without a key while the kill is not yet stable: not answered 2xx before it is', async () => {
  const h = stableGateHarness()
  await h.articles.upsert(article(), ctx)
  h.gate.open = false
  const kill = h.articles.withdraw('draft', 'legal', ctx)
  assert.equal(await answeredWithin(kill, 50), false, 'the kill itself waits (red17)')
  const retry = h.articles.withdraw('draft', 'legal', ctx)
  assert.equal(await answeredWithin(retry), false, 'the retry was answered unchanged while a fan-out could not see the kill')
  h.open()
  assert.equal((await kill).status, 200)
  const o = await retry
  assert.equal(o.status, 200)
  assert.equal('unchanged' in o.body && o.body.unchanged, true)
  await h.publisher.drain()
  await h.publisher.close()
})

test('a hold retried while the hold is not yet stable: answered unchanged only once it is', async () => {
  const h = stableGateHarness()
  await h.articles.upsert(article(), ctx)
  h.gate.open = false
  const hold = h.articles.upsert(article({ pubStatus: 'withheld' }), ctx)
  assert.equal(await answeredWithin(hold, 50), false)
  const holdAgain = h.articles.upsert(article({ pubStatus: 'withheld' }), ctx)
  assert.equal(await answeredWithin(holdAgain), false, 'the hold retried was answered unchanged first')
  h.open()
  assert.equal((await hold).status, 200)
  const o = await holdAgain
  assert.equal('unchanged' in o.body && o.body.unchanged, true)
  await h.publisher.drain()
  await h.publisher.close()
})

test('an answer that writes nothing, with no commit of ours waiting, is answered at once', async () => {
  const h = stableGateHarness()
  await h.articles.upsert(article(), ctx)
  h.gate.open = false
  assert.equal(await answeredWithin(h.articles.upsert(article(), ctx)), true)
  h.open()
  await h.publisher.drain()
  await h.publisher.close()
})
