// A batch that writes nothing (unchanged, not found, a conflict) is answered only once the state
// has read its partitions to their ends and nothing changed meanwhile (publisher.ts #confirmed):
// another instance may have taken the partition and written since our last commit. A record of
// it this instance cannot decode changes nothing it holds, yet makes what it holds stale: the
// answer decided before it must not stand (rev37 review).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ProblemError } from '@newswire/shared'
import { createPublisher } from '../src/publisher.ts'
import { ArticleState } from '../src/state.ts'
import { eventOf } from './support/plan-jobs.ts'
import { overFakeKafka } from './support/fake-producer.ts'

test('an answer without a write, decided before the tail read an undecodable record of the article, is decided again', async () => {
  const state = new ArticleState()
  state.apply(eventOf('a', 1))
  let catchUps = 0
  const publisher = createPublisher({
    ...overFakeKafka(state),
    // the acquire's catch-up finds nothing new; the confirmation's reads a newer instance's record
    catchUp: async () => {
      if (++catchUps === 2) state.readable('a', false)
    },
  })
  const answer = publisher.submit(
    {
      articleId: 'a',
      idempotency: null,
      plan: (current) => ({ event: null, result: { unchanged: current?.article.version } }),
    },
    5000,
  )
  await assert.rejects(answer, (err: unknown) => err instanceof ProblemError && err.code === 'not_ready')
  await publisher.close()
})
