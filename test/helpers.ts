// Helpers for integration tests: real Kafka (KAFKA_BROKERS, set by test/run.ts), real HTTP.
// Each test file gets its own topic prefix, so files run in parallel without seeing each other.
import { randomUUID } from 'node:crypto'
import type { TestContext } from 'node:test'
import { createCodec, createLogger, createTail, Kafka, loadSchemas, logLevel } from '@newswire/shared'
import type { Logger, NewswireEvent } from '@newswire/shared'
import type { KafkaMessage } from 'kafkajs'
import { loadIngestConfig, startIngest } from '@newswire/ingest'
import type { IngestConfig, IngestInstance } from '@newswire/ingest'

export const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')
export const codec = createCodec(loadSchemas())
export const API_KEY = 'dev-ingest-key'

// test/run.ts names the run, so it can delete this run's topics when the tests are done
const testRun = process.env.NEWSWIRE_TEST_RUN ?? randomUUID().slice(0, 8)

export function uniquePrefix(): string {
  return `t-${testRun}-${randomUUID().slice(0, 8)}.`
}

export function testLogger(name: string): Logger {
  return createLogger(name, process.env.LOG_LEVEL ?? 'silent')
}

export function ingestEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_PARTITIONS: '3',
    INGEST_PORT: '0',
    ...extra,
  }
}

export async function startTestIngest(t: TestContext, prefix: string, extra: Record<string, string> = {}): Promise<IngestInstance> {
  const config: IngestConfig = loadIngestConfig(ingestEnv(prefix, extra))
  const instance = await startIngest(config, testLogger('ingest'), (err) => {
    throw err
  })
  t.after(() => instance.close())
  return instance
}

export interface Received {
  /** An article event, or (schema v3) an entry event: narrow with isEntryEvent. */
  event: NewswireEvent
  message: KafkaMessage
  partition: number
}

/** An independent consumer that reads a topic from the beginning (read_committed). */
export function readTopic(topic: string, until: (all: Received[]) => boolean, timeoutMs = 30_000): Promise<Received[]> {
  return readTopicFrom(brokers.join(','), topic, until, timeoutMs)
}

export function readTopicFrom(
  brokerList: string,
  topic: string,
  until: (all: Received[]) => boolean,
  timeoutMs = 30_000,
): Promise<Received[]> {
  return readUntil(
    brokerList,
    topic,
    'test-reader',
    (message, partition) => (message.value ? { event: codec.decode(message.value), message, partition } : undefined),
    until,
    timeoutMs,
  )
}

/**
 * An independent consumer (own client, own group) reading `topic` from the beginning, keeping what
 * `take` makes of each record (undefined: skipped), until `until` holds of all kept so far.
 */
export async function readUntil<T>(
  brokerList: string,
  topic: string,
  clientId: string,
  take: (message: KafkaMessage, partition: number) => T | undefined,
  until: (all: T[]) => boolean,
  timeoutMs = 30_000,
): Promise<T[]> {
  const kafka = new Kafka({ clientId, brokers: brokerList.split(','), logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId: `${clientId}-${randomUUID()}`, maxWaitTimeInMs: 100 })
  const all: T[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out reading ${topic}: got ${all.length} records`)), timeoutMs)
      consumer
        .run({
          eachMessage: async ({ message, partition }) => {
            const kept = take(message, partition)
            if (kept !== undefined) all.push(kept)
            if (until(all)) {
              clearTimeout(timer)
              resolve()
            }
          },
        })
        .catch(reject)
      if (until(all)) {
        clearTimeout(timer)
        resolve()
      }
    })
  } finally {
    await consumer.disconnect()
  }
  return all
}

/**
 * An independent consumer (own client, own group, read_committed) that reads `topic` from the
 * beginning up to its last stable offset as of the call, so duplicates after the acknowledged
 * records are seen too. Same bookkeeping as the services' tail (transaction markers included).
 */
export async function readToEnd(brokerList: string, topic: string, timeoutMs = 60_000): Promise<Received[]> {
  // Its group needs the group coordinator, which a just-restarted broker may bring up after it
  // takes writes again; kafkajs then gives up (once in CI, stop 59, after the outage test's
  // restart): a fresh reader, with a fresh group, tries again, on that error only
  for (let attempt = 1; ; attempt++) {
    try {
      return await readToEndOnce(brokerList, topic, timeoutMs)
    } catch (err) {
      const coordinator = err instanceof Error && /group coordinator/i.test(`${err.message} ${String(err.cause)}`)
      if (!coordinator || attempt === 3) throw err
      await sleep(2000)
    }
  }
}

async function readToEndOnce(brokerList: string, topic: string, timeoutMs: number): Promise<Received[]> {
  const kafka = new Kafka({ clientId: 'test-reader', brokers: brokerList.split(','), logLevel: logLevel.NOTHING })
  const all: Received[] = []
  // The reader's group never commits: after a rebalance it starts over, so keep each offset once
  const seen = new Set<string>()
  let fatal: unknown = null
  const tail = createTail({
    kafka,
    topic,
    groupId: `test-reader-${randomUUID()}`,
    log: silentLog,
    onFatal: (err) => {
      fatal = err
    },
    onBatch: ({ partition, messages }) => {
      for (const message of messages) {
        const at = `${partition}:${message.offset}`
        if (seen.has(at) || !message.value) continue
        seen.add(at)
        all.push({ event: codec.decode(message.value), message, partition })
      }
    },
  })
  try {
    await tail.start()
    await tail.catchUp(timeoutMs)
  } finally {
    await tail.close()
  }
  if (fatal !== null) throw fatal
  return all
}

const silentLog = createLogger('test-reader', 'silent')

export interface HttpResult {
  status: number
  headers: Headers
  body: unknown
  text: string
}

export async function http(url: string, init: RequestInit & { json?: unknown; key?: string | null } = {}): Promise<HttpResult> {
  const headers = new Headers(init.headers)
  if (init.key !== null) headers.set('authorization', `Bearer ${init.key ?? API_KEY}`)
  let body = init.body
  if (init.json !== undefined) {
    body = JSON.stringify(init.json)
    if (!headers.has('content-type')) headers.set('content-type', 'application/json')
  }
  const res = await fetch(url, { ...init, headers, body })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body: parsed, text }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** `s` as a regular expression that matches exactly it. */
export function literal(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
