// Baseline process: a raw kafkajs producer with ingest's producer settings (idempotent, acks=all,
// one request in flight, the Java-compatible partitioner) sending the same Avro records ingest
// writes, to the same two topics (events + latest-state), with no HTTP and no code of ours.
//   idempotent:    one producer, `concurrency` sendBatch calls outstanding
//   transactional: one transactional producer per concurrent loop, one transaction per batch
import { createKafka, createLogger, createPartitioner } from '@newswire/shared'
import { benchKafkaConfig } from '../lib/kafka.ts'
import type { Message, Producer } from 'kafkajs'
import { encodedRecords } from '../lib/fixture.ts'
import type { EncodedRecord } from '../lib/fixture.ts'
import { runLoad } from '../lib/load.ts'
import type { LoadSpec } from '../lib/load.ts'
import { serve } from '../lib/worker.ts'

export interface KafkaInitSpec {
  brokers: string[]
  topics: { events: string; articles: string }
  mode: 'idempotent' | 'transactional'
  transactionalIdPrefix: string
  /** Distinct pre-encoded records to cycle through. */
  poolSize: number
}

export interface KafkaRunSpec extends LoadSpec {
  batchSize: number
}

let init: KafkaInitSpec | null = null
let pool: EncodedRecord[] = []
const producers: Producer[] = []
const kafka = () => {
  if (!init) throw new Error('init first')
  return createKafka(
    benchKafkaConfig(init.brokers, `bench-${init.mode}`),
    // kafkajs logs retried CONCURRENT_TRANSACTIONS as errors; failures are counted in the results instead
    createLogger('bench-baseline', 'fatal'),
  )
}
let client: ReturnType<typeof kafka> | null = null

const retry = { initialRetryTime: 5, maxRetryTime: 1000, retries: 12, factor: 0.2, multiplier: 2 }

async function addProducer(): Promise<void> {
  if (!init || !client) throw new Error('init first')
  const i = producers.length
  const producer =
    init.mode === 'transactional'
      ? client.producer({
          transactionalId: `${init.transactionalIdPrefix}-${i}`,
          idempotent: true,
          maxInFlightRequests: 1,
          transactionTimeout: 30_000,
          allowAutoTopicCreation: false,
          createPartitioner,
          retry,
        })
      : client.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner })
  await producer.connect()
  if (init.mode === 'transactional') {
    // as ingest does: kafkajs initialises the producer id lazily; an empty transaction forces it
    const txn = await producer.transaction()
    await txn.abort()
  }
  producers.push(producer)
}

let next = 0
function messages(n: number): Message[] {
  const out: Message[] = []
  const now = String(Date.now())
  for (let i = 0; i < n; i++) {
    const r = pool[next++ % pool.length]
    if (r) out.push({ key: r.key, value: r.value, headers: r.headers, timestamp: now })
  }
  return out
}

serve({
  cpu: () => process.cpuUsage(),
  async init(spec: KafkaInitSpec) {
    init = spec
    pool = encodedRecords(spec.poolSize, `baseline-${process.pid}-`)
    client = kafka()
    await addProducer()
    return { poolSize: pool.length, bytes: pool.reduce((a, r) => a + r.value.length, 0) / pool.length }
  },
  async run(spec: KafkaRunSpec) {
    if (!init) throw new Error('init first')
    const { events, articles } = init.topics
    const transactional = init.mode === 'transactional'
    const needed = transactional ? Math.max(1, spec.rate ? 1 : spec.concurrency) : 1
    while (producers.length < needed) await addProducer()
    return runLoad(spec, async (w) => {
      const msgs = messages(spec.batchSize)
      const topicMessages = [
        { topic: events, messages: msgs },
        { topic: articles, messages: msgs },
      ]
      if (!transactional) {
        await producers[0]?.sendBatch({ acks: -1, topicMessages })
        return { records: msgs.length }
      }
      const producer = producers[Math.max(0, w)]
      if (!producer) throw new Error('no producer')
      const txn = await producer.transaction()
      try {
        await txn.sendBatch({ acks: -1, topicMessages })
        await txn.commit()
      } catch (err) {
        await txn.abort().catch(() => {})
        throw err
      }
      return { records: msgs.length }
    })
  },
  async close() {
    await Promise.all(producers.splice(0).map((p) => p.disconnect()))
    return null
  },
})
