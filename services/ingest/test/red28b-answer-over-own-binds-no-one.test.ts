// red28b attack run (2026-12-07): an answer kept under an Idempotency-Key that binds no one here
// (given to a key not configured on this instance: the rotation's new key while this instance still
// runs the old configuration, or a retired key's record) returned the request as new at once, before
// its own fingerprint was looked for. The CMS's release under its key, then that key taken by a
// request of the rotation's new key on the instance restarted first: the release's retry, on the
// instance not yet restarted, was decided again over the desk's hold instead of refused 409 (found
// by the two-instances model, once it rotated keys on one instance at a time).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ProblemError } from '@newswire/shared'
import type { Outcome, Remembered, RequestContext } from '../src/outcome.ts'
import { answerPrint } from '../src/outcome.ts'
import { IdempotencyCache } from '../src/state.ts'
import { createSubmitter } from '../src/submit.ts'

const RELEASED: Outcome = {
  status: 200,
  body: { id: 'story', version: 2, eventId: 'released', type: 'UPDATED', changedFields: ['pubStatus'] },
}
const OTHER: Outcome = { status: 200, body: { id: 'other', version: 1, eventId: 'other', type: 'UPDATED', changedFields: ['headline'] } }
const FRESH: Outcome = { status: 200, body: { id: 'story', version: 4, eventId: 'fresh', type: 'UPDATED', changedFields: ['pubStatus'] } }

const ctx = (requestHash: string, keyId: string): RequestContext => ({
  actor: { source: 'cms', importer: false },
  traceId: 't'.repeat(32),
  idempotencyKey: 'cms:rev-a',
  requestHash,
  keyId,
})

test('a retry whose own answer an answer binding no one here pushed out is refused 409, not decided again', async () => {
  const idempotency = new IdempotencyCache<Remembered>(60_000, 100, (key, v) => answerPrint(key, v.by, v.requestHash))
  // the CMS's release under its old key; then its key taken by the rotation's new key elsewhere, read here
  idempotency.set('cms:rev-a', { outcome: RELEASED, requestHash: 'release', by: 'k-old' })
  idempotency.readBack('cms:rev-a', { outcome: OTHER, requestHash: 'other', by: 'k-new' }, Date.now())
  let planned = 0
  const submit = createSubmitter({
    publisher: {
      partitionOf: () => 0,
      submit: async (job) => {
        planned++
        return job.plan(undefined, { entryKeys: () => [] } as never).result
      },
      drain: async () => {},
      close: async () => {},
    },
    idempotency,
    publishTimeoutMs: 1000,
    // this instance still runs the old configuration
    liveKeyIds: new Set(['k-old']),
    liveKeyIdsByName: new Map([['cms', ['k-old']]]),
  })
  const plan = () => ({ event: null, result: FRESH })
  await assert.rejects(
    submit('story', ctx('release', 'k-old'), plan),
    (err: unknown) => err instanceof ProblemError && err.problem.code === 'idempotency_answer_forgotten',
  )
  assert.equal(planned, 0, 'the release was not decided again')
  // other content under the key is new here: the new key's answer binds no one on this instance
  assert.deepEqual(await submit('story', ctx('third', 'k-old'), plan), FRESH)
})
