// Enough of kafkajs for the real publisher to open, fence and close transactional writers; what a
// commit writes goes through the test's `wrapWriter`.
import type { Kafka } from '@newswire/shared'

export function producerOnlyKafka(): Kafka {
  const producer = {
    connect: async () => {},
    disconnect: async () => {},
    transaction: async () => ({ abort: async () => {}, commit: async () => {}, sendBatch: async () => [] }),
  }
  return { producer: () => producer } as unknown as Kafka
}
