// ensureTopics against the real broker: news.articles is created keeping its tombstones for 30 days
// (delete.retention.ms), and a news.articles created before that setting (by an earlier release,
// or by hand) is raised to it at the next start, every other setting and the partition counts
// left as they were.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { type TestContext, test } from 'node:test'
import { pino } from 'pino'
import type { KafkaConfig } from '../src/config.ts'
import { ConfigResourceTypes, createKafka } from '../src/kafka.ts'
import type { Admin, ITopicConfig } from '../src/kafka.ts'
import { createLogger } from '../src/log.ts'
import type { Logger } from '../src/log.ts'
import { ensureTopics, TOMBSTONE_RETENTION_MS, topicConfigs, topicNames } from '../src/topics.ts'

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')
// test/run.ts deletes the run's topics (t-<run>-*) when it ends; this file deletes its own too
const run = process.env.NEWSWIRE_TEST_RUN ?? randomUUID().slice(0, 8)
const RETENTION = String(TOMBSTONE_RETENTION_MS)
const DAY = String(24 * 3600 * 1000)

async function connect(t: TestContext): Promise<{ admin: Admin; config: KafkaConfig }> {
  const config: KafkaConfig = {
    brokers,
    clientId: 'shared-topics-test',
    topicPrefix: `t-${run}-${randomUUID().slice(0, 8)}.`,
    partitions: 3,
    replicationFactor: 1,
  }
  const admin = createKafka(config, createLogger('test', 'silent')).admin()
  await admin.connect()
  t.after(async () => {
    const names = Object.values(topicNames(config.topicPrefix))
    await admin.deleteTopics({ topics: names }).catch(() => {})
    await admin.disconnect()
  })
  return { admin, config }
}

/** A logger that keeps its lines. */
function recording(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
  return { log, lines }
}

/** The topic's settings as the broker describes them, with where each comes from. */
async function settings(admin: Admin, topic: string): Promise<Map<string, { value: string; source: number }>> {
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] })
  return new Map(described.resources[0]?.configEntries.map((e) => [e.configName, { value: e.configValue, source: e.configSource }]))
}

/** The settings once `name` reads `value` (a change reaches the broker answering describeConfigs a moment later). */
async function settingsOnce(admin: Admin, topic: string, name: string, value: string) {
  for (let i = 0; ; i++) {
    const s = await settings(admin, topic)
    if (s.get(name)?.value === value || i >= 50) return s
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function partitionCounts(admin: Admin, topics: string[]): Promise<number[]> {
  const meta = await admin.fetchTopicMetadata({ topics })
  return topics.map((name) => meta.topics.find((m) => m.name === name)?.partitions.length ?? 0)
}

test('ensureTopics creates news.articles keeping tombstones for 30 days; the other topics keep the default', async (t) => {
  const { admin, config } = await connect(t)
  const { log, lines } = recording()
  const names = await ensureTopics(admin, config, log)
  const articles = await settings(admin, names.articles)
  assert.deepEqual(articles.get('delete.retention.ms'), { value: RETENTION, source: 1 /* TOPIC_CONFIG */ })
  assert.equal(articles.get('cleanup.policy')?.value, 'compact')
  assert.equal((await settings(admin, names.events)).get('delete.retention.ms')?.value, DAY)
  assert.deepEqual(lines, [], 'nothing to raise on topics it created')
})

test('a news.articles created without it is raised at the next start, everything else left as it was', async (t) => {
  const { admin, config } = await connect(t)
  const names = topicNames(config.topicPrefix)
  // as an earlier release created them (2 partitions), and then an operator's own settings
  const earlier: ITopicConfig[] = topicConfigs(names, 2, 1).map((spec) => {
    let configEntries = spec.configEntries?.filter((e) => e.name !== 'delete.retention.ms') ?? []
    if (spec.topic === names.articles) configEntries = [...configEntries, { name: 'max.message.bytes', value: '2000000' }]
    if (spec.topic === names.events)
      configEntries = configEntries.map((e) => (e.name === 'retention.ms' ? { ...e, value: String(14 * 24 * 3600 * 1000) } : e))
    return { ...spec, configEntries }
  })
  await admin.createTopics({ topics: earlier, waitForLeaders: true })
  const before = await settings(admin, names.articles)
  assert.equal(before.get('delete.retention.ms')?.value, DAY)

  const { log, lines } = recording()
  assert.deepEqual(await ensureTopics(admin, config, log), names)
  const after = await settingsOnce(admin, names.articles, 'delete.retention.ms', RETENTION)
  assert.deepEqual(after.get('delete.retention.ms'), { value: RETENTION, source: 1 /* TOPIC_CONFIG */ })
  // the topic's other settings of its own, written again as they were (alterConfigs replaces them all)
  for (const name of ['cleanup.policy', 'min.compaction.lag.ms', 'min.insync.replicas', 'max.message.bytes'])
    assert.deepEqual(after.get(name), before.get(name), name)
  assert.equal(after.get('max.message.bytes')?.value, '2000000')
  // what it raised, said once
  assert.equal(lines.length, 1, JSON.stringify(lines))
  assert.equal(lines[0]?.msg, 'raised a topic setting Newswire needs')
  assert.deepEqual(
    { topic: lines[0]?.topic, config: lines[0]?.config, to: lines[0]?.to, from: lines[0]?.from },
    { topic: names.articles, config: 'delete.retention.ms', to: RETENTION, from: { value: DAY, source: 'DEFAULT_CONFIG' } },
  )
  // nothing else changed: the events topic's operator setting, the partition counts
  assert.equal((await settings(admin, names.events)).get('retention.ms')?.value, String(14 * 24 * 3600 * 1000))
  assert.equal((await settings(admin, names.events)).get('delete.retention.ms')?.value, DAY)
  assert.deepEqual(await partitionCounts(admin, [names.events, names.articles, names.dlq]), [2, 2, 1])

  // the next start finds it set: nothing written, nothing said
  const next = recording()
  await ensureTopics(admin, config, next.log)
  assert.deepEqual(next.lines, [])
})
