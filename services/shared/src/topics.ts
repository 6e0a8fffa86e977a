// The three topics and their settings. Creation is explicit and idempotent: missing topics are
// created, existing ones are left as they are (their partition count is checked, not changed).
import type { Admin, ITopicConfig } from './kafka.ts'
import type { KafkaConfig } from './config.ts'

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

export function topicConfigs(names: TopicNames, partitions: number, replicationFactor: number): ITopicConfig[] {
  const minIsr = String(replicationFactor >= 3 ? 2 : 1)
  return [
    {
      // Every event; key = article id so one article's events keep their order.
      topic: names.events,
      numPartitions: partitions,
      replicationFactor,
      configEntries: [
        { name: 'min.insync.replicas', value: minIsr },
        { name: 'retention.ms', value: String(7 * 24 * 3600 * 1000) },
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
      ],
    },
    {
      topic: names.dlq,
      numPartitions: 1,
      replicationFactor,
      configEntries: [
        { name: 'min.insync.replicas', value: minIsr },
        { name: 'retention.ms', value: String(30 * 24 * 3600 * 1000) },
      ],
    },
  ]
}

export async function ensureTopics(admin: Admin, config: KafkaConfig): Promise<TopicNames> {
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
  const meta = await admin.fetchTopicMetadata({ topics: [names.events, names.articles] })
  const counts = meta.topics.map((t) => t.partitions.length)
  if (counts[0] !== counts[1]) {
    throw new Error(`${names.events} has ${counts[0]} partitions but ${names.articles} has ${counts[1]}; they must match`)
  }
  return names
}
