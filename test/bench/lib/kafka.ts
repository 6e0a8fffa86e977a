// Topic set-up and clean-up for a scenario's own prefix (KAFKA_TOPIC_PREFIX), so a run never
// touches another run's or the stack's topics.
import { createKafka, createLogger, ensureTopics, topicNames, kafkaSecurityFromEnv } from '@newswire/shared'
import type { KafkaConfig, TopicNames } from '@newswire/shared'
import type { Admin } from 'kafkajs'

/** A bench client's Kafka settings: the cluster's TLS and SASL from the environment, as the services read them. */
export function benchKafkaConfig(brokers: string[], clientId: string, topicPrefix = '', partitions = 0): KafkaConfig {
  return { brokers, clientId, topicPrefix, partitions, replicationFactor: 0, ...kafkaSecurityFromEnv(process.env) }
}

export async function withAdmin<T>(brokers: string[], f: (admin: Admin) => Promise<T>): Promise<T> {
  const kafka = createKafka(benchKafkaConfig(brokers, 'bench-admin'), createLogger('bench', 'error'))
  const admin = kafka.admin()
  await admin.connect()
  try {
    return await f(admin)
  } finally {
    await admin.disconnect()
  }
}

export function createTopics(admin: Admin, brokers: string[], prefix: string, partitions: number): Promise<TopicNames> {
  return ensureTopics(admin, benchKafkaConfig(brokers, 'bench-admin', prefix, partitions), createLogger('bench', 'error'))
}

/** Deletes every topic whose name starts with one of the prefixes (which must be bench prefixes). */
export async function deleteTopics(admin: Admin, prefixes: string[]): Promise<string[]> {
  for (const p of prefixes) if (!p.startsWith('bench-')) throw new Error(`refusing to delete topics of non-bench prefix '${p}'`)
  const all = await admin.listTopics()
  const doomed = all.filter((t) => prefixes.some((p) => t.startsWith(p)))
  if (doomed.length > 0) await admin.deleteTopics({ topics: doomed, timeout: 30_000 })
  return doomed
}

export { topicNames }
