// A record in news.articles this instance cannot decode (a newer ingest's schema, during a deploy
// that gave it to some instances only): the state it holds of that article or entry is stale, so
// any version decided over it may repeat one already written, and readers drop a repeated version
// as old news (a kill above all). Writes to it are refused (503 not_ready) until a record it can
// read follows. Before, the record was skipped and the next write decided over the stale state.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { entryStateKey, ProblemError } from '@newswire/shared'
import { planBatch } from '../src/batch-plan.ts'
import { ArticleState, Overlay } from '../src/state.ts'
import { context, eventOf, nextVersion, queued } from './support/plan-jobs.ts'

const refusal = (err: unknown) => err instanceof ProblemError && err.code === 'not_ready' && err.headers['Retry-After'] === '5'

test('a write to an article whose latest state could not be read is refused until a readable record follows', () => {
  const state = new ArticleState()
  state.apply(eventOf('a', 1))
  state.apply(eventOf('b', 1))
  state.readable('a', false)
  assert.equal(state.unreadable, 1)
  const { planned } = planBatch([queued(nextVersion('a')), queued(nextVersion('b'))], context(state))
  assert.ok(refusal(planned[0]?.error), `refused: ${String(planned[0]?.error)}`)
  assert.equal(planned[0]?.plan, null)
  assert.equal(planned[1]?.plan?.event?.article.version, 2, 'other articles are written')

  // a newer instance's next version, readable here, ends it
  state.apply(eventOf('a', 3))
  state.readable('a', true)
  assert.equal(state.unreadable, 0)
  const after = planBatch([queued(nextVersion('a'))], context(state))
  assert.equal(after.planned[0]?.plan?.event?.article.version, 4)
})

test('an article never read here (created by a newer instance) is refused too, not created again', () => {
  const state = new ArticleState()
  state.readable('new', false)
  const { planned } = planBatch([queued(nextVersion('new'))], context(state))
  assert.ok(refusal(planned[0]?.error))
})

test('an unreadable entry refuses that entry and new entries of its story (the next seq), not the story itself', () => {
  const state = new ArticleState()
  state.apply(eventOf('story', 1))
  state.readable(entryStateKey('story', 'e7'), false)
  assert.ok(state.article('story'), 'the story (its kill among its writes) is still decided')
  assert.throws(() => state.entry('story', 'e7'), refusal)
  assert.throws(() => state.nextSeq('story'), refusal, 'e7 may hold the next seq')
  assert.equal(state.entry('story', 'e1'), undefined, 'other entries are read as before')
  assert.equal(state.nextSeq('other'), 1)
  state.readable('story', false)
  assert.throws(() => state.entry('story', 'e1'), refusal, 'an entry event carries its story as it stands')
})

test('a committed event of ours not read back yet goes over an unreadable state: it is later in the log', () => {
  const state = new ArticleState()
  state.apply(eventOf('a', 1))
  state.readable('a', false)
  const ours = eventOf('a', 3)
  const { planned } = planBatch([queued(nextVersion('a'))], context(state, { unseen: [ours] }))
  assert.equal(planned[0]?.plan?.event?.article.version, 4)
  const overlay = new Overlay(state)
  overlay.apply(ours)
  assert.equal(overlay.article('a')?.article.version, 3)
})
