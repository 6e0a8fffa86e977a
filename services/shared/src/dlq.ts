// Dead-letter queue: a record that cannot be decoded is copied, bytes untouched, to
// news.article-events.dlq with the reason in headers, so the consumer can skip it without
// stalling and an operator can inspect or replay it later.
import { createPartitioner } from './kafka.ts'
import type { IHeaders, Kafka, Producer } from './kafka.ts'
import type { Logger } from './log.ts'

export interface PoisonRecord {
  topic: string
  partition: number
  offset: string
  key: Buffer | null
  value: Buffer | null
  headers?: IHeaders
}

/** Headers of the DLQ copy: the original headers plus where it came from and why it failed. */
export function deadLetterHeaders(record: PoisonRecord, reason: string, detail: string, at: number): IHeaders {
  return {
    ...(record.headers ?? {}),
    'dlq-reason': reason,
    'dlq-detail': detail.slice(0, 1000),
    'dlq-source-topic': record.topic,
    'dlq-source-partition': String(record.partition),
    'dlq-source-offset': record.offset,
    'dlq-at': new Date(at).toISOString(),
  }
}

export interface DeadLetterQueue {
  send(record: PoisonRecord, reason: string, detail: string): Promise<void>
  close(): Promise<void>
}

export function createDeadLetterQueue(kafka: Kafka, topic: string, log: Logger): DeadLetterQueue {
  let producer: Producer | null = null
  const ready = async (): Promise<Producer> => {
    if (producer) return producer
    const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner, allowAutoTopicCreation: false })
    await p.connect()
    producer = p
    return p
  }
  return {
    async send(record, reason, detail) {
      const p = await ready()
      await p.send({
        topic,
        acks: -1,
        messages: [{ key: record.key, value: record.value, headers: deadLetterHeaders(record, reason, detail, Date.now()) }],
      })
      log.warn({ reason, detail, source: `${record.topic}[${record.partition}]@${record.offset}` }, 'record sent to the dead-letter topic')
    },
    async close() {
      const p = producer
      producer = null
      if (p) await p.disconnect()
    },
  }
}
