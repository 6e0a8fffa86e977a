// red22c attack run (2026-12-07), left open with its remedy: Idempotency-Key answers are scoped to
// the API key's name (so a CMS retrying across a rotation, old and new key under one name, gets its
// first answer) and read back from news.article-events at start. A leaked key, retired and replaced
// under the same name, leaves behind the answers it had committed: its holder, writing something
// harmless under the key the CMS will give its next kill (`kill-<id>`: CMS keys are often made so),
// had the CMS's kill refused with 422 for the TTL (24 h), over the restart that retired the key,
// and the story stayed up. Replaced under a new name, the new key starts with no answers: that is
// what the README tells an operator to do with a leaked key. Real ingest processes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { uniquePrefix } from '../../../test/helpers.ts'
import { spawnIngest } from '../../../test/reliability/support.ts'

const LEAKED = 'Old8Lm2Qx7Tv4Wp9Ys3Nd6Hf1Jb5Gc0EaK'
const NEW = 'New3Rs8Tu2Vw7Xy1Za6Bc4De9Fg0Hi5JkL'

async function post(
  url: string,
  key: string,
  path: string,
  body: object,
  idempotencyKey?: string,
): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  })
  const json = (await res.json()) as { code?: string }
  return { status: res.status, code: json.code }
}

test('a leaked key retired: under the same name its answers still bind the new key; under a new name they do not', async (t) => {
  const env = { KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', KAFKA_TOPIC_PREFIX: uniquePrefix(), KAFKA_PARTITIONS: '3' }
  const leaked = await spawnIngest(t, { ...env, INGEST_API_KEYS: `cms:${LEAKED}:*` })
  assert.equal(
    (await post(leaked.url, LEAKED, '/v1/articles', { id: 'story-x', language: 'en', headline: 'Story', body: ['x'] })).status,
    201,
  )
  // the leaked key's holder: a harmless-looking write under the CMS's future kill key
  const junk = { id: 'zz-junk', language: 'en', headline: 'junk', body: ['x'] }
  assert.equal((await post(leaked.url, LEAKED, '/v1/articles', junk, 'kill-story-x')).status, 201)
  await leaked.stop()

  // retired, replaced under the same name: the old key is refused, its answer is not
  const sameName = await spawnIngest(t, { ...env, INGEST_API_KEYS: `cms:${NEW}:*` })
  assert.equal((await post(sameName.url, LEAKED, '/v1/articles', junk)).status, 401)
  assert.deepEqual(await post(sameName.url, NEW, '/v1/articles/story-x/withdraw', { reason: 'legal' }, 'kill-story-x'), {
    status: 422,
    code: 'idempotency_key_reused',
  })
  await sameName.stop()

  // replaced under a new name (the README's remedy): the kill goes through
  const newName = await spawnIngest(t, { ...env, INGEST_API_KEYS: `cms-2026-12:${NEW}:*` })
  assert.equal((await post(newName.url, NEW, '/v1/articles/story-x/withdraw', { reason: 'legal' }, 'kill-story-x')).status, 200)
})
