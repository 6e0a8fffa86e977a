// red23a attack run (2026-12-07), mixed versions: red22c's fix binds an Idempotency-Key answer to
// the API key that was given it (`api-key-id`), but a keyed record without that header (written by
// the release before it: an instance still running during the rolling deploy, a rollback, or any
// record from before the upgrade, read back for the TTL) stood for whoever presented its key name.
// Real processes (the release before 9b65e06 in a git worktree beside this one, one topic prefix):
// the holder of a leaked key wrote something harmless, through the old release, under the key the
// CMS would send with a later kill; the operator upgraded and retired the key; the CMS's kill was
// refused 422 idempotency_key_reused for 24 h and the story stayed up. An answer whose key is not
// known now answers only a retry of the same request; other content is decided as new. This test
// writes the old release's record as it did (the same record, without `api-key-id`).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { brokers, readToEnd } from '../../../test/helpers.ts'
import { spawnIngest } from '../../../test/reliability/support.ts'
import { cmsKillGoesThrough, keyedEnv, LEAKED, leakedKeyTakesKillKey, NEW, post } from './support/keyed-post.ts'

/** The keyed record of `idempotencyKey` again, as the release before `api-key-id` wrote it. */
async function asOldReleaseWroteIt(prefix: string, idempotencyKey: string): Promise<void> {
  const topic = `${prefix}news.article-events`
  const all = await readToEnd(brokers.join(','), topic)
  const keyed = all.filter((r) => r.message.headers?.['idempotency-key']?.toString() === `cms:${idempotencyKey}`)
  assert.equal(keyed.length, 1, 'one keyed record')
  const { message, partition } = keyed[0] as (typeof keyed)[number]
  assert.ok(message.headers?.['api-key-id'], 'this release names the key')
  const { 'api-key-id': _by, ...headers } = message.headers ?? {}
  const kafka = new Kafka({ clientId: 'red23a-old-release', brokers, logLevel: logLevel.NOTHING })
  const producer = kafka.producer()
  await producer.connect()
  try {
    await producer.send({ topic, messages: [{ partition, key: message.key, value: message.value, headers }] })
  } finally {
    await producer.disconnect()
  }
}

test('an answer an older release wrote, its key unknown: the CMS\u2019s kill under that key goes through after the leaked key is retired', async (t) => {
  const e = keyedEnv()
  await leakedKeyTakesKillKey(t, e)
  await asOldReleaseWroteIt(e.KAFKA_TOPIC_PREFIX, 'kill-story-x')

  const rotated = await spawnIngest(t, { ...e, INGEST_API_KEYS: `cms:${NEW}:*` })
  await cmsKillGoesThrough(rotated.url)
})

test('an answer an older release wrote still answers a retry of the same request across the upgrade', async (t) => {
  const e = keyedEnv()
  const before = await spawnIngest(t, { ...e, INGEST_API_KEYS: `cms:${LEAKED}:*` })
  const body = { id: 'story-y', language: 'en', headline: 'Story', body: ['y'] }
  const first = await post(before.url, LEAKED, '/v1/articles', body, 'cms-story-y-1')
  assert.equal(first.status, 201)
  await before.stop()
  await asOldReleaseWroteIt(e.KAFKA_TOPIC_PREFIX, 'cms-story-y-1')
  const after = await spawnIngest(t, { ...e, INGEST_API_KEYS: `cms:${NEW}:*,cms:${LEAKED}:*` })
  const retry = await post(after.url, NEW, '/v1/articles', body, 'cms-story-y-1')
  assert.deepEqual([retry.status, retry.eventId], [201, first.eventId])
})
