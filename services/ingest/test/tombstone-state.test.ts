// A tombstone in news.articles kills what its key names (schemas/README.md): the state holds the
// kill, so writes after it are refused as over any kill, and a state that could not be read is
// decided by it (rev37 review).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { entryStateKey } from '@newswire/shared'
import { planBatch } from '../src/batch-plan.ts'
import { ArticleState } from '../src/state.ts'
import { T0 } from './support/article-input.ts'
import { context, entryEventOf, eventOf, nextVersion, queued } from './support/plan-jobs.ts'

test('a tombstone kills the article or entry held, the next version, and ends its unreadability', () => {
  const state = new ArticleState()
  state.apply(eventOf('s', 1, T0, { live: true }))
  state.apply(entryEventOf('s', 'e1', 2, T0))
  state.readable('s', false)
  const changes = state.changes
  state.erase('s', 'tombstone-0-9')
  assert.equal(state.article('s')?.article.pubStatus, 'canceled')
  assert.equal(state.article('s')?.article.version, 2)
  assert.equal(state.article('s')?.type, 'WITHDRAWN')
  state.erase(entryStateKey('s', 'e1'), 'tombstone-0-10')
  assert.equal(state.entry('s', 'e1')?.entry.pubStatus, 'canceled')
  assert.equal(state.entry('s', 'e1')?.entry.version, 3)
  assert.ok(state.changes > changes, 'an answer decided before it is decided again')
  // nothing held: nothing to kill, and nothing decided
  state.readable('unknown', false)
  state.erase('unknown', 'tombstone-0-11')
  assert.equal(state.unreadable, 1)
  assert.equal(planBatch([queued(nextVersion('b'))], context(state)).planned[0]?.plan?.event?.article.version, 1)
})
