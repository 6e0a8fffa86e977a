// Issue #7, broker failover: a 3-broker cluster (RF 3, min.insync.replicas 2). While articles are
// posted at a steady rate through a real ingest process, the broker leading
// news.article-events[0] is killed with SIGKILL, then started again. Every 2xx must be in the
// topic exactly once; every other answer must be a 503 (never a 500, never a silent loss); the
// 503s, retried afterwards as a client following Retry-After would, land exactly once too.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { topicNames } from '@newswire/shared'
import { Kafka, logLevel } from 'kafkajs'
import { brokersOf, clusterSpec, nodePid, startCluster, startNode, stopCluster, stopNode, waitReady } from '../../deploy/local/broker.ts'
import { http, sleep, uniquePrefix } from '../helpers.ts'
import { article, countByIdVersion, duplicatesOf, longestGap, ms, percentile, readToEnd, spawnIngest } from './support.ts'

const RATE = 50 // requests per second
const DURATION_MS = 15_000
const KILL_AT_MS = 4_000
const RESTART_AT_MS = 9_000

interface Sent {
  id: string
  sentAt: number
  doneAt: number
  status: number
  code?: string
  error?: string
}

test('broker failover: kill -9 the partition leader under 50 req/s; every 2xx in Kafka exactly once, the rest 503', async (t) => {
  const spec = clusterSpec(3)
  await startCluster(spec, { fresh: true, log: () => {} })
  t.after(() => stopCluster(spec))
  const brokers = brokersOf(spec).join(',')
  const prefix = uniquePrefix()
  const topics = topicNames(prefix)
  const ingest = await spawnIngest(t, {
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_PARTITIONS: '3',
    KAFKA_REPLICATION_FACTOR: '3',
    INGEST_PUBLISH_TIMEOUT_MS: '10000',
  })
  const warm = await http(`${ingest.url}/v1/articles`, { method: 'POST', json: article('warm-0') })
  assert.equal(warm.status, 201, warm.text)

  const admin = new Kafka({ clientId: 'failover-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  t.after(() => admin.disconnect())
  const meta = await admin.fetchTopicMetadata({ topics: [topics.events] })
  const partitions = meta.topics[0]?.partitions ?? []
  const leader = partitions.find((p) => p.partitionId === 0)?.leader
  assert.ok(leader !== undefined && spec.nodes.some((n) => n.id === leader), `leader of ${topics.events}[0]: ${String(leader)}`)
  for (const p of partitions) assert.equal(p.replicas.length, 3, `RF 3 on partition ${p.partitionId}`)
  const ledByVictim = partitions.filter((p) => p.leader === leader).map((p) => p.partitionId)
  // Each partition writer sends one transaction to events[p] and articles[p]; on a cluster their leaders can differ
  const articlesMeta = await admin.fetchTopicMetadata({ topics: [topics.articles] })
  const leaders = partitions.map((p) => {
    const a = articlesMeta.topics[0]?.partitions.find((x) => x.partitionId === p.partitionId)?.leader
    return `p${p.partitionId}: events@${p.leader} articles@${String(a)}`
  })

  // Steady load: request i leaves at t0 + i/RATE whatever happened to the earlier ones
  const sent: Sent[] = []
  const inflight: Promise<void>[] = []
  const t0 = performance.now()
  let killedAt = 0
  let restartedAt = 0
  const chaos = (async () => {
    await sleep(KILL_AT_MS)
    killedAt = performance.now() - t0
    await stopNode(spec, leader, { kill: true })
    assert.equal(nodePid(spec, leader), null)
    await sleep(RESTART_AT_MS - KILL_AT_MS)
    restartedAt = performance.now() - t0
    startNode(spec, leader)
  })()
  const total = Math.round((DURATION_MS / 1000) * RATE)
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    const s: Sent = { id: `fo-${i}`, sentAt: performance.now() - t0, doneAt: 0, status: 0 }
    sent.push(s)
    inflight.push(
      http(`${ingest.url}/v1/articles`, { method: 'POST', json: article(s.id) }).then(
        (r) => {
          s.status = r.status
          s.code = (r.body as { code?: string }).code
          s.doneAt = performance.now() - t0
        },
        (err: unknown) => {
          s.error = String(err)
          s.doneAt = performance.now() - t0
        },
      ),
    )
  }
  await chaos
  await Promise.all(inflight)
  const end = Math.max(...sent.map((s) => s.doneAt))

  const ok = sent.filter((s) => s.status >= 200 && s.status < 300)
  const unavailable = sent.filter((s) => s.status === 503)
  const other = sent.filter((s) => !(s.status >= 200 && s.status < 300) && s.status !== 503)
  const latencies = sent.map((s) => s.doneAt - s.sentAt)
  const gapAll = longestGap(
    ok.map((s) => s.doneAt),
    killedAt,
    end,
  )

  // The killed broker comes back and catches up; then the client retries its 503s
  await waitReady(brokers.split(','), 3, 60_000)
  const retried: Sent[] = []
  for (const s of unavailable) {
    let r = await http(`${ingest.url}/v1/articles`, { method: 'POST', json: article(s.id) })
    for (let i = 0; i < 20 && r.status === 503; i++) {
      await sleep(500)
      r = await http(`${ingest.url}/v1/articles`, { method: 'POST', json: article(s.id) })
    }
    retried.push({ ...s, status: r.status, code: (r.body as { code?: string }).code })
  }
  // A 503 whose commit landed anyway answers `unchanged` on retry (the 503 title says "nothing was published")
  const landedDespite503 = retried.filter((s) => s.status === 200).length

  const records = await readToEnd(brokers, topics.events)
  const beforeKill = new Set(sent.filter((s) => s.doneAt < killedAt).map((s) => s.id))
  const counts = countByIdVersion(records)
  const figures = {
    requests: sent.length,
    '2xx': ok.length,
    '503': unavailable.length,
    other: other.length,
    'max latency': ms(Math.max(...latencies)),
    'p99 latency': ms(percentile(latencies, 99)),
    'time without 2xx after the kill': ms(gapAll),
    'killed node': leader,
    'partitions it led': ledByVictim.join(','),
    'killed at': ms(killedAt),
    'restarted at': ms(restartedAt),
    '503 retried: created': retried.filter((s) => s.status === 201).length,
    '503 retried: unchanged (had landed)': landedDespite503,
    'events in topic': records.length,
    duplicates: duplicatesOf(records).length,
    'duplicates among requests answered before the kill': duplicatesOf(records.filter((r) => beforeKill.has(r.event.article.id))).length,
    leaders: leaders.join('; '),
  }
  t.diagnostic(`figures ${JSON.stringify(figures)}`)
  console.log('broker failover figures', figures)

  assert.deepEqual(
    other.map((s) => `${s.id}: ${s.status} ${s.code ?? ''} ${s.error ?? ''}`),
    [],
    'every answer is a 2xx or a 503 (no 500, no dropped connection)',
  )
  for (const s of unavailable) assert.equal(s.code, 'kafka_unavailable', `${s.id}: 503 code`)
  // Separately first: duplicates with no fault at all (everything answered before the kill)
  assert.deepEqual(
    duplicatesOf(records.filter((r) => beforeKill.has(r.event.article.id))),
    [],
    'no id@version twice among requests answered before the kill (no fault yet)',
  )
  assert.deepEqual(duplicatesOf(records), [], 'no id@version twice')
  const missing = ok.filter((s) => counts.get(`${s.id}@1`) !== 1).map((s) => s.id)
  assert.deepEqual(missing, [], 'every acknowledged request is in the topic exactly once')
  for (const s of retried) assert.ok(s.status === 201 || s.status === 200, `${s.id} retried: ${s.status} ${s.code ?? ''}`)
  const expected = new Set(['warm-0@1', ...sent.map((s) => `${s.id}@1`)])
  assert.deepEqual(
    [...counts.keys()].filter((k) => !expected.has(k)),
    [],
    'nothing in the topic that was not sent',
  )
  assert.equal(counts.size, expected.size, 'after the retries every article is in the topic')
  assert.ok(ok.length > 0)
})
