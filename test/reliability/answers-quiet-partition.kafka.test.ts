// Review of a3792af (answers.ts): at start, ingest reads the Idempotency-Key answers of the last TTL
// from news.article-events. A partition that holds events, none of them within the TTL, starts at
// its high watermark (fetchTopicOffsetsByTimestamp's -1). kafkajs emits no END_BATCH_PROCESS for a
// fetch with no records, so the tail's position for that partition is never set and catchUp waits
// for it until its 120 s timeout: start-up hangs two minutes and then fails, as soon as one
// partition was quiet for a TTL while another was written to.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Kafka, logLevel, topicNames } from '@newswire/shared'
import { brokers, http, startTestIngest, uniquePrefix } from '../helpers.ts'

test('ingest restarts promptly when one partition had no events within the TTL and another had', async (t) => {
  const prefix = uniquePrefix()
  const env = { KAFKA_PARTITIONS: '3', INGEST_IDEMPOTENCY_TTL_MS: '1000' }
  const first = await startTestIngest(t, prefix, env)
  const post = (id: string, key?: string) =>
    http(`${first.url}/v1/articles`, {
      method: 'POST',
      json: { id, language: 'en', headline: `h ${id}`, body: ['b'] },
      headers: key ? { 'idempotency-key': key } : {},
    })
  // old events on (almost surely) every partition
  for (let i = 0; i < 12; i++) assert.equal((await post(`old-${i}`)).status, 201)
  await new Promise((r) => setTimeout(r, 1500))
  // one recent keyed event: one partition only
  assert.equal((await post('new-1', 'k-1')).status, 201)
  await first.close()

  const kafka = new Kafka({ clientId: 'review30', brokers, logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  const ends = await admin.fetchTopicOffsets(topicNames(prefix).events)
  const since = await admin.fetchTopicOffsetsByTimestamp(topicNames(prefix).events, Date.now() - 1000)
  await admin.disconnect()
  // precondition: a partition with events, none of them within the TTL
  assert.ok(
    since.some((s) => {
      const e = ends.find((x) => x.partition === s.partition)
      return e !== undefined && Number(e.high) > 0 && s.offset === e.high
    }),
    `no quiet partition: ${JSON.stringify({ ends, since })}`,
  )
  assert.ok(
    since.some((s) => s.offset !== ends.find((x) => x.partition === s.partition)?.high),
    'a partition with a recent event',
  )

  const t0 = Date.now()
  const started = startTestIngest(t, prefix, env).then(
    () => 'started',
    (err: unknown) => `failed: ${String(err)}`,
  )
  const outcome = await Promise.race([started, new Promise<string>((r) => setTimeout(() => r('still starting after 20 s'), 20_000))])
  assert.equal(outcome, 'started', `restart: ${outcome} (${Date.now() - t0} ms)`)
})
