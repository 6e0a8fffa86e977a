// red24e attack run (2026-12-07): a forgotten answer's fingerprint named the one key id that sent
// the request, while a remembered answer stands for every key configured under its name (a planned
// rotation's retry gets its first answer: red22c). A CMS releases a story under its old key and
// loses the answer; the desk holds the story; the CMS's sync fills its bound (red24b); the CMS,
// moved to its new key in the rotation's overlap, retries the release (same Idempotency-Key, same
// body): its fingerprint was looked for under the new key's id alone, found nothing, and the
// release was decided again over the hold. The withheld story went out. Real ingest and broker.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { spawnIngest } from '../../../test/reliability/support.ts'
import { keyedEnv, LEAKED as OLD, NEW, post } from './support/keyed-post.ts'

const DESK = 'Desk7Qp2Rs9Tu4Vw1Xy6Za3Bc8De5Fg0Hi'
const MAX = 30

async function pubStatus(url: string, id: string): Promise<string> {
  const res = await fetch(`${url}/v1/articles/${id}`, { headers: { authorization: `Bearer ${DESK}` } })
  assert.equal(res.status, 200)
  return ((await res.json()) as { article?: { pubStatus?: string } }).article?.pubStatus ?? ''
}

test('a planned rotation: the retry under the new key of a release whose answer was pushed out does not undo the hold', async (t) => {
  const ingest = await spawnIngest(t, {
    ...keyedEnv(),
    INGEST_API_KEYS: `cms:${OLD}:*,cms:${NEW}:*,desk:${DESK}:*`,
    INGEST_IDEMPOTENCY_MAX_KEYS: String(MAX),
  })
  const release = { id: 'story-r', language: 'en', headline: 'Budget', body: ['Text'], pubStatus: 'usable' }
  // under the old key; the answer is lost on the way back
  assert.equal((await post(ingest.url, OLD, '/v1/articles', release, 'cms-release-r')).status, 201)
  assert.equal((await post(ingest.url, DESK, '/v1/articles', { ...release, pubStatus: 'withheld' })).status, 200)
  // the CMS, on its new key now, syncs past its bound
  for (let i = 0; i < MAX + 5; i++)
    assert.equal(
      (await post(ingest.url, NEW, '/v1/articles', { id: `archive-${i}`, language: 'en', headline: 'A', body: ['x'] }, `sync-${i}`)).status,
      201,
    )
  const retry = await post(ingest.url, NEW, '/v1/articles', release, 'cms-release-r')
  assert.equal(await pubStatus(ingest.url, 'story-r'), 'withheld', `the retry was decided again: ${JSON.stringify(retry)}`)
  assert.deepEqual([retry.status, retry.code], [409, 'idempotency_answer_forgotten'])
  // the old key's own retry is refused alike
  assert.equal((await post(ingest.url, OLD, '/v1/articles', release, 'cms-release-r')).code, 'idempotency_answer_forgotten')
})

test('a retired key: its forgotten answers bind no one after the restart that retires it', async (t) => {
  const e = keyedEnv()
  const before = await spawnIngest(t, { ...e, INGEST_API_KEYS: `cms:${OLD}:*,cms:${NEW}:*`, INGEST_IDEMPOTENCY_MAX_KEYS: String(MAX) })
  const story = { id: 'story-s', language: 'en', headline: 'Story', body: ['s'] }
  assert.equal((await post(before.url, OLD, '/v1/articles', story, 'cms-story-s')).status, 201)
  for (let i = 0; i < MAX + 5; i++)
    assert.equal(
      (await post(before.url, OLD, '/v1/articles', { id: `junk-${i}`, language: 'en', headline: 'J', body: ['x'] }, `junk-${i}`)).status,
      201,
    )
  await before.stop()
  const rotated = await spawnIngest(t, { ...e, INGEST_API_KEYS: `cms:${NEW}:*`, INGEST_IDEMPOTENCY_MAX_KEYS: String(MAX) })
  // the same request under the new key is new: the retired key's answers bind no one (red22c)
  assert.equal((await post(rotated.url, NEW, '/v1/articles', story, 'cms-story-s')).status, 200)
})
