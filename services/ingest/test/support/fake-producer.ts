// Enough of kafkajs for the real publisher to open, fence and close transactional writers; what a
// commit writes goes through the test's `wrapWriter`. And the options every test of the real
// publisher over it shares: one partition, no metrics, a catch-up that finds nothing new.
import type { Kafka } from '@newswire/shared'
import { testLogger } from '../../../../test/helpers.ts'
import type { PublisherMetrics, PublisherOptions } from '../../src/publisher.ts'
import type { ArticleState } from '../../src/state.ts'
import { encoder } from './plan-jobs.ts'

export function producerOnlyKafka(): Kafka {
  const producer = {
    connect: async () => {},
    disconnect: async () => {},
    transaction: async () => ({ abort: async () => {}, commit: async () => {}, sendBatch: async () => [] }),
  }
  return { producer: () => producer } as unknown as Kafka
}

export const noMetrics: PublisherMetrics = { produceSeconds() {}, batchSize() {}, lingered() {}, fenced() {}, events() {} }

/** The real publisher's options over `producerOnlyKafka`, for one partition; a test adds its seams (wrapWriter, readBack, …). */
export function overFakeKafka(state: ArticleState): PublisherOptions {
  return {
    kafka: producerOnlyKafka(),
    topics: { events: 'e', articles: 'a', dlq: 'd' },
    partitions: 1,
    state,
    encoder: encoder(100),
    log: testLogger('publisher'),
    instanceId: 'i',
    transactionalIdPrefix: 'p',
    catchUp: async () => {},
    metrics: noMetrics,
  }
}
