// The one place that constructs kafkajs clients: explicit retry policy (kafkajs changes its
// defaults under NODE_ENV=test), the Java-compatible partitioner, and logs routed to pino.
import { Kafka, Partitioners, logLevel } from 'kafkajs'
import type { KafkaConfig as KafkaJsConfig, logCreator } from 'kafkajs'
import type { KafkaConfig } from './config.ts'
import type { Logger } from './log.ts'

export { Partitioners }

export function pinoLogCreator(log: Logger): logCreator {
  return () =>
    ({ level, log: entry }) => {
      const { message, ...rest } = entry
      const fields = { lib: 'kafkajs', ...rest }
      // kafkajs logs every attempt it is about to retry at error level (a coordinator still
      // loading, CONCURRENT_TRANSACTIONS after a commit); the failure that matters reaches our
      // code, which logs it. So a retried attempt is a warning, not an error.
      const retried = 'retryCount' in rest || message.startsWith('Response ')
      if (level === logLevel.ERROR && retried) log.warn(fields, message)
      else if (level === logLevel.ERROR) log.error(fields, message)
      // Our transactional producers bound retries on purpose: a failed transaction is aborted
      // and the request answered 503, so this advice about plain idempotent producers is noise.
      else if (level === logLevel.WARN && message.startsWith('Limiting retries')) log.debug(fields, message)
      else if (level === logLevel.WARN) log.warn(fields, message)
      else if (level === logLevel.INFO) log.debug(fields, message)
      else log.trace(fields, message)
    }
}

export function createKafka(config: KafkaConfig, log: Logger, overrides: Partial<KafkaJsConfig> = {}): Kafka {
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 5, factor: 0.2, multiplier: 2 },
    logLevel: logLevel.INFO,
    logCreator: pinoLogCreator(log),
    ...overrides,
  })
}

/** Same murmur2 placement as the Java client, so other producers agree on partitions. */
export const createPartitioner = Partitioners.DefaultPartitioner
