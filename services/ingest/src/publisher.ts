// The only ingest module that writes to Kafka.
//
// One writer per partition of news.article-events, each a transactional producer whose
// transactional.id names the partition. Whoever initialises that id fences every earlier holder
// (Kafka's zombie fencing), then catches up with the partition's committed state before deciding
// versions. So two ingest instances can never both commit an event for the same (id, version):
// the one that was fenced fails its commit, re-acquires, re-reads, and decides again.
//
// Requests for one partition queue up and are committed together (group commit): one
// transaction carries every event that is due, to news.article-events and news.articles.
import { randomUUID } from 'node:crypto'
import type { ArticleEvent, Logger, TopicNames } from '@newswire/shared'
import { createPartitioner, NewswireError } from '@newswire/shared'
import type { Kafka, Message, Producer } from 'kafkajs'
import type { ArticleState, Stored } from './state.ts'

export interface Encoder {
  encode(event: ArticleEvent): Buffer
  fingerprintHex: string
}

export interface Plan<R> {
  event: ArticleEvent | null
  result: R
}

export interface Job<R> {
  articleId: string
  /** Scoped Idempotency-Key and request hash, stored in headers so any instance can answer retries. */
  idempotency: { key: string; requestHash: string } | null
  /** Runs at commit time against the freshest state; may run again after a re-acquire. */
  plan: (current: Stored | undefined) => Plan<R>
}

export interface PublisherMetrics {
  produceSeconds: (seconds: number) => void
  batchSize: (n: number) => void
  fenced: () => void
  events: (type: string, n: number) => void
}

export interface PublisherOptions {
  kafka: Kafka
  topics: TopicNames
  partitions: number
  state: ArticleState
  encoder: Encoder
  log: Logger
  instanceId: string
  transactionalIdPrefix: string
  /** Waits until the articles tail has read partition p up to its end. */
  catchUp: (partition: number) => Promise<void>
  metrics: PublisherMetrics
  maxBatch?: number
}

interface Pending<R> {
  job: Job<R>
  resolve: (r: R) => void
  reject: (err: unknown) => void
  settled: boolean
}

const FENCED = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_ID_MAPPING',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
])

/** Fenced, or racing another writer of the same transactional id: worth re-acquiring, not a 503. */
function isContended(err: unknown): boolean {
  return isFenced(err) || errorType(err) === 'CONCURRENT_TRANSACTIONS'
}

function errorType(err: unknown): string | undefined {
  let e: unknown = err
  for (let i = 0; i < 4 && e !== null && typeof e === 'object'; i++) {
    const t = (e as { type?: unknown }).type
    if (typeof t === 'string') return t
    e = (e as { originalError?: unknown; cause?: unknown }).originalError ?? (e as { cause?: unknown }).cause
  }
  return undefined
}

export function isFenced(err: unknown): boolean {
  const t = errorType(err)
  return t !== undefined && FENCED.has(t)
}

type Placement = (articleId: string) => number
const placements = new Map<number, Placement>()

/** murmur2 placement identical to the Java client's, for the given partition count. */
export function partitionOf(articleId: string, partitions: number): number {
  let place = placements.get(partitions)
  if (place === undefined) {
    // Built once per partition count: rebuilding it per request was 5 % of ingest's CPU
    const partitioner = createPartitioner()
    const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
      offlineReplicas: [],
    }))
    place = (key) => partitioner({ topic: '', partitionMetadata, message: { key, value: null } })
    placements.set(partitions, place)
  }
  return place(articleId)
}

class PartitionWriter {
  readonly #o: PublisherOptions
  readonly #p: number
  #producer: Producer | null = null
  #queue: Pending<unknown>[] = []
  #running = false
  #closed = false

  constructor(options: PublisherOptions, partition: number) {
    this.#o = options
    this.#p = partition
  }

  submit<R>(job: Job<R>, timeoutMs: number): Promise<R> {
    if (this.#closed) return Promise.reject(unavailable('ingest is shutting down'))
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Still queued: it will never be written. Already in a transaction: the commit may
        // still land, and a retry then finds the content unchanged (no duplicate).
        const i = this.#queue.indexOf(pending)
        if (i >= 0) this.#queue.splice(i, 1)
        settle(pending, () => reject(unavailable(`Kafka did not acknowledge within ${timeoutMs} ms`)))
      }, timeoutMs)
      const pending: Pending<unknown> = {
        job: job as Job<unknown>,
        resolve: (r) => {
          clearTimeout(timer)
          resolve(r as R)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
        settled: false,
      }
      this.#queue.push(pending)
      if (!this.#running) void this.#drain()
    })
  }

  get idle(): boolean {
    return !this.#running && this.#queue.length === 0
  }

  async #acquire(): Promise<Producer> {
    if (this.#producer) return this.#producer
    const producer = this.#o.kafka.producer({
      transactionalId: `${this.#o.transactionalIdPrefix}-p${this.#p}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 30_000,
      allowAutoTopicCreation: false,
      createPartitioner,
      // CONCURRENT_TRANSACTIONS after a commit clears within milliseconds; retry fast
      retry: { initialRetryTime: 5, maxRetryTime: 1000, retries: 12, factor: 0.2, multiplier: 2 },
    })
    try {
      await producer.connect()
      // kafkajs initialises the producer id lazily; an empty transaction forces it, which
      // fences any other holder of this transactional id and aborts its open transaction.
      const txn = await producer.transaction()
      await txn.abort()
      await this.#o.catchUp(this.#p)
    } catch (err) {
      await producer.disconnect().catch(() => {})
      throw err
    }
    this.#producer = producer
    this.#o.log.debug({ partition: this.#p }, 'partition writer acquired')
    return producer
  }

  async #release(): Promise<void> {
    const p = this.#producer
    this.#producer = null
    if (p) await p.disconnect().catch(() => {})
  }

  async #drain(): Promise<void> {
    this.#running = true
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#o.maxBatch ?? 500).filter((x) => !x.settled)
        if (batch.length > 0) await this.#commit(batch)
      }
    } finally {
      this.#running = false
    }
  }

  async #commit(pendings: Pending<unknown>[]): Promise<void> {
    let batch = pendings
    for (let attempt = 1; ; attempt++) {
      try {
        const producer = await this.#acquire()
        const overlay = new Map<string, Stored>()
        const outcomes: { pending: Pending<unknown>; plan: Plan<unknown> | null; error?: unknown }[] = []
        const events: { event: ArticleEvent; idem: Job<unknown>['idempotency'] }[] = []
        for (const pending of batch) {
          const id = pending.job.articleId
          let plan: Plan<unknown>
          try {
            plan = pending.job.plan(overlay.get(id) ?? this.#o.state.get(id))
          } catch (error) {
            // A rule said no (conflict, not found): that request fails, the batch goes on
            outcomes.push({ pending, plan: null, error })
            continue
          }
          outcomes.push({ pending, plan })
          if (plan.event) {
            overlay.set(id, { article: plan.event.article, eventId: plan.event.eventId, type: plan.event.type })
            events.push({ event: plan.event, idem: pending.job.idempotency })
          }
        }
        if (events.length > 0) {
          const t0 = performance.now()
          const messages: Message[] = events.map(({ event, idem }) => ({
            key: event.article.id,
            value: this.#o.encoder.encode(event),
            partition: this.#p,
            timestamp: String(event.ingestedAt),
            headers: {
              'event-type': event.type,
              'schema-fingerprint': this.#o.encoder.fingerprintHex,
              'trace-id': event.traceId,
              'content-type': 'application/vnd.apache.avro+binary',
              writer: this.#o.instanceId,
              ...(idem ? { 'idempotency-key': idem.key, 'request-hash': idem.requestHash } : {}),
            },
          }))
          const txn = await producer.transaction()
          try {
            // Two sequential sends, not one two-topic sendBatch: kafkajs retries a multi-broker
            // batch as a whole with fresh sequence numbers, which duplicated the half that had
            // already landed when a leader moved mid-request.
            await txn.send({ acks: -1, topic: this.#o.topics.events, messages })
            await txn.send({ acks: -1, topic: this.#o.topics.articles, messages })
            await txn.commit()
          } catch (err) {
            await txn.abort().catch(() => {})
            throw err
          }
          this.#o.metrics.produceSeconds((performance.now() - t0) / 1000)
          this.#o.metrics.batchSize(events.length)
          for (const { event } of events) this.#o.state.apply(event)
          const byType = new Map<string, number>()
          for (const { event } of events) byType.set(event.type, (byType.get(event.type) ?? 0) + 1)
          for (const [type, n] of byType) this.#o.metrics.events(type, n)
        }
        for (const { pending, plan, error } of outcomes) {
          settle(pending, () => (plan ? pending.resolve(plan.result) : pending.reject(error)))
        }
        return
      } catch (err) {
        await this.#release()
        if (isFenced(err)) this.#o.metrics.fenced()
        // Fenced by (or racing) another instance: re-acquire, which re-reads its writes, and
        // decide again. Two instances can fence each other several times in a row, so this
        // goes on, with jittered back-off, for as long as a request in the batch still waits.
        batch = batch.filter((p) => !p.settled)
        if (isContended(err) && batch.length > 0 && !this.#closed) {
          this.#o.log.info({ partition: this.#p, attempt, err: errorType(err) }, 'partition writer fenced, re-acquiring')
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 10 * 2 ** attempt)))
          continue
        }
        this.#o.log.warn({ partition: this.#p, err }, 'publish failed')
        const e = unavailable(`Kafka did not accept the write: ${err instanceof Error ? err.message : String(err)}`, err)
        for (const pending of batch) settle(pending, () => pending.reject(e))
        return
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    const pending = this.#queue.splice(0)
    for (const p of pending) settle(p, () => p.reject(unavailable('ingest is shutting down')))
    while (this.#running) await new Promise((r) => setTimeout(r, 10))
    await this.#release()
  }
}

function settle(p: Pending<unknown>, f: () => void): void {
  if (p.settled) return
  p.settled = true
  f()
}

export function unavailable(message: string, cause?: unknown): NewswireError {
  return new NewswireError('NEWSWIRE_ERR_KAFKA_UNAVAILABLE', message, { retriable: true, cause })
}

export interface Publisher {
  partitionOf(articleId: string): number
  submit<R>(job: Job<R>, timeoutMs: number): Promise<R>
  /** Resolves when every queued write has been committed or failed. */
  drain(): Promise<void>
  close(): Promise<void>
}

export function createPublisher(options: PublisherOptions): Publisher {
  const writers = Array.from({ length: options.partitions }, (_, p) => new PartitionWriter(options, p))
  return {
    partitionOf: (id) => partitionOf(id, options.partitions),
    submit<R>(job: Job<R>, timeoutMs: number): Promise<R> {
      const w = writers[partitionOf(job.articleId, options.partitions)]
      if (w === undefined) return Promise.reject(new Error('no writer for partition'))
      return w.submit(job, timeoutMs)
    },
    async drain() {
      while (!writers.every((w) => w.idle)) await new Promise((r) => setTimeout(r, 10))
    },
    async close() {
      await Promise.all(writers.map((w) => w.close()))
    },
  }
}

export function newEventId(): string {
  return randomUUID()
}
