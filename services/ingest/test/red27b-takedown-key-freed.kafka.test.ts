// red27b attack run (2026-12-07), on real processes: the CMS saves a story under its revision's
// key (answered `unchanged`: in no record), then "embargo until 2030" under the same key (decided
// without it, red24f); the desk moves the embargo to 2099. Another ingest instance, started since
// (a deploy), never saw the save: the key is free there, and the CMS's retry of the embargo was
// decided as a new request and brought the desk's embargo back to 2030. The takedown's own slot
// travels in its record's headers (NUL bytes and all), and the new instance reads it back.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { spawnIngest } from '../../../test/reliability/support.ts'
import { keyedEnv, NEW, post } from './support/keyed-post.ts'

const story = { id: 'cms-42', language: 'en', headline: 'Minister resigns', body: ['Text'] }

async function patch(url: string, body: object, idempotencyKey?: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${url}/v1/articles/cms-42`, {
    method: 'PATCH',
    headers: {
      authorization: `Bearer ${NEW}`,
      'content-type': 'application/merge-patch+json',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  })
  const json = (await res.json()) as { code?: string }
  return { status: res.status, code: json.code }
}

test('a takedown decided without its key, retried on an instance started since that never saw its key’s save, does not bring the desk’s embargo forward', async (t) => {
  const env = { ...keyedEnv(), INGEST_API_KEYS: `cms:${NEW}:*` }
  const a = await spawnIngest(t, env)
  assert.equal((await post(a.url, NEW, '/v1/articles', story)).status, 201)
  // the same save under the revision's key: `unchanged`, remembered by instance a alone
  assert.equal((await post(a.url, NEW, '/v1/articles', story, 'cms-42-rev-1')).status, 200)
  assert.deepEqual(await patch(a.url, { embargoedUntil: '2030-06-01T12:00:00Z' }, 'cms-42-rev-1'), { status: 200, code: undefined })
  assert.equal((await patch(a.url, { embargoedUntil: '2099-12-31T23:59:00Z' })).status, 200)
  const b = await spawnIngest(t, env)
  assert.deepEqual(await patch(b.url, { embargoedUntil: '2030-06-01T12:00:00Z' }, 'cms-42-rev-1'), {
    status: 409,
    code: 'idempotency_answer_forgotten',
  })
  const read = await fetch(`${b.url}/v1/articles/cms-42`, { headers: { authorization: `Bearer ${NEW}` } })
  const shown = ((await read.json()) as { article: { embargoedUntil: string } }).article.embargoedUntil
  assert.equal(new Date(shown).toISOString(), '2099-12-31T23:59:00.000Z')
})
