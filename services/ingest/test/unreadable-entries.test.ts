// An entry of a live story this instance cannot read (a newer ingest's schema) may hold the
// story's next seq: creating an entry there is refused (state.ts nextSeq). Writing another entry,
// which it reads, gets no seq and needs none: a kill of it is not refused (rev37 review), and a
// batch that carries it gives later creations in the story no seq the unreadable one may hold.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { entryStateKey, ProblemError } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import { planBatch } from '../src/batch-plan.ts'
import type { Job } from '../src/batch-plan.ts'
import { createEntryService } from '../src/entries.ts'
import type { Outcome, RequestContext } from '../src/outcome.ts'
import { ArticleState } from '../src/state.ts'
import type { Submit } from '../src/submit.ts'
import { T0 } from './support/article-input.ts'
import { context, entryEventOf, eventOf, queued } from './support/plan-jobs.ts'

const ctx: RequestContext = { actor: { source: 'cms', importer: false }, traceId: 't', idempotencyKey: null, requestHash: 'h' }
const refusal = (err: unknown) => err instanceof ProblemError && err.code === 'not_ready'

/** A story `s` with a readable entry e1 and an entry e2 this instance cannot read. */
function story(): ArticleState {
  const state = new ArticleState()
  state.apply(eventOf('s', 1, T0, { live: true }))
  state.apply(entryEventOf('s', 'e1', 1, T0))
  state.readable(entryStateKey('s', 'e2'), false)
  return state
}

/** Submits each write as its own batch through planBatch, `unseen` as this writer's commits not read back. */
function batchSubmit(state: ArticleState, unseen: NewswireEvent[] = []): { submit: Submit; jobs: Job<Outcome>[] } {
  const jobs: Job<Outcome>[] = []
  const submit: Submit = async (articleId, _ctx, plan) => {
    const job: Job<Outcome> = { articleId, idempotency: null, plan }
    jobs.push(job)
    const { planned } = planBatch([queued(job)], context(state, { unseen }))
    const p = planned[0]
    if (p?.plan == null) throw p?.error
    return p.plan.result as Outcome
  }
  return { submit, jobs }
}

test('an entry the instance reads is killed and patched although another entry of its story is unreadable', async () => {
  const state = story()
  const service = createEntryService({ submit: batchSubmit(state).submit, onUnchanged: () => {}, now: () => T0 + 1000 })
  const killed = await service.delete('s', 'e1', 'legal', ctx)
  assert.equal(killed.status, 200)
  assert.equal((killed.body as { type: string }).type, 'ENTRY_DELETED')
  await assert.rejects(service.delete('s', 'e2', 'legal', ctx), refusal, 'the unreadable entry itself is refused')
})

test('a batch with a write of a readable entry still refuses creating an entry in the story; ours not read back yet too', () => {
  const state = story()
  const patchE1 = (): Job<Outcome> => ({
    articleId: 's',
    idempotency: null,
    plan: (_story, view) => {
      const prev = view.entry('s', 'e1')
      assert.ok(prev)
      return {
        event: entryEventOf('s', 'e1', prev.entry.version + 1, T0 + 1000, { pinned: true }),
        result: { status: 200, body: {} } as Outcome,
      }
    },
  })
  const create = (): Job<Outcome> => ({
    articleId: 's',
    idempotency: null,
    plan: (_story, view) => ({
      event: entryEventOf('s', 'e3', 1, T0 + 1000, { seq: view.nextSeq('s') }),
      result: { status: 201, body: {} } as Outcome,
    }),
  })
  const batch = planBatch([queued(patchE1()), queued(create())], context(state))
  assert.equal(batch.planned[0]?.plan?.event?.entry?.version, 2)
  assert.ok(refusal(batch.planned[1]?.error), `the new entry may take e2's seq: ${String(batch.planned[1]?.error)}`)

  // e1's version 2 committed by us, not read back yet: the next batch plans (and refuses the creation) as before
  const ours = entryEventOf('s', 'e1', 2, T0 + 1000, { pinned: true })
  const next = planBatch([queued(create()), queued(patchE1())], context(state, { unseen: [ours] }))
  assert.ok(refusal(next.planned[0]?.error))
  assert.equal(next.planned[1]?.plan?.event?.entry?.version, 3)
})
