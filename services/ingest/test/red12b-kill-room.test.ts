// red12b attack run (2026-12-05): an article too big to kill. A write was accepted while its event
// fitted the 900 KiB one transaction may write to a partition (records.ts). Its kill (WITHDRAWN)
// is the same article with a reason of up to 1000 characters, and in Bengali that is 3000 bytes
// more: an article written up to the limit (by a careless CMS, or by a write key on purpose) was
// accepted, and every withdrawal of it was refused, 413, for good. Fixed in batch-plan.ts: a
// write that is not a kill must leave KILL_ROOM_BYTES free under the budget (the publisher passes
// it), so the kill of whatever was accepted always fits; a kill may use the whole budget. And a
// kill of what an earlier release accepted up to the whole budget is written without the content
// (as an erasure writes it) rather than refused: a kill is never refused for its size. So is the
// deletion of an entry whose story grew after it (the event carries the story as it stands).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createCodec, loadSchemas } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import { createArticleService } from '../src/articles.ts'
import { createEntryService } from '../src/entries.ts'
import { validateEntry } from '../src/entry-validate.ts'
import type { RequestContext } from '../src/articles.ts'
import { planBatch } from '../src/batch-plan.ts'
import type { Job } from '../src/batch-plan.ts'
import { KILL_ROOM_BYTES, MAX_TRANSACTION_BYTES } from '../src/records.ts'
import { ArticleState } from '../src/state.ts'
import type { Submit } from '../src/submit.ts'
import { validateArticle } from '../src/validate.ts'
import { queued } from './support/plan-jobs.ts'

const codec = createCodec(loadSchemas())

/** Plans each request as the publisher does (its budget, its room for kills), then takes its event into the state. */
function plannedSubmit(state: ArticleState, killRoom = KILL_ROOM_BYTES): Submit {
  return async (articleId, _ctx, plan) => {
    const job: Job<unknown> = { articleId, idempotency: null, plan }
    const { planned } = planBatch([queued(job)], {
      state,
      encoder: { encode: (e: NewswireEvent) => codec.encode(e), fingerprintHex: '00' },
      source: { fingerprintHex: '00', instanceId: '12345-abcdef01' },
      budget: MAX_TRANSACTION_BYTES,
      killRoom,
      unseen: [],
    })
    const p = planned[0]
    assert.ok(p)
    if (p.error !== undefined) throw p.error
    assert.ok(p.plan)
    if (p.plan.event) state.apply(p.plan.event)
    return p.plan.result as Awaited<ReturnType<Submit>>
  }
}

const ctx: RequestContext = { actor: { source: 'cms', importer: false }, traceId: 't'.repeat(32), idempotencyKey: null, requestHash: '' }
const body = (chars: number) =>
  Array.from({ length: Math.ceil(chars / 50_000) }, (_, i) => 'x'.repeat(Math.min(50_000, chars - i * 50_000)))

/** The largest body (characters) of article `id` that a submit with `killRoom` accepts, found by halving. */
async function largestAccepted(id: string, headline: string, killRoom?: number): Promise<number> {
  let lo = 800_000
  let hi = 940_000
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    const v = validateArticle({ id, language: 'bn', headline, body: body(mid) })
    assert.ok(v.ok)
    const accepted = await createArticleService({ submit: plannedSubmit(new ArticleState(), killRoom), onUnchanged: () => {} })
      .upsert(v.article, ctx)
      .then(
        () => true,
        () => false,
      )
    if (accepted) lo = mid
    else hi = mid - 1
  }
  return lo
}

test('the largest article ingest accepts can still be withdrawn with the longest Bengali reason', async () => {
  // the largest body accepted
  const lo = await largestAccepted('at-the-limit', 'h')
  const state = new ArticleState()
  const articles = createArticleService({ submit: plannedSubmit(state), onUnchanged: () => {} })
  const v = validateArticle({ id: 'at-the-limit', language: 'bn', headline: 'h', body: body(lo) })
  assert.ok(v.ok)
  assert.equal((await articles.upsert(v.article, ctx)).status, 201)
  const killed = await articles.withdraw('at-the-limit', 'আ'.repeat(1000), { ...ctx, actor: { source: 'legal-desk-key', importer: false } })
  assert.equal(killed.status, 200)
  assert.equal(state.article('at-the-limit')?.article.pubStatus, 'canceled')
  // within the room, not by the fallback below: the kill carries the article as it was (without the
  // room every kill of it would be cut to what routes it; mutation sweep, 2026-12-05)
  assert.equal(state.article('at-the-limit')?.article.body.join('').length, lo, 'the kill was written without its content')
})

test('an article an earlier release accepted up to the whole budget is killed without its content, never refused', async () => {
  // the largest body an instance without the room accepted
  const lo = await largestAccepted('older-write', 'Secret headline', 0)
  const state = new ArticleState()
  const older = createArticleService({ submit: plannedSubmit(state, 0), onUnchanged: () => {} })
  const v = validateArticle({ id: 'older-write', language: 'bn', headline: 'Secret headline', body: body(lo) })
  assert.ok(v.ok)
  assert.equal((await older.upsert(v.article, ctx)).status, 201)
  const articles = createArticleService({ submit: plannedSubmit(state), onUnchanged: () => {} })
  const killed = await articles.withdraw('older-write', 'আ'.repeat(1000), ctx)
  assert.equal(killed.status, 200, JSON.stringify(killed.body))
  const held = state.article('older-write')
  assert.equal(held?.article.pubStatus, 'canceled')
  assert.equal(held?.type, 'WITHDRAWN')
  assert.deepEqual([held?.article.headline, held?.article.body], ['', []], 'written without its content')
})

test('an entry of a story that grew since can still be deleted: past the budget its deletion goes without its text', async () => {
  const state = new ArticleState()
  const articles = createArticleService({ submit: plannedSubmit(state), onUnchanged: () => {} })
  const entries = createEntryService({ submit: plannedSubmit(state), onUnchanged: () => {} })
  const story = (chars: number) => {
    const v = validateArticle({ id: 'grown', language: 'bn', headline: 'h', body: body(chars), live: true })
    assert.ok(v.ok)
    return v.article
  }
  assert.equal((await articles.upsert(story(1000), ctx)).status, 201)
  const e = validateEntry({ id: 'e1', body: body(400_000) })
  assert.ok(e.ok)
  assert.equal((await entries.upsert('grown', e.entry, ctx)).status, 201)
  // the story grows to 850 KB: its own writes fit; with the entry in it, a deletion would not
  assert.equal((await articles.upsert(story(850_000), ctx)).status, 200)
  const deleted = await entries.delete('grown', 'e1', 'আ'.repeat(1000), ctx)
  assert.equal(deleted.status, 200, JSON.stringify(deleted.body))
  const held = state.entry('grown', 'e1')
  assert.deepEqual([held?.entry.pubStatus, held?.entry.body], ['canceled', []])
})
