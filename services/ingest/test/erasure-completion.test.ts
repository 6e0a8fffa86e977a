// An erasure cut short and never retried is completed by the instance itself (red16d left it open:
// the story's other entry records kept their text in news.articles for any consumer's snapshot).
// The story: three entries, its erasure's second transaction fails and nobody retries. Any
// instance's completion (at start-up, then every few minutes) tombstones what is left.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { entryStateKey } from '@newswire/shared'
import { testLogger } from '../../../test/helpers.ts'
import { createArticleService, ERASE_KEYS_PER_WRITE } from '../src/articles.ts'
import type { RequestContext } from '../src/articles.ts'
import { planView } from '../src/batch-plan.ts'
import { completeErasures } from '../src/erasure-completion.ts'
import type { Submit } from '../src/submit.ts'
import { ArticleState } from '../src/state.ts'
import { T0 } from './support/article-input.ts'
import { entryEventOf, eventOf } from './support/plan-jobs.ts'

const STORY = 'live-1'
const ctx: RequestContext = { actor: { source: 'legal', importer: false }, traceId: 't', idempotencyKey: null, requestHash: '' }

/** A story of `n` entries, and a submit that commits at once (the tail's read-back included), counting tombstones. */
function story(n: number) {
  const state = new ArticleState()
  state.apply(eventOf(STORY, 1, T0, { live: true }))
  for (let i = 1; i <= n; i++) state.apply(entryEventOf(STORY, `e${i}`, 1, T0, { seq: i, body: [`text ${i}`] }))
  state.apply(eventOf('other', 1, T0, { live: true }))
  state.apply(entryEventOf('other', 'x', 1, T0, { seq: 1 }))
  const tombstones: string[] = []
  let fail: number | null = null
  let calls = 0
  const submit: Submit = async (articleId, _c, plan) => {
    if (++calls === fail) throw new Error('injected: kafka unavailable')
    const p = plan(state.article(articleId), planView(state))
    if (p.event) state.apply(p.event)
    for (const key of p.erase?.keys ?? []) {
      tombstones.push(key)
      state.erase(key, `tombstone-${key}`, 0)
    }
    return p.result
  }
  const articles = createArticleService({ submit, onUnchanged: () => {}, now: () => T0 + 1000 })
  return { state, tombstones, articles, failAt: (n: number) => (fail = calls + n) }
}

const withText = (state: ArticleState) =>
  state
    .entries(STORY)
    .filter((e) => e.entry.body.length > 0)
    .map((e) => e.entry.id)

test('an erasure cut short after its first transaction is completed without a retry; a finished one is left alone', async () => {
  const n = ERASE_KEYS_PER_WRITE + 5
  const h = story(n)
  assert.deepEqual(h.state.unfinishedErasures(), [])
  h.failAt(2)
  await assert.rejects(h.articles.erase(STORY, 'court order', ctx), /kafka unavailable/)
  assert.equal(withText(h.state).length, 6, 'cut short: the keys past the first transaction keep their text')
  assert.deepEqual(h.state.unfinishedErasures(), [STORY])
  const completion = completeErasures({
    unfinished: () => h.state.unfinishedErasures(),
    erase: (id) => h.articles.erase(id, 'erased', ctx),
    log: testLogger('erasure-completion'),
    everyMs: 60_000,
  })
  assert.equal(await completion.pass(), 1)
  await completion.stop()
  assert.deepEqual(withText(h.state), [], 'completed: no entry keeps its text')
  assert.deepEqual(h.state.unfinishedErasures(), [])
  assert.ok(h.tombstones.includes(entryStateKey(STORY, `e${n}`)))
  assert.ok(!h.tombstones.includes('other') && !h.tombstones.includes(entryStateKey('other', 'x')), 'another story untouched')
  assert.equal(h.state.article('other')?.article.pubStatus, 'usable')
  // nothing left to do: a pass writes nothing
  const written = h.tombstones.length
  const again = completeErasures({
    unfinished: () => h.state.unfinishedErasures(),
    erase: (id) => h.articles.erase(id, 'erased', ctx),
    log: testLogger('erasure-completion'),
  })
  assert.equal(await again.pass(), 0)
  await again.stop()
  assert.equal(h.tombstones.length, written)
})

test('a completion that fails is tried again at the next pass', async () => {
  const h = story(ERASE_KEYS_PER_WRITE + 1)
  h.failAt(2)
  await assert.rejects(h.articles.erase(STORY, 'court order', ctx), /kafka unavailable/)
  h.failAt(1)
  const completion = completeErasures({
    unfinished: () => h.state.unfinishedErasures(),
    erase: (id) => h.articles.erase(id, 'erased', ctx),
    log: testLogger('erasure-completion'),
    everyMs: 60_000,
  })
  // the first pass (started at once) fails; the next completes
  assert.equal(await completion.pass(), 0)
  assert.equal(await completion.pass(), 1)
  await completion.stop()
  assert.deepEqual(withText(h.state), [])
})
