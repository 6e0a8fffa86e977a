// The only module that imports kafkajs. Everything else, in shared and in the services, gets its
// Kafka client, types, transactions and error classification from here, so replacing kafkajs
// (unmaintained since 2023) touches this file. It holds: the client factory (explicit retry
// policy, since kafkajs changes its defaults under NODE_ENV=test; logs routed to pino), the
// Java-compatible partitioner, transactional writers with zombie fencing, the cheaper encoding of
// their Produce requests, and the classification of the errors a transactional writer meets.
// The kafkajs-*.ts modules it imports replace or patch kafkajs internals for it; nothing else
// imports them.
// First: these must be in Node's module cache before kafkajs loads (see each module)
import './kafkajs-grouping.ts'
import './kafkajs-record-decoder.ts'
import kafkajs, { Kafka, Partitioners, logLevel } from 'kafkajs'
import type { KafkaConfig as KafkaJsConfig, logCreator, Message, Producer } from 'kafkajs'
import type { KafkaConfig } from './config.ts'
import { NewswireError } from './errors.ts'
import { quietRequestQueue } from './kafkajs-request-queue.ts'
import type { RequestQueueLike } from './kafkajs-request-queue.ts'
import { kafkajsInternal } from './kafkajs-modules.ts'
import type { Logger } from './log.ts'
import { keyPartition } from './murmur2.ts'
import { FRAME_HEADROOM, withFrameRoom } from './kafkajs-framing.ts'
import { committedEnds } from './committed.ts'
import type { Committed } from './committed.ts'
import { encodeProduceBody } from './produce-request.ts'
import type { ProduceBody, WireRecord } from './produce-request.ts'

export type {
  Admin,
  ConfigEntries,
  Consumer,
  EachBatchPayload,
  IHeaders,
  IResourceConfigEntry,
  ITopicConfig,
  KafkaMessage,
  Message,
  Producer,
  RecordMetadata,
} from 'kafkajs'

// The client class itself, for tools that build their own (the local broker's readiness check,
// the test runner's topic clean-up): through this module, so they get the patches below too.
export { Kafka, logLevel, Partitioners }
// The codes of describeConfigs and alterConfigs (topics.ts), from the default export: Node's
// detection of a CommonJS module's named exports stops before them in kafkajs's index
export const { ConfigResourceTypes, ConfigSource } = kafkajs

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
    // every client made from it (producers, consumers, admin, the DLQ, replay readers) inherits these
    ...(config.ssl && { ssl: config.ssl }),
    ...(config.sasl && { sasl: config.sasl }),
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

/** The partition the Java client (and kafkajs's default partitioner) puts `key` on. */
export const partitionOf = keyPartition

// ---- Produce request encoding ---------------------------------------------------------------------
//
// kafkajs encodes a Produce request through an Encoder per record and per header (each a zero-filled
// 512-byte buffer, grown by copying, copied again at every enclosing level) and a byte-at-a-time
// CRC: more CPU than everything else ingest does per record. Records our transactional writers
// send carry their WireRecord under WIRE; a Produce request made only of such records is encoded
// by produce-request.ts instead, into the same bytes (produce-request.test.ts compares the two on
// random requests, through kafkajs's own request objects, so a kafkajs change that moves what is
// patched here fails that test). Every other request (other producers, the bench's baselines)
// keeps kafkajs's encoder.

const WIRE = Symbol('newswire.wireRecord')
/** Set on a message of ours once a broker acknowledged it (a flag on the object: a WeakSet cost more than the check saves). */
const ACKED = Symbol('newswire.acknowledged')

type WireMessage = Message & { [WIRE]?: WireRecord; [ACKED]?: true }

interface ProduceArgs {
  acks?: number
  timeout?: number
  compression?: number
  transactionalId?: string | null
  producerId?: unknown
  producerEpoch?: number
  topicData: { topic: string; partitions: { partition: number; firstSequence?: number; messages: WireMessage[] }[] }[]
}
interface EncoderLike {
  buf: Buffer
  buffer: Buffer
  offset: number
  size(): number
}
interface ProduceResponse {
  decode: (raw: Buffer) => Promise<unknown>
  parse: (data: unknown) => Promise<unknown>
}
type ProduceFactory = (args: ProduceArgs) => { request: { encode: () => Promise<EncoderLike> }; response: ProduceResponse }
interface ProduceDefinition {
  protocol: (o: { version: number }) => ProduceFactory | undefined
  [WIRE]?: true
}

/** A Long of kafkajs (a BigInt inside), a number or a string, as a bigint. */
function bigintOf(v: unknown, fallback: bigint): bigint {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number' || typeof v === 'string') return BigInt(v)
  if (v !== null && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'bigint') return (v as { value: bigint }).value
  return fallback
}

/** The request as produce-request.ts takes it, or null when any record is not one of ours (or is compressed). */
function wireBody(args: ProduceArgs): ProduceBody | null {
  if ((args.compression ?? 0) !== 0) return null
  const topics: { topic: string; partitions: { partition: number; firstSequence: number; records: WireRecord[] }[] }[] = []
  for (const t of args.topicData) {
    const partitions: { partition: number; firstSequence: number; records: WireRecord[] }[] = []
    for (const p of t.partitions) {
      const records: WireRecord[] = []
      for (const m of p.messages) {
        const r = m[WIRE]
        if (r === undefined) return null
        records.push(r)
      }
      if (records.length === 0) return null
      partitions.push({ partition: p.partition, firstSequence: p.firstSequence ?? 0, records })
    }
    topics.push({ topic: t.topic, partitions })
  }
  return {
    transactionalId: args.transactionalId ?? null,
    acks: args.acks ?? -1,
    timeoutMs: args.timeout ?? 30_000,
    producerId: bigintOf(args.producerId, -1n),
    producerEpoch: args.producerEpoch ?? 0,
    topics,
  }
}

/** kafkajs's Produce request definition (the object its brokers look request versions up in). */
export const produceDefinition = kafkajsInternal('kafkajs/src/protocol/requests/produce') as ProduceDefinition

/** kafkajs's own version lookup, before the patch below: the reference the tests compare with. */
export const kafkajsProduceProtocol: ProduceDefinition['protocol'] = produceDefinition.protocol

let fastEncoded = 0
/** Produce requests encoded by produce-request.ts so far in this process. */
export const fastProduceRequests = (): number => fastEncoded

if (produceDefinition[WIRE] !== true) {
  const original = produceDefinition.protocol
  produceDefinition[WIRE] = true
  produceDefinition.protocol = ({ version }) => {
    const make = original({ version })
    // v3 to v7 share one request layout (record batches, magic 2); older ones differ
    if (make === undefined || version < 3 || version > 7) return make
    return (args) => {
      const built = make(args)
      const body = wireBody(args)
      if (body === null) return built
      const messages = args.topicData.flatMap((t) => t.partitions.flatMap((p) => p.messages))
      built.request.encode = async () => {
        // kafkajs retries a send across brokers by sending again, with new sequence numbers, every
        // partition whose leader has not answered yet: one that had already landed on a broker since
        // gone would be written twice. Refused instead, the send fails and the transaction aborts.
        if (messages.some((m) => m[ACKED] === true)) {
          throw new NewswireError('NEWSWIRE_ERR_KAFKA_RESEND', 'kafkajs would send records again that a broker already acknowledged', {
            retriable: false,
          })
        }
        fastEncoded++
        return withFrameRoom(encodeProduceBody(body, FRAME_HEADROOM))
      }
      const { parse } = built.response
      built.response = {
        ...built.response,
        async parse(data) {
          const parsed = await parse(data)
          // Every partition of this request answered without error (parse throws on any error)
          for (const m of messages) m[ACKED] = true
          return parsed
        },
      }
      return built
    }
  }
}

// ---- Transaction coordinator lookups ----------------------------------------------------------------
//
// kafkajs asks a broker for the transaction coordinator (FindCoordinator) before every
// AddPartitionsToTxn and EndTxn: three of the eight requests of each of our transactions, each a
// round trip on the way to an answer. The Java producer keeps the coordinator until a request to it
// fails; so does this, for transaction coordinators only (consumer groups keep kafkajs's lookup).

export interface CoordinatorBroker {
  nodeId?: number | null
}
export interface CoordinatorCluster {
  findBroker(o: { nodeId: number }): Promise<CoordinatorBroker>
}
export type FindCoordinator = (this: CoordinatorCluster, o: { groupId: string; coordinatorType?: number }) => Promise<CoordinatorBroker>

/** kafkajs's COORDINATOR_TYPES.TRANSACTION (the FindCoordinator key type). */
const TRANSACTION_COORDINATOR = 1

/**
 * `broker`, whose failed calls (an error reply, a lost connection) run `forget` first, but for
 * CONCURRENT_TRANSACTIONS: the coordinator itself says it still completes the previous transaction.
 */
function forgettingOnFailure<B extends object>(broker: B, forget: () => void): B {
  return new Proxy(broker, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target)
      if (typeof v !== 'function') return v
      return (...args: unknown[]) => {
        const r: unknown = v.apply(target, args)
        if (r instanceof Promise) {
          return r.catch((err: unknown) => {
            if (kafkaErrorType(err) !== 'CONCURRENT_TRANSACTIONS') forget()
            throw err
          })
        }
        return r
      }
    },
  })
}

/** kafkajs's coordinator lookup, remembering each cluster's transaction coordinators until a request to one fails. */
export function rememberingTransactionCoordinators(original: FindCoordinator): FindCoordinator {
  const known = new WeakMap<object, Map<string, number>>()
  return async function (this: CoordinatorCluster, o) {
    if (o.coordinatorType !== TRANSACTION_COORDINATOR) return original.call(this, o)
    let ids = known.get(this)
    if (ids === undefined) {
      ids = new Map()
      known.set(this, ids)
    }
    const byId = ids
    const forget = () => byId.delete(o.groupId)
    const nodeId = byId.get(o.groupId)
    let broker: CoordinatorBroker | undefined
    if (nodeId !== undefined) {
      broker = await this.findBroker({ nodeId }).catch(() => {
        forget()
        return undefined
      })
    }
    if (broker === undefined) {
      broker = await original.call(this, o)
      if (typeof broker.nodeId === 'number') byId.set(o.groupId, broker.nodeId)
    }
    return forgettingOnFailure(broker, forget)
  }
}

const clusterClass = kafkajsInternal('kafkajs/src/cluster') as {
  prototype: { findGroupCoordinator: FindCoordinator; [WIRE]?: true }
}
if (clusterClass.prototype[WIRE] !== true) {
  clusterClass.prototype[WIRE] = true
  clusterClass.prototype.findGroupCoordinator = rememberingTransactionCoordinators(clusterClass.prototype.findGroupCoordinator)
}

/** kafkajs's per-connection request queue: no 1 ms timer while nothing waits (kafkajs-request-queue.ts). */
export const requestQueueClass = kafkajsInternal('kafkajs/src/network/requestQueue') as { prototype: RequestQueueLike }
quietRequestQueue(requestQueueClass)

/**
 * A kafkajs message carrying its record for produce-request.ts. A tombstone (null value) carries
 * none: produce-request.ts writes only values, so a request holding one (an erasure: rare) is
 * encoded by kafkajs.
 */
export function wireMessage(r: TxRecord, partition: number): Message {
  const m: WireMessage = { key: r.key, value: r.value, partition, timestamp: String(r.timestamp), headers: r.headers }
  if (r.value !== null) m[WIRE] = r as WireRecord
  return m
}

// ---- Error classification -------------------------------------------------------------------

/** The first value `pick` finds on `err` or on the errors it wraps (kafkajs wraps in `originalError`). */
function inErrorChain<T>(err: unknown, pick: (e: Record<string, unknown>) => T | undefined): T | undefined {
  let e: unknown = err
  for (let i = 0; i < 5 && e !== null && typeof e === 'object'; i++) {
    const found = pick(e as Record<string, unknown>)
    if (found !== undefined) return found
    e = (e as { originalError?: unknown }).originalError ?? (e as { cause?: unknown }).cause
  }
  return undefined
}

/** The Kafka protocol error name (e.g. `INVALID_PRODUCER_EPOCH`) behind `err`, if there is one. */
export function kafkaErrorType(err: unknown): string | undefined {
  return inErrorChain(err, (e) => (typeof e.type === 'string' ? e.type : undefined))
}

/** The Kafka protocol error code of `err` or of the error it wraps (kafkajs's KafkaJSProtocolError.code). */
export function kafkaErrorCode(err: unknown): number | undefined {
  return inErrorChain(err, (e) => (typeof e.code === 'number' ? e.code : undefined))
}

/** Kafka's UNKNOWN_SERVER_ERROR. */
const UNKNOWN_SERVER_ERROR = -1

const FENCED = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_ID_MAPPING',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
])

/** Another producer took this transactional id (zombie fencing): this one can write no more. */
export function isFenced(err: unknown): boolean {
  const t = kafkaErrorType(err)
  return t !== undefined && FENCED.has(t)
}

/**
 * Fenced by, or racing, another writer of the same transactional id: worth opening the writer
 * again (which fences the other one in turn), not a failure to report.
 */
export function isContended(err: unknown): boolean {
  if (err instanceof KafkaTransactionError) return err.contended
  return isFenced(err) || kafkaErrorType(err) === 'CONCURRENT_TRANSACTIONS'
}

export type TransactionStage = 'open' | 'send' | 'commit'

/** A transaction that failed, with where it failed and whether another writer explains it. */
export class KafkaTransactionError extends NewswireError {
  readonly stage: TransactionStage
  readonly contended: boolean
  constructor(stage: TransactionStage, cause: unknown) {
    // A broker answers a fenced EndTxn v0 (what kafkajs sends) with an error code that version
    // cannot carry, which arrives as UNKNOWN_SERVER_ERROR (-1; kafkajs names it 'UNKNOWN', so
    // matched by its code): at commit it means fenced.
    const contended = isContended(cause) || (stage === 'commit' && kafkaErrorCode(cause) === UNKNOWN_SERVER_ERROR)
    const reason = cause instanceof Error ? cause.message : String(cause)
    super('NEWSWIRE_ERR_KAFKA_TRANSACTION', `Kafka transaction failed at ${stage}: ${reason}`, {
      cause,
      retriable: true,
      details: { stage, contended, kafkaError: kafkaErrorType(cause) ?? null },
    })
    this.stage = stage
    this.contended = contended
  }

  /** Only a failed commit can have landed (the broker may complete it); a failed open or send wrote nothing. */
  get mayHaveCommitted(): boolean {
    return this.stage === 'commit'
  }
}

// ---- Transactional writers -------------------------------------------------------------------

/** One record of a transaction. Header values are UTF-8 strings. */
export interface TxRecord {
  key: string
  /** null: a tombstone (an erasure of the key in a compacted topic). */
  value: Buffer | null
  headers: Readonly<Record<string, string>>
  /** Epoch milliseconds. */
  timestamp: number
}

/** The `topic[partition]` of every write with records that no broker answered for. */
export function unansweredPartitions(writes: readonly TxWrite[], answered: readonly { topicName: string; partition: number }[]): string[] {
  const where = (topic: string, partition: number) => `${topic}[${partition}]`
  const got = new Set(answered.map((a) => where(a.topicName, a.partition)))
  return writes
    .filter((w) => w.records.length > 0)
    .map((w) => where(w.topic, w.partition))
    .filter((w) => !got.has(w))
}

/** One entry per topic: kafkajs keeps only the last entry of a topic named twice in a send. */
export function byTopic(writes: readonly TxWrite[]): { topic: string; messages: Message[] }[] {
  const topics = new Map<string, Message[]>()
  for (const w of writes) {
    const messages = topics.get(w.topic) ?? []
    topics.set(w.topic, messages)
    for (const r of w.records) messages.push(wireMessage(r, w.partition))
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }))
}

/** Records for one partition of one topic. */
export interface TxWrite {
  topic: string
  partition: number
  records: readonly TxRecord[]
}

export interface TransactionalWriter {
  /**
   * Writes every record (acks=all) and commits, all or nothing; where each partition's records
   * end. Throws a KafkaTransactionError; after one, close this writer and open a new one.
   */
  commit(writes: readonly TxWrite[]): Promise<readonly Committed[]>
  close(): Promise<void>
}

/**
 * Connects a transactional producer and fences every earlier holder of `transactionalId`: Kafka
 * aborts the old holder's open transaction and refuses its further writes. When this resolves,
 * no other writer can commit under the id until someone opens it again.
 */
export async function openTransactionalWriter(kafka: Kafka, transactionalId: string): Promise<TransactionalWriter> {
  const producer: Producer = kafka.producer({
    transactionalId,
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
    // kafkajs initialises the producer id lazily; an empty transaction forces it, which fences
    // any other holder of this transactional id and aborts its open transaction.
    const txn = await producer.transaction()
    await txn.abort()
  } catch (err) {
    await producer.disconnect().catch(() => {})
    throw new KafkaTransactionError('open', err)
  }
  return {
    async commit(writes) {
      const txn = await producer.transaction().catch((err: unknown) => {
        throw new KafkaTransactionError('send', err)
      })
      let stage: TransactionStage = 'send'
      try {
        // One send for every partition: one AddPartitionsToTxn and, where the partitions share a
        // leader, one Produce request. kafkajs retries a send that spans brokers by sending again
        // what had not been answered, with fresh sequence numbers, even to a partition that had
        // landed on a broker since gone; the protocol patch above refuses such a resend, so the
        // transaction aborts instead of writing a record twice.
        const answered = await txn.sendBatch({ acks: -1, topicMessages: byTopic(writes) })
        // kafkajs's retry can also leave a partition out: it sends again only to brokers with no
        // answer yet, so a partition whose new leader already answered for another partition is
        // never sent, and the send still resolves. Committing then would keep the other topic's
        // record without this one: abort instead.
        const unsent = unansweredPartitions(writes, answered)
        if (unsent.length > 0) {
          throw new NewswireError('NEWSWIRE_ERR_KAFKA_UNSENT', `kafkajs resolved a send without writing ${unsent.join(', ')}`, {
            retriable: false,
          })
        }
        stage = 'commit'
        await txn.commit()
        return committedEnds(writes, answered)
      } catch (err) {
        await txn.abort().catch(() => {})
        throw new KafkaTransactionError(stage, err)
      }
    },
    async close() {
      await producer.disconnect().catch(() => {})
    },
  }
}
