// Issue #7, ingest crash: a real ingest process is killed with SIGKILL in the middle of a
// 500-line NDJSON batch and 200 concurrent single POSTs. Whatever it acknowledged is in Kafka;
// a new process, sent every request again (same Idempotency-Key, or same content), publishes
// what is missing and nothing twice: each article id/version is in news.article-events once.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { topicNames } from '@newswire/shared'
import { brokers, http, uniquePrefix } from '../helpers.ts'
import type { HttpResult } from '../helpers.ts'
import { article, countByIdVersion, duplicatesOf, ms, readToEnd, spawnIngest } from './support.ts'
import type { IngestProcess } from './support.ts'

const BATCH_LINES = 500
const SINGLES = 200
// One round each: SIGKILL this long after the first single POST was acknowledged (so the
// process is mid-way: some answers sent, the batch and other singles in flight)
const KILL_AFTER_FIRST_ACK_MS = [0, 30, 100]

interface Single {
  id: string
  key: string | null
  ack: HttpResult | null
}

type Outcome = { eventId?: string; unchanged?: boolean; version?: number; status?: number; code?: string }

test('ingest kill -9 mid-batch: acknowledged writes survive, retries on a new process publish nothing twice', async (t) => {
  const prefix = uniquePrefix()
  const topics = topicNames(prefix)
  const env = { KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC_PREFIX: prefix, INGEST_RATE_LIMIT: '100000' }
  let ingest: IngestProcess = await spawnIngest(t, env)
  const warm = await Promise.all(
    ['warm-a', 'warm-b', 'warm-c', 'warm-d', 'warm-e', 'warm-f'].map((id) =>
      http(`${ingest.url}/v1/articles`, { method: 'POST', json: article(id) }),
    ),
  )
  for (const w of warm) assert.equal(w.status, 201, w.text)
  const expected = new Set(['warm-a', 'warm-b', 'warm-c', 'warm-d', 'warm-e', 'warm-f'])
  const rounds: Record<string, unknown>[] = []
  const crashedWriters = new Map<number, string>() // round → writer header prefix (pid) of the killed process

  for (const [round, killAfter] of KILL_AFTER_FIRST_ACK_MS.entries()) {
    const batchIds = Array.from({ length: BATCH_LINES }, (_, i) => `r${round}-b-${i}`)
    const ndjson = `${batchIds.map((id) => JSON.stringify(article(id))).join('\n')}\n`
    const singles: Single[] = Array.from({ length: SINGLES }, (_, i) => ({
      id: `r${round}-s-${i}`,
      key: i % 2 === 0 ? `r${round}-single-${i}` : null,
      ack: null,
    }))
    for (const id of [...batchIds, ...singles.map((s) => s.id)]) expected.add(id)
    const postBatch = (url: string, key: string | null) =>
      http(`${url}/v1/articles/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', ...(key ? { 'idempotency-key': key } : {}) },
        body: ndjson,
      })
    const postSingle = (url: string, s: Single, withKey: boolean) =>
      http(`${url}/v1/articles`, {
        method: 'POST',
        headers: withKey && s.key ? { 'idempotency-key': s.key } : {},
        json: article(s.id),
      })

    // The crash
    const victim = ingest
    crashedWriters.set(round, `${victim.pid}-`)
    const batchKey = `r${round}-batch`
    let batchAnswered = false
    let firstAck: () => void = () => {}
    const acknowledged = new Promise<void>((resolve) => {
      firstAck = resolve
    })
    const started = performance.now()
    const inflight = [
      postBatch(victim.url, batchKey).then(
        () => {
          batchAnswered = true
        },
        () => {},
      ),
      ...singles.map((s) =>
        postSingle(victim.url, s, true).then(
          (r) => {
            if (r.status >= 200 && r.status < 300) {
              s.ack = r
              firstAck()
            }
          },
          () => {},
        ),
      ),
    ]
    await Promise.race([acknowledged, new Promise((r) => setTimeout(r, 5000))])
    await new Promise((r) => setTimeout(r, killAfter))
    const killedAt = performance.now() - started
    await victim.kill()
    await Promise.all(inflight)
    const acked = singles.filter((s) => s.ack !== null)

    // A new process, and every request again: first as sent (same Idempotency-Key), then by content only
    ingest = await spawnIngest(t, env)
    const t0 = performance.now()
    const [batchRetry, ...singleRetries] = await Promise.all([
      postBatch(ingest.url, batchKey),
      ...singles.map((s) => postSingle(ingest.url, s, true)),
    ])
    const retryMs = performance.now() - t0
    assert.ok(batchRetry)
    assert.equal(batchRetry.status, 200, batchRetry.text)
    const batchBody = batchRetry.body as { summary: { failed: number; created: number; unchanged: number }; results: Outcome[] }
    assert.equal(batchBody.summary.failed, 0, JSON.stringify(batchBody.results.filter((r) => r.code !== undefined).slice(0, 3)))
    for (const [i, s] of singles.entries()) {
      const r = singleRetries[i]
      assert.ok(r && r.status >= 200 && r.status < 300, `${s.id} retry: ${r?.status} ${r?.text}`)
      if (s.ack && s.key) {
        // the same answer as before the crash, now from another process
        assert.deepEqual(r.body, s.ack.body, `${s.id}: same answer for the same Idempotency-Key`)
      } else if (s.ack) {
        assert.deepEqual(r.body, { id: s.id, version: 1, unchanged: true }, `${s.id}: acknowledged, so unchanged`)
      }
    }
    const again = await Promise.all([postBatch(ingest.url, null), ...singles.map((s) => postSingle(ingest.url, s, false))])
    const [batchAgain, ...singlesAgain] = again
    assert.ok(batchAgain)
    assert.deepEqual((batchAgain.body as { summary: unknown }).summary, {
      lines: BATCH_LINES,
      created: 0,
      updated: 0,
      unchanged: BATCH_LINES,
      failed: 0,
    })
    for (const [i, r] of singlesAgain.entries()) {
      assert.deepEqual(r.body, { id: singles[i]?.id, version: 1, unchanged: true }, `${singles[i]?.id}: same content → unchanged`)
    }
    rounds.push({
      round,
      'kill after first ack': ms(killAfter),
      'kill after start': ms(killedAt),
      'batch answered before the kill': batchAnswered,
      'singles acknowledged before the kill': acked.length,
      'batch retry: 201 (new or remembered) / unchanged': `${batchBody.summary.created} / ${batchBody.summary.unchanged}`,
      'restart to /healthz': ms(ingest.startMs),
      'retry round (700 requests)': ms(retryMs),
    })
  }

  const records = await readToEnd(brokers.join(','), topics.events)
  const counts = countByIdVersion(records)
  const byCrashed = new Map<number, number>()
  for (const r of records) {
    const w = r.message.headers?.writer?.toString() ?? ''
    const round = Number(/^r(\d+)-/.exec(r.event.article.id)?.[1] ?? -1)
    const victim = crashedWriters.get(round)
    if (victim !== undefined && w.startsWith(victim)) byCrashed.set(round, (byCrashed.get(round) ?? 0) + 1)
  }
  for (const r of rounds) r['events committed by the killed process'] = byCrashed.get(r.round as number) ?? 0
  t.diagnostic(`figures ${JSON.stringify(rounds)}`)
  console.log('ingest crash figures', rounds, { events: records.length, duplicates: duplicatesOf(records).length })

  assert.deepEqual(duplicatesOf(records), [], 'each id/version once')
  assert.deepEqual(
    [...expected].filter((id) => counts.get(`${id}@1`) !== 1),
    [],
    'every article is in the topic once',
  )
  assert.equal(records.length, expected.size, 'nothing else in the topic')
})
