// red22c attack run (2026-12-07): Idempotency-Key answers are scoped to the API key's name (so a
// CMS retrying across a planned rotation, old and new key under one name, gets its first answer)
// and read back from news.article-events at start. A leaked key, retired and replaced under the
// same name, left behind the answers it had committed: its holder, writing something harmless
// under the key the CMS would give its next kill (`kill-<id>`: CMS keys are often made so), had
// the CMS's kill refused with 422 for the TTL (24 h), over the restart that retired the key, and
// the story stayed up. Each keyed record now names the key that sent it (`api-key-id`, a hash),
// and an answer stands only while its key is configured. Real ingest processes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { spawnIngest } from '../../../test/reliability/support.ts'
import { cmsKillGoesThrough, keyedEnv, LEAKED, leakedKeyTakesKillKey, NEW, post } from './support/keyed-post.ts'

test('a leaked key retired and replaced under the same name: its answers bind no one, and the CMS\u2019s kill goes through', async (t) => {
  const e = keyedEnv()
  await leakedKeyTakesKillKey(t, e)

  // retired, replaced under the same name, on a restart that reads the answers back
  const rotated = await spawnIngest(t, { ...e, INGEST_API_KEYS: `cms:${NEW}:*` })
  assert.equal(
    (await post(rotated.url, LEAKED, '/v1/articles', { id: 'zz-junk', language: 'en', headline: 'junk', body: ['x'] })).status,
    401,
  )
  // and that answer is the new key's own: its retry gets it
  await cmsKillGoesThrough(rotated.url)
})

test('a planned rotation (old and new key under one name): a retry with the new key gets the first answer, after a restart too', async (t) => {
  const e = keyedEnv()
  const before = await spawnIngest(t, { ...e, INGEST_API_KEYS: `cms:${LEAKED}:*` })
  const body = { id: 'story-y', language: 'en', headline: 'Story', body: ['y'] }
  const first = await post(before.url, LEAKED, '/v1/articles', body, 'cms-story-y-1')
  assert.equal(first.status, 201)
  await before.stop()
  const overlap = await spawnIngest(t, { ...e, INGEST_API_KEYS: `cms:${NEW}:*,cms:${LEAKED}:*` })
  const retry = await post(overlap.url, NEW, '/v1/articles', body, 'cms-story-y-1')
  assert.deepEqual([retry.status, retry.eventId], [201, first.eventId])
  // other content under that key is still another request
  assert.equal(
    (await post(overlap.url, NEW, '/v1/articles', { ...body, headline: 'Other' }, 'cms-story-y-1')).code,
    'idempotency_key_reused',
  )
})
