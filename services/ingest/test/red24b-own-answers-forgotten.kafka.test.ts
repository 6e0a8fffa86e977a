// red24b attack run (2026-12-07): an API key's own volume pushes out its Idempotency-Key answers.
// Each API key keeps at most INGEST_IDEMPOTENCY_MAX_KEYS answers (100 000) for the TTL (24 h); a
// batch line is one. red12b gave each key its own bound, so another key's flood pushes out none of
// a CMS's answers, but the CMS's own traffic still does: a CMS releases a story and loses the
// answer (a 503, a dropped connection); the desk holds the story; the CMS's nightly sync (a
// hundred batches of a thousand lines, seconds at its rate limit) fills its bound; its retry of
// the release, with the same key and body well within the TTL, found no answer and was decided
// again over the hold: the withheld story was released to every reader. Now an answer pushed out
// before its TTL leaves a fingerprint (its key id, Idempotency-Key and request hash: a Bloom
// filter of fixed size, forgotten-answers.ts): that very retry is refused 409
// `idempotency_answer_forgotten`, and the hold stands. Real ingest processes and broker.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { uniquePrefix } from '../../../test/helpers.ts'
import { spawnIngest } from '../../../test/reliability/support.ts'
import { NEW, post } from './support/keyed-post.ts'

const DESK = 'Desk7Qp2Rs9Tu4Vw1Xy6Za3Bc8De5Fg0Hi'
const MAX = 30

/** An ingest whose keys (the CMS's, the desk's) each keep MAX answers. */
function smallBound(t: TestContext) {
  return spawnIngest(t, {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    KAFKA_TOPIC_PREFIX: uniquePrefix(),
    KAFKA_PARTITIONS: '3',
    INGEST_API_KEYS: `cms:${NEW}:*,desk:${DESK}:*`,
    INGEST_IDEMPOTENCY_MAX_KEYS: String(MAX),
  })
}

async function pubStatus(url: string, id: string): Promise<string> {
  const res = await fetch(`${url}/v1/articles/${id}`, { headers: { authorization: `Bearer ${DESK}` } })
  assert.equal(res.status, 200)
  return ((await res.json()) as { article?: { pubStatus?: string }; pubStatus?: string }).article?.pubStatus ?? ''
}

async function batch(url: string, key: string, lines: object[], idempotencyKey: string): Promise<number> {
  const res = await fetch(`${url}/v1/articles/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson', 'idempotency-key': idempotencyKey },
    body: lines.map((l) => JSON.stringify(l)).join('\n'),
  })
  await res.arrayBuffer()
  return res.status
}

test('a CMS whose own sync fills its remembered answers: its retry of a lost release does not undo the desk’s hold', async (t) => {
  const ingest = await smallBound(t)
  const release = { id: 'story-1', language: 'en', headline: 'Budget', body: ['Text'], pubStatus: 'usable' }
  // the CMS releases the story; its answer is lost on the way back
  assert.equal((await post(ingest.url, NEW, '/v1/articles', release, 'cms-release-1')).status, 201)
  // the desk holds it
  const hold = await post(ingest.url, DESK, '/v1/articles', { ...release, pubStatus: 'withheld' })
  assert.equal(hold.status, 200)
  assert.equal(await pubStatus(ingest.url, 'story-1'), 'withheld')
  // the CMS's own sync: more keyed lines than it keeps answers for
  const sync = Array.from({ length: MAX + 10 }, (_, i) => ({ id: `archive-${i}`, language: 'en', headline: `Archive ${i}`, body: ['x'] }))
  assert.equal(await batch(ingest.url, NEW, sync, 'cms-sync-1'), 200)
  // the CMS retries the lost release, the same key and body, well within the TTL
  const retry = await post(ingest.url, NEW, '/v1/articles', release, 'cms-release-1')
  assert.equal(await pubStatus(ingest.url, 'story-1'), 'withheld', `the retry was decided again: ${JSON.stringify(retry)}`)
  assert.deepEqual([retry.status, retry.code], [409, 'idempotency_answer_forgotten'])
  // a new request under a new key is taken as ever; so is the sync's own retry of a line still kept
  assert.equal((await post(ingest.url, NEW, '/v1/articles', { ...release, id: 'story-2' }, 'cms-new-1')).status, 201)
  // the desk's own answers were never pushed out: its next hold is ordinary
  assert.equal((await post(ingest.url, DESK, '/v1/articles', { ...release, id: 'story-2', pubStatus: 'withheld' })).status, 200)
})

// A kill's retry is decided again, not refused: a kill only takes down, and a fingerprint may also
// match a request never sent (under once in ten million per filter), which must never keep a story
// up. Without the exception this retry is 409 and a CMS retrying under the same key is stuck.
test('a CMS whose own sync fills its remembered answers: its retry of a kill is decided again and the story stays down', async (t) => {
  const ingest = await smallBound(t)
  const story = { id: 'story-k', language: 'en', headline: 'Budget', body: ['Text'], pubStatus: 'usable' }
  assert.equal((await post(ingest.url, NEW, '/v1/articles', story)).status, 201)
  const kill = await post(ingest.url, NEW, '/v1/articles/story-k/withdraw', { reason: 'legal' }, 'cms-kill-k')
  assert.deepEqual([kill.status, kill.type], [200, 'WITHDRAWN'])
  const sync = Array.from({ length: MAX + 10 }, (_, i) => ({ id: `archive-${i}`, language: 'en', headline: `Archive ${i}`, body: ['x'] }))
  assert.equal(await batch(ingest.url, NEW, sync, 'cms-sync-k'), 200)
  const retry = await post(ingest.url, NEW, '/v1/articles/story-k/withdraw', { reason: 'legal' }, 'cms-kill-k')
  assert.equal(retry.status, 200, `the kill's retry was refused: ${JSON.stringify(retry)}`)
  assert.equal(await pubStatus(ingest.url, 'story-k'), 'canceled')
})
