// The three topics and their settings. Creation is explicit and idempotent: missing topics are
// created; existing ones are left as they are (their partition count is checked, not changed),
// except for the settings correctness needs (requiredConfigs, and insyncConfigs for topics kept on
// three or more replicas), which are raised or lowered to them.
import { ConfigResourceTypes, ConfigSource } from './kafka.ts'
import type { Admin, ConfigEntries, IResourceConfigEntry, ITopicConfig } from './kafka.ts'
import type { KafkaConfig } from './config.ts'
import type { Logger } from './log.ts'
import { NewswireError } from './errors.ts'
import { isRetriable } from './retry.ts'

/**
 * news.articles' `delete.retention.ms`: 30 days. A tombstone there is an operator's erasure
 * (schemas/README.md); once the cleaner has removed the records before it, it alone says that its
 * key (an article id, or a story's entry) existed and was erased, and both services take it so
 * (ingest: the id is refused, the entry's seq counted; fan-out: whatever history brings of it is
 * killed). It must outlive every path that could bring the erased article back: its events in
 * news.article-events (retention.ms 7 days, up to 7 more until the broker rolls their segment,
 * segment.ms' default), read by every fan-out at start and by replays. Kafka's default (1 day) is
 * shorter than that; keeping it for good would keep the transaction markers too (the cleaner keeps
 * them as long as tombstones: 84 bytes per ingest transaction per partition, read at every start),
 * so 30 days of markers, not all of them. Past it the tombstone is gone: a known limit (an ingest
 * started then takes the id as new; services/ingest/README.md).
 */
export const TOMBSTONE_RETENTION_MS = 30 * 24 * 3600 * 1000

/**
 * news.article-events' `retention.ms`, and the dead-letter topic's: a DLQ copy holds its record's
 * bytes and text (embargoed, held, later erased), and an erasure leaves that text only until the
 * events' retention removes it (red13b attack run: the DLQ kept it 30 days).
 */
export const EVENTS_RETENTION_MS = 7 * 24 * 3600 * 1000

export interface TopicNames {
  events: string
  articles: string
  dlq: string
}

export function topicNames(prefix = ''): TopicNames {
  return {
    events: `${prefix}news.article-events`,
    articles: `${prefix}news.articles`,
    dlq: `${prefix}news.article-events.dlq`,
  }
}

/** Copies a write needs before its 2xx (acks=all): two when a topic keeps three or more, else one. */
const minInsyncFor = (replicas: number): number => (replicas >= 3 ? 2 : 1)

export function topicConfigs(names: TopicNames, partitions: number, replicationFactor: number): ITopicConfig[] {
  const minIsr = String(minInsyncFor(replicationFactor))
  return [
    {
      // Every event; key = article id so one article's events keep their order.
      topic: names.events,
      numPartitions: partitions,
      replicationFactor,
      configEntries: [
        { name: 'min.insync.replicas', value: minIsr },
        { name: 'retention.ms', value: String(EVENTS_RETENTION_MS) },
      ],
    },
    {
      // Latest event per article. Same partition count as events, so an id lives on the same
      // partition number in both topics.
      topic: names.articles,
      numPartitions: partitions,
      replicationFactor,
      configEntries: [
        { name: 'min.insync.replicas', value: minIsr },
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'min.compaction.lag.ms', value: '60000' },
        { name: 'delete.retention.ms', value: String(TOMBSTONE_RETENTION_MS) },
      ],
    },
    {
      topic: names.dlq,
      numPartitions: 1,
      replicationFactor,
      configEntries: [
        { name: 'min.insync.replicas', value: minIsr },
        { name: 'retention.ms', value: String(EVENTS_RETENTION_MS) },
      ],
    },
  ]
}

/**
 * A setting an existing topic is set to at start when it is out of bounds (a number, such as a
 * time in ms): raised to `atLeast` when lower, or lowered to `atMost` when higher (or -1, for ever).
 */
export type RequiredConfig = { topic: string; name: string } & ({ atLeast: string; atMost?: never } | { atMost: string; atLeast?: never })

/** The settings correctness needs of topics that may have been created before they were spec'd. */
export function requiredConfigs(names: TopicNames): RequiredConfig[] {
  return [
    { topic: names.articles, name: 'delete.retention.ms', atLeast: String(TOMBSTONE_RETENTION_MS) },
    { topic: names.dlq, name: 'retention.ms', atMost: String(EVENTS_RETENTION_MS) },
  ]
}

/** A topic as fetchTopicMetadata gives it: its partitions and, for each, the brokers keeping a copy. */
interface TopicReplicas {
  name: string
  partitions: { replicas?: number[] }[]
}

/**
 * min.insync.replicas of existing topics, at least what topicConfigs creates them with for the
 * copies they keep (minInsyncFor). One made by hand or by an earlier release on three copies at 1
 * would let ingest's 2xx (acks=all) stand on the leader's copy alone.
 */
export function insyncConfigs(topics: readonly TopicReplicas[]): RequiredConfig[] {
  return topics.flatMap((t) => {
    const least = minInsyncFor(Math.min(...t.partitions.map((p) => p.replicas?.length ?? 0)))
    // the broker's own floor is 1: only a higher one needs checking
    return t.partitions.length > 0 && least > 1 ? [{ topic: t.name, name: 'min.insync.replicas', atLeast: String(least) }] : []
  })
}

/** The value `required` sets. */
const targetOf = (required: RequiredConfig): string => required.atLeast ?? required.atMost

function meets(value: string, required: RequiredConfig): boolean {
  const n = BigInt(value)
  if (required.atLeast !== undefined) return n >= BigInt(required.atLeast)
  return n >= 0n && n <= BigInt(required.atMost)
}

/** What raising `required` on a topic with settings `entries` (all of them, as describeConfigs gives) writes. */
export interface Raise {
  /** The value now, and where it comes from (a ConfigSource name) */
  from: { value: string | null; source: string }
  /**
   * Every setting of the topic's own after the raise: alterConfigs (the only kind kafkajs has)
   * replaces them all, so the others are written again as they are.
   */
  entries: IResourceConfigEntry[]
}

/**
 * The settings to write for the topic to meet `required`, or null when it does already. Throws
 * when its other settings of its own cannot be written again as they are (a value withheld as
 * sensitive, one of unknown origin): raising it then is left to an operator.
 */
export function raiseOf(entries: ConfigEntries[], required: RequiredConfig): Raise | null {
  const current = entries.find((e) => e.configName === required.name)
  if (current?.configValue != null && current.configValue !== '' && meets(current.configValue, required)) return null
  const own = entries.filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && e.configName !== required.name)
  const unknown = entries.find((e) => e.configSource === ConfigSource.UNKNOWN)
  if (unknown) throw new Error(`the origin of ${required.topic}'s ${unknown.configName} is unknown: it could be lost`)
  const hidden = own.find((e) => e.isSensitive || e.configValue == null)
  if (hidden) throw new Error(`${required.topic}'s ${hidden.configName} is sensitive: it cannot be written again`)
  const source =
    current === undefined ? 'none' : (Object.entries(ConfigSource).find(([, v]) => v === current.configSource)?.[0] ?? 'UNKNOWN')
  return {
    from: { value: current?.configValue ?? null, source },
    entries: [...own.map((e) => ({ name: e.configName, value: e.configValue })), { name: required.name, value: targetOf(required) }],
  }
}

/**
 * Raises (or lowers) `required` on its topic when out of bounds, writing the topic's other settings of its own again
 * as they are (describe, then alter: another change in between is lost; once done, later starts
 * only describe). Where it cannot be checked or raised (no DescribeConfigs or AlterConfigs right on
 * the topic), it says so and goes on: an operator sets it (deploy/README.md).
 */
async function raiseConfig(admin: Admin, required: RequiredConfig, log: Logger): Promise<void> {
  const { topic, name } = required
  const to = targetOf(required)
  const fields = { topic, config: name, to }
  const verb = required.atLeast !== undefined ? 'raise' : 'lower'
  const byHand = `kafka-configs.sh --bootstrap-server <broker> --alter --entity-type topics --entity-name ${topic} --add-config ${name}=${to}`
  let raise: Raise | null
  try {
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] })
    raise = raiseOf(described.resources[0]?.configEntries ?? [], required)
  } catch (err) {
    if (isRetriable(err)) throw err
    log.warn({ err, ...fields, byHand }, 'could not check a topic setting Newswire needs; make sure it is set')
    return
  }
  if (raise === null) return
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: raise.entries }],
    })
  } catch (err) {
    if (isRetriable(err)) throw err
    log.error({ err, ...fields, from: raise.from, byHand }, `could not ${verb} a topic setting Newswire needs; set it by hand`)
    return
  }
  log.info({ ...fields, from: raise.from, kept: raise.entries.length - 1 }, `${verb}d a topic setting Newswire needs`)
}

/**
 * Why an erased article could come back from history, or null: news.article-events keeps its
 * events (retention.ms, plus up to segment.ms until the broker rolls their segment and may delete
 * it) longer than news.articles keeps the tombstone that erased it (delete.retention.ms), so a
 * fan-out started after the tombstone is gone replays the article as never erased. Settings as
 * describeConfigs gives them (in force, defaults included); null where one is unknown.
 */
export function erasureGap(names: TopicNames, events: ConfigEntries[], articles: ConfigEntries[]): string | null {
  const ms = (entries: ConfigEntries[], name: string) => {
    const v = entries.find((e) => e.configName === name)?.configValue
    return v == null || v === '' ? null : Number(v)
  }
  const retention = ms(events, 'retention.ms')
  const roll = ms(events, 'segment.ms')
  const tombstones = ms(articles, 'delete.retention.ms')
  if (retention === null || roll === null || tombstones === null) return null
  if (retention >= 0 && retention + roll <= tombstones) return null
  const kept = retention < 0 ? 'for ever' : `up to ${Math.ceil((retention + roll) / 86_400_000)} days (retention.ms + segment.ms)`
  return `${names.events} keeps events ${kept}, longer than ${names.articles} keeps tombstones (delete.retention.ms ${Math.floor(tombstones / 86_400_000)} days): an erased article can come back at a fan-out's start once its tombstone is gone; raise delete.retention.ms past it`
}

/**
 * Why news.articles cannot hold every article's latest state, or null: a topic made by hand (or
 * recreated) with `cleanup.policy` `delete`, or `compact,delete`, drops records once
 * `retention.ms` passes, a kill among them, and both services rebuild from it at start: ingest then
 * takes a killed id as new and writes it again as CREATED (red23b attack run). Null where unknown.
 */
export function compactionProblem(names: TopicNames, articles: ConfigEntries[]): string | null {
  const policy = articles.find((e) => e.configName === 'cleanup.policy')?.configValue
  if (policy == null || policy === '') return null
  const kinds = policy.split(',').map((p) => p.trim())
  if (kinds.length === 1 && kinds[0] === 'compact') return null
  return `${names.articles} has cleanup.policy=${policy}: it drops records, kills among them, once its retention passes, and a killed article would be taken as new; set cleanup.policy=compact (kafka-configs.sh --alter --entity-type topics --entity-name ${names.articles} --add-config cleanup.policy=compact)`
}

/**
 * Says so at start when the topics' settings leave an erasure a way back (erasureGap), and refuses
 * a news.articles that is not compacted alone (compactionProblem); silent where they cannot be read.
 */
async function warnOfErasureGap(admin: Admin, names: TopicNames, log: Logger): Promise<void> {
  let gap: string | null
  let compaction: string | null
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [names.events, names.articles].map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    })
    const of = (name: string) => resources.find((r) => r.resourceName === name)?.configEntries ?? []
    gap = erasureGap(names, of(names.events), of(names.articles))
    compaction = compactionProblem(names, of(names.articles))
  } catch (err) {
    // a check only (raiseConfig has said already when settings cannot be read)
    log.debug({ err }, 'could not compare the retention of events and tombstones')
    return
  }
  if (gap !== null) log.warn({ events: names.events, articles: names.articles }, gap)
  if (compaction !== null) {
    log.fatal({ topic: names.articles }, `refusing to start: ${compaction}`)
    throw new NewswireError('NEWSWIRE_ERR_TOPIC_NOT_COMPACTED', compaction, { details: { topic: names.articles } })
  }
}

export async function ensureTopics(admin: Admin, config: KafkaConfig, log: Logger): Promise<TopicNames> {
  const names = topicNames(config.topicPrefix)
  let rf = config.replicationFactor
  if (rf === 0) rf = Math.min(3, (await admin.describeCluster()).brokers.length)
  const existing = new Set(await admin.listTopics())
  const missing = topicConfigs(names, config.partitions, rf).filter((t) => !existing.has(t.topic))
  if (missing.length > 0) {
    try {
      await admin.createTopics({ topics: missing, waitForLeaders: true })
    } catch (err) {
      // Another instance may have created them at the same moment
      if (!(err instanceof Error && /already exists/i.test(err.message))) throw err
    }
  }
  const meta = await admin.fetchTopicMetadata({ topics: [names.events, names.articles, names.dlq] })
  const count = (topic: string) => meta.topics.find((t) => t.name === topic)?.partitions.length
  const [events, articles] = [count(names.events), count(names.articles)]
  if (events !== articles) {
    throw new Error(`${names.events} has ${events} partitions but ${names.articles} has ${articles}; they must match`)
  }
  // topics created by an earlier release (or by hand) lack what was spec'd since
  for (const required of [...requiredConfigs(names), ...insyncConfigs(meta.topics)]) await raiseConfig(admin, required, log)
  await warnOfErasureGap(admin, names, log)
  return names
}
