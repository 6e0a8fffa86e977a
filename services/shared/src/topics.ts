// The three topics and their settings. Creation is explicit and idempotent: missing topics are
// created, existing ones are left as they are (their partition count is checked, not changed).
import type { Admin, ITopicConfig } from './kafka.ts'
import type { KafkaConfig } from './config.ts'

/**
 * news.articles' `delete.retention.ms`: its tombstones are kept for good. A tombstone there is an
 * operator's erasure (schemas/README.md); once the cleaner has removed the records before it, it
 * alone is left to say that its key (an article id, or a story's entry) existed and was erased.
 * With Kafka's default (1 day) it would go too, and nothing would be left to keep the id from
 * being written again as version 1, or an erased entry's seq from being given out again (what
 * ingest and the fan-out make of a tombstone alone: services/ingest/README.md).
 * Why 1000 years rather than Long.MAX_VALUE (in range, [0,…]): since Kafka 3.1 (KIP-534) the
 * cleaner stamps a batch holding a tombstone with a delete horizon of now + delete.retention.ms,
 * which overflows for Long.MAX_VALUE; the broker then sees no horizon and keeps the tombstone
 * only through its older per-segment check (seen on 4.4.0), an accident to rely on. 1000 years
 * cannot overflow, and the horizon, written as the batch's base timestamp, stays below 2^53, exact
 * for a client that reads timestamps as doubles.
 * The cost, forever: a tombstone (its key and some 70 bytes) per erased key; and, since the cleaner
 * keeps transaction markers as long as tombstones, a commit marker (84 bytes) per ingest
 * transaction per news.articles partition it wrote, which every start-up reads past too.
 */
export const TOMBSTONE_RETENTION_MS = 1000 * 365 * 24 * 3600 * 1000

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
        { name: 'delete.retention.ms', value: String(TOMBSTONE_RETENTION_MS) },
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
