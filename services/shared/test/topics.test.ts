// The topics' settings: news.articles keeps its tombstones (operators' erasures) for 30 days, past
// news.article-events' retention (what could bring an erased article back); and a topic
// created before that is raised to it with its other settings of its own written again as they
// are (alterConfigs replaces them all).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pino } from 'pino'
import { ConfigSource } from '../src/kafka.ts'
import type { Admin, ConfigEntries } from '../src/kafka.ts'
import { ensureTopics, erasureGap, raiseOf, requiredConfigs, TOMBSTONE_RETENTION_MS, topicConfigs, topicNames } from '../src/topics.ts'

const names = topicNames('p.')
const LONG_MAX = 9223372036854775807n

function entry(configName: string, configValue: string, configSource: ConfigEntries['configSource'], isSensitive = false): ConfigEntries {
  const isDefault = configSource === ConfigSource.DEFAULT_CONFIG
  return { configName, configValue, configSource, isDefault, isSensitive, readOnly: false, configSynonyms: [] }
}

const settingsOf = (topic: string) =>
  Object.fromEntries(
    topicConfigs(names, 3, 3)
      .find((t) => t.topic === topic)
      ?.configEntries?.map((e) => [e.name, e.value]) ?? [],
  )

test('news.articles keeps tombstones for 30 days, past the events it erases; the other topics keep the broker default', () => {
  assert.equal(settingsOf(names.articles)['delete.retention.ms'], String(TOMBSTONE_RETENTION_MS))
  assert.equal(settingsOf(names.articles)['cleanup.policy'], 'compact')
  assert.equal(settingsOf(names.events)['delete.retention.ms'], undefined)
  assert.equal(settingsOf(names.dlq)['delete.retention.ms'], undefined)
  assert.equal(TOMBSTONE_RETENTION_MS, 2_592_000_000)
  // longer than an event is kept: its retention, and as long again before its segment rolls
  const eventsRetention = Number(settingsOf(names.events)['retention.ms'])
  assert.ok(TOMBSTONE_RETENTION_MS > 2 * eventsRetention)
  assert.deepEqual(requiredConfigs(names), [
    { topic: names.articles, name: 'delete.retention.ms', atLeast: '2592000000' },
    // red13b-dlq-retention.test.ts
    { topic: names.dlq, name: 'retention.ms', atMost: '604800000' },
  ])
})

test("raising a short delete.retention.ms writes the topic's own settings again, and nothing of the broker's", () => {
  const [required] = requiredConfigs(names)
  assert.ok(required)
  const raise = raiseOf(
    [
      entry('cleanup.policy', 'compact', ConfigSource.TOPIC_CONFIG),
      entry('min.compaction.lag.ms', '60000', ConfigSource.TOPIC_CONFIG),
      entry('max.message.bytes', '2000000', ConfigSource.TOPIC_CONFIG),
      entry('delete.retention.ms', '86400000', ConfigSource.DEFAULT_CONFIG),
      entry('retention.ms', '604800000', ConfigSource.STATIC_BROKER_CONFIG),
      entry('segment.bytes', '1073741824', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG),
    ],
    required,
  )
  assert.deepEqual(raise, {
    from: { value: '86400000', source: 'DEFAULT_CONFIG' },
    entries: [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'min.compaction.lag.ms', value: '60000' },
      { name: 'max.message.bytes', value: '2000000' },
      { name: 'delete.retention.ms', value: '2592000000' },
    ],
  })
  // set on the topic, but lower: replaced, not repeated
  const own = raiseOf(
    [entry('cleanup.policy', 'compact', ConfigSource.TOPIC_CONFIG), entry('delete.retention.ms', '0', ConfigSource.TOPIC_CONFIG)],
    required,
  )
  assert.deepEqual(own?.entries, [
    { name: 'cleanup.policy', value: 'compact' },
    { name: 'delete.retention.ms', value: '2592000000' },
  ])
  assert.deepEqual(own?.from, { value: '0', source: 'TOPIC_CONFIG' })
})

test('a delete.retention.ms at or above the required one is left as it is, Long.MAX_VALUE included', () => {
  const [required] = requiredConfigs(names)
  assert.ok(required)
  for (const value of ['2592000000', '2592000001', '31536000000000', String(LONG_MAX)])
    assert.equal(raiseOf([entry('delete.retention.ms', value, ConfigSource.TOPIC_CONFIG)], required), null)
  // a broker default that high is enough too
  assert.equal(raiseOf([entry('delete.retention.ms', String(LONG_MAX), ConfigSource.STATIC_BROKER_CONFIG)], required), null)
})

test('settings that could not be written again as they are: no raise, an operator sets it', () => {
  const [required] = requiredConfigs(names)
  assert.ok(required)
  const short = entry('delete.retention.ms', '86400000', ConfigSource.DEFAULT_CONFIG)
  assert.throws(() => raiseOf([short, entry('some.secret', '', ConfigSource.TOPIC_CONFIG, true)], required), /sensitive/)
  assert.throws(() => raiseOf([short, entry('min.compaction.lag.ms', '60000', ConfigSource.UNKNOWN)], required), /unknown/)
})

test('an erasure has no way back while tombstones outlive the events they erase, and start says when they do not', () => {
  const DAY = 86_400_000
  const events = (retention: number, roll = 7 * DAY) => [
    entry('retention.ms', String(retention), ConfigSource.TOPIC_CONFIG),
    entry('segment.ms', String(roll), ConfigSource.DEFAULT_CONFIG),
  ]
  const articles = (ms: number) => [entry('delete.retention.ms', String(ms), ConfigSource.TOPIC_CONFIG)]
  // as created: 7 days of events, up to 7 more before their segment rolls, against 30
  const spec = (topic: string, name: string) => Number(settingsOf(topic)[name])
  assert.equal(erasureGap(names, events(spec(names.events, 'retention.ms')), articles(spec(names.articles, 'delete.retention.ms'))), null)
  assert.equal(erasureGap(names, events(23 * DAY), articles(30 * DAY)), null)
  assert.match(erasureGap(names, events(23 * DAY + 1), articles(30 * DAY)) ?? '', /up to 31 days .* 30 days/)
  assert.match(erasureGap(names, events(7 * DAY), articles(DAY)) ?? '', /delete\.retention\.ms 1 days/)
  assert.match(erasureGap(names, events(-1), articles(30 * DAY)) ?? '', /keeps events for ever/)
  // unknown settings (not described, or withheld): no verdict
  assert.equal(erasureGap(names, [], articles(DAY)), null)
  assert.equal(erasureGap(names, events(7 * DAY), []), null)
})

/** An admin over existing topics whose news.articles has Kafka's default; `fail` decides how describe and alter fail. */
function existingCluster(
  fail: { describe?: Error; alter?: Error },
  eventsConfig?: ConfigEntries[],
  articlesPartitions = 2,
  replicas?: number,
) {
  const altered: unknown[] = []
  const admin = {
    describeCluster: async () => ({ brokers: [{ nodeId: 1, host: 'h', port: 9092 }], controller: 1, clusterId: 'c' }),
    listTopics: async () => Object.values(names),
    createTopics: async () => assert.fail('nothing to create'),
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
      topics: topics.map((name) => ({
        name,
        partitions: Array.from({ length: name === names.articles ? articlesPartitions : 2 }, () =>
          replicas === undefined ? {} : { replicas: Array.from({ length: replicas }, (_, i) => i + 1) },
        ),
      })),
    }),
    describeConfigs: async ({ resources }: { resources: { name: string }[] }) => {
      if (fail.describe) throw fail.describe
      // the DLQ as created (its retention is checked too: red13b-dlq-retention.test.ts)
      if (resources[0]?.name === names.dlq)
        return { resources: [{ configEntries: [entry('retention.ms', '604800000', ConfigSource.TOPIC_CONFIG)] }] }
      const articles = [entry('delete.retention.ms', '86400000', ConfigSource.DEFAULT_CONFIG)]
      // with `eventsConfig`, each topic described as itself; else one answer, named for neither
      if (eventsConfig === undefined) return { resources: [{ configEntries: articles }] }
      return {
        resources: resources.map(({ name }) => ({ resourceName: name, configEntries: name === names.events ? eventsConfig : articles })),
      }
    },
    alterConfigs: async (request: unknown) => {
      if (fail.alter) throw fail.alter
      altered.push(request)
    },
  } as unknown as Admin
  const lines: Array<Record<string, unknown>> = []
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
  const config = { brokers: ['h:9092'], clientId: 'c', topicPrefix: 'p.', partitions: 2, replicationFactor: 1 }
  return { start: () => ensureTopics(admin, config, log), altered, lines }
}

/** A Kafka error as kafkajs gives it. */
const kafkaError = (type: string, retriable: boolean) => Object.assign(new Error(type), { type, retriable })

// Sixth mutation batch: tp1 (min.insync.replicas always 1) and tp8 (the partition counts not
// compared) passed every shared and ingest unit test.
test('a write is acknowledged by two in-sync replicas when there are three or more (deploy/README.md), by one below', () => {
  for (const [replicas, isr] of [
    [1, '1'],
    [2, '1'],
    [3, '2'],
    [5, '2'],
  ] as const) {
    for (const t of topicConfigs(names, 3, replicas)) {
      assert.equal(t.configEntries?.find((e) => e.name === 'min.insync.replicas')?.value, isr, `${t.topic}, ${replicas} replicas`)
    }
  }
})

test('start raises min.insync.replicas to 2 on topics kept on three or more replicas (made by hand or by an earlier release), and leaves it on fewer', async () => {
  const isrOf = (c: ReturnType<typeof existingCluster>) =>
    c.altered.flatMap((r) => {
      const res = (r as { resources: { name: string; configEntries: { name: string; value: string }[] }[] }).resources[0]
      const isr = res?.configEntries.find((e) => e.name === 'min.insync.replicas')
      return isr ? [`${res?.name}=${isr.value}`] : []
    })
  const three = existingCluster({}, undefined, 2, 3)
  await three.start()
  // the fake describes none of them with min.insync.replicas set: the broker default, 1
  assert.deepEqual(isrOf(three).sort(), [`${names.dlq}=2`, `${names.events}=2`, `${names.articles}=2`])
  const two = existingCluster({}, undefined, 2, 2)
  await two.start()
  assert.deepEqual(isrOf(two), [])
})

test('start refuses topics whose partition counts differ: an id would not live on the same partition in both', async () => {
  await assert.rejects(
    existingCluster({}, undefined, 3).start(),
    /p\.news\.article-events has 2 partitions but p\.news\.articles has 3; they must match/,
  )
})

test('where the setting cannot be checked or raised, start goes on and says what to set; a retriable error is retried', async () => {
  const ok = existingCluster({})
  await ok.start()
  assert.equal(ok.altered.length, 1)
  assert.equal(ok.lines[0]?.msg, 'raised a topic setting Newswire needs')

  const denied = existingCluster({ alter: kafkaError('TOPIC_AUTHORIZATION_FAILED', false) })
  assert.deepEqual(await denied.start(), names)
  assert.equal(denied.lines.length, 1)
  assert.equal(denied.lines[0]?.level, 50 /* error */)
  assert.match(String(denied.lines[0]?.byHand), /--entity-name p\.news\.articles --add-config delete\.retention\.ms=2592000000$/)

  const blind = existingCluster({ describe: kafkaError('TOPIC_AUTHORIZATION_FAILED', false) })
  assert.deepEqual(await blind.start(), names)
  assert.equal(blind.lines[0]?.level, 40 /* warn */)
  assert.equal(blind.altered.length, 0)

  // ensureTopics runs under retrying(): a retriable error goes up to it
  await assert.rejects(existingCluster({ alter: kafkaError('NOT_CONTROLLER', true) }).start(), /NOT_CONTROLLER/)
  await assert.rejects(existingCluster({ describe: kafkaError('REQUEST_TIMED_OUT', true) }).start(), /REQUEST_TIMED_OUT/)
})

test('start warns when news.article-events outlives the tombstones, and goes on', async () => {
  const events = (retention: string) => [
    entry('retention.ms', retention, ConfigSource.TOPIC_CONFIG),
    entry('segment.ms', '604800000', ConfigSource.DEFAULT_CONFIG),
  ]
  // the fake's news.articles answers Kafka's default (1 day) even after the raise
  const gap = existingCluster({}, events('604800000'))
  assert.deepEqual(await gap.start(), names)
  const warned = gap.lines.filter((l) => l.level === 40)
  assert.equal(warned.length, 1)
  assert.match(String(warned[0]?.msg), /^p\.news\.article-events keeps events up to 14 days .* an erased article can come back/)
  const none = existingCluster({}, events('-1'))
  await none.start()
  assert.match(String(none.lines.at(-1)?.msg), /keeps events for ever/)
})
