// A POST to ingest under an API key and, if given, an Idempotency-Key, read as its status and the
// fields the key-life and view-bound tests compare (red22c, red23a, red24b, red24e); the two keys they rotate between, and the
// leaked key's move on the CMS's kill they share.
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { uniquePrefix } from '../../../../test/helpers.ts'
import { spawnIngest } from '../../../../test/reliability/support.ts'

export const LEAKED = 'Old8Lm2Qx7Tv4Wp9Ys3Nd6Hf1Jb5Gc0EaK'
export const NEW = 'New3Rs8Tu2Vw7Xy1Za6Bc4De9Fg0Hi5JkL'

export interface Answer {
  status: number
  code?: string
  /** A 409's kind (`too_many_views`, ...). */
  conflict?: string
  eventId?: string
  type?: string
}

export async function post(url: string, key: string, path: string, body: object, idempotencyKey?: string): Promise<Answer> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  })
  const json = (await res.json()) as Omit<Answer, 'status'>
  return { status: res.status, code: json.code, conflict: json.conflict, eventId: json.eventId, type: json.type }
}

/** One ingest world of the key-life tests: its own topics. */
export const keyedEnv = () => ({
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  KAFKA_TOPIC_PREFIX: uniquePrefix(),
  KAFKA_PARTITIONS: '3',
})

/**
 * The leaked key's holder, on an ingest that knows only that key: the CMS's story-x is up, and a
 * harmless-looking write sits under the key the CMS will give its kill (`kill-story-x`).
 */
export async function leakedKeyTakesKillKey(t: TestContext, env: Record<string, string>): Promise<void> {
  const leaked = await spawnIngest(t, { ...env, INGEST_API_KEYS: `cms:${LEAKED}:*` })
  assert.equal(
    (await post(leaked.url, LEAKED, '/v1/articles', { id: 'story-x', language: 'en', headline: 'Story', body: ['x'] })).status,
    201,
  )
  const junk = { id: 'zz-junk', language: 'en', headline: 'junk', body: ['x'] }
  assert.equal((await post(leaked.url, LEAKED, '/v1/articles', junk, 'kill-story-x')).status, 201)
  await leaked.stop()
}

/** The CMS's kill of story-x under `kill-story-x`, with the new key: it goes through, and its retry gets its answer. */
export async function cmsKillGoesThrough(url: string): Promise<void> {
  const kill = await post(url, NEW, '/v1/articles/story-x/withdraw', { reason: 'legal' }, 'kill-story-x')
  assert.deepEqual([kill.status, kill.type], [200, 'WITHDRAWN'], JSON.stringify(kill))
  assert.equal((await post(url, NEW, '/v1/articles/story-x/withdraw', { reason: 'legal' }, 'kill-story-x')).eventId, kill.eventId)
}
