import assert from 'node:assert/strict'
import { test } from 'node:test'
import { earlierViewOf, entryStateKey, ProblemError } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import { planBatch } from '../src/batch-plan.ts'
import type { Job } from '../src/batch-plan.ts'
import { eventRecords, recordBytes } from '../src/records.ts'
import { ArticleState } from '../src/state.ts'
import { T0 } from './support/article-input.ts'
import { context, encoder, entryEventOf, eventOf, nextVersion, queued } from './support/plan-jobs.ts'

test('each request is planned on the state plus the batch earlier events', () => {
  const state = new ArticleState()
  state.apply(eventOf('a', 1))
  const batch = [queued(nextVersion('a')), queued(nextVersion('a')), queued(nextVersion('b'))]
  const { planned, deferred, landed } = planBatch(batch, context(state))
  assert.deepEqual(
    planned.map((p) => [p.plan?.result, p.plan?.event?.article.version]),
    [
      [1, 2],
      [2, 3],
      [0, 1],
    ],
  )
  assert.ok(planned.every((p) => p.records !== null))
  assert.deepEqual([deferred, landed], [[], []])
  // Planning does not touch the state: only a commit does
  assert.equal(state.get('a')?.article.version, 1)
})

test('committed events not read back yet are seen, unless the state already has them or something newer', () => {
  const state = new ArticleState()
  state.apply(eventOf('a', 3))
  const unseen: NewswireEvent[] = [eventOf('a', 2), eventOf('b', 4)]
  const { planned } = planBatch([queued(nextVersion('a')), queued(nextVersion('b'))], context(state, { unseen }))
  assert.deepEqual(
    planned.map((p) => p.plan?.result),
    [3, 4],
  )
})

test('a request whose earlier commit landed gets that answer, not a new plan', () => {
  const state = new ArticleState()
  const landedEvent = eventOf('a', 1)
  state.apply(landedEvent)
  const retried = { ...queued(nextVersion('a')), attempt: { eventId: landedEvent.eventId, result: 'first' } }
  const lost = { ...queued(nextVersion('b')), attempt: { eventId: 'never-committed', result: 'lost' } }
  const settled = { ...queued(nextVersion('c')), settled: true }
  const { planned, landed } = planBatch([retried, lost, settled], context(state))
  assert.deepEqual(landed, [{ pending: retried, result: 'first' }])
  assert.deepEqual(
    planned.map((p) => p.pending),
    [lost],
  )
})

test('a plan that throws fails its own request; the others are planned', () => {
  const state = new ArticleState()
  const refused: Job<number> = {
    articleId: 'x',
    idempotency: null,
    plan: () => {
      throw new Error('refused')
    },
  }
  const { planned } = planBatch([queued(nextVersion('a')), queued(refused), queued(nextVersion('a'))], context(state))
  assert.deepEqual(
    planned.map((p) => (p.plan === null ? `error ${(p.error as Error).message}` : p.plan.result)),
    [0, 'error refused', 1],
  )
})

test('requests past a partition byte budget wait for the next transaction; an event past it alone is refused', () => {
  const state = new ArticleState()
  // As large as any of them: a later version's state carries the view of the ones before
  const earlier = { views: [earlierViewOf(eventOf('a', 1).article, T0)], complete: true }
  const one = eventRecords({ fingerprintHex: '00', instanceId: 'i' }, eventOf('a', 2), null, Buffer.alloc(100), earlier)
  const size = Math.max(recordBytes(one.event), recordBytes(one.state))
  // Three fit in one partition's budget, a fourth does not; another partition has its own
  const budget = 3 * size + Math.floor(size / 2)
  const batch = [0, 1, 2, 3, 4].map(() => queued(nextVersion('a')))
  const other = queued(nextVersion('z'), 1)
  const { planned, deferred } = planBatch([...batch.slice(0, 3), other, ...batch.slice(3)], context(state, { budget }))
  assert.deepEqual(
    planned.map((p) => p.pending),
    [...batch.slice(0, 3), other],
  )
  assert.deepEqual(deferred, batch.slice(3))

  const huge = planBatch([queued(nextVersion('a')), queued(nextVersion('b'))], context(state, { encoder: encoder(budget), budget }))
  assert.deepEqual(huge.deferred, [])
  assert.ok(huge.planned.every((p) => p.plan === null && p.error instanceof ProblemError && p.error.code === 'payload_too_large'))
})

test('a commit of ours not read back yet, at the version a tombstone killed, is not shown over the kill', () => {
  // The erasure (a tombstone read from another partition) killed version 1 as version 2, as
  // state.apply would kill our version 2 once read back: planning must see the kill too, or a
  // write lands over an erased key
  const state = new ArticleState()
  state.apply(eventOf('a', 1))
  state.apply(entryEventOf('a', 'e1', 1, T0))
  state.erase('a', 'tombstone-a', 7)
  state.erase(entryStateKey('a', 'e1'), 'tombstone-e1', 7)
  const unseen: NewswireEvent[] = [eventOf('a', 2, T0, { headline: 'after' }), entryEventOf('a', 'e1', 2, T0, { headline: 'after' })]
  const sees: Job<string> = {
    articleId: 'a',
    idempotency: null,
    plan: (current, view) => {
      const entry = view.entry('a', 'e1')?.entry
      return { event: null, result: `${current?.article.pubStatus} ${entry?.version} ${entry?.pubStatus}` }
    },
  }
  const { planned } = planBatch([queued(sees)], context(state, { unseen }))
  assert.deepEqual(
    planned.map((p) => p.plan?.result),
    ['canceled 2 canceled'],
  )
})
