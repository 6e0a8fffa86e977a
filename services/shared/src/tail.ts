// Reads every partition of one topic independently (kafkajs has no manual assignment, so we use
// a consumer group of our own that never commits), from the beginning or from given offsets,
// and knows exactly how far it has read, transaction markers included.
import type { Consumer, Kafka, KafkaMessage } from './kafka.ts'
import type { Logger } from './log.ts'
import { retrying } from './retry.ts'
import { settlesWithin } from './timers.ts'

export interface TailBatch {
  partition: number
  messages: KafkaMessage[]
  highWatermark: string
}

export interface TailOptions {
  kafka: Kafka
  topic: string
  /** Unique per process: nothing is committed, the group only exists to get partitions. */
  groupId: string
  log: Logger
  /** Start offsets per partition; partitions not listed start from the beginning. */
  from?: Map<number, string>
  onBatch: (batch: TailBatch) => Promise<void> | void
  /** Called when the consumer crashed for good; the owner decides (usually: exit). */
  onFatal: (err: unknown) => void
  maxBytesPerPartition?: number
}

export interface Tail {
  start(): Promise<void>
  /** Next offset to read per partition (last read offset + 1). */
  positions(): Map<number, bigint>
  /** Resolves when partition `p` has been read up to `offset` (exclusive). */
  waitFor(partition: number, offset: bigint, timeoutMs: number): Promise<void>
  /** Resolves when every partition is read up to its end as of this call. */
  catchUp(timeoutMs: number): Promise<void>
  close(): Promise<void>
}

export function createTail(options: TailOptions): Tail {
  const { kafka, topic, log } = options
  const positions = new Map<number, bigint>()
  const waiters = new Set<{ partition: number; offset: bigint; resolve: () => void }>()
  let consumer: Consumer | null = null
  let closed = false

  const advance = (partition: number, next: bigint): void => {
    if ((positions.get(partition) ?? -1n) >= next) return
    positions.set(partition, next)
    for (const w of waiters) {
      if (w.partition === partition && next >= w.offset) {
        waiters.delete(w)
        w.resolve()
      }
    }
  }

  const waitFor = (partition: number, offset: bigint, timeoutMs: number): Promise<void> => {
    if (offset <= 0n || (positions.get(partition) ?? 0n) >= offset) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const waiter = {
        partition,
        offset,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      }
      const timer = setTimeout(() => {
        waiters.delete(waiter)
        reject(new Error(`${topic}[${partition}] not read up to ${offset} within ${timeoutMs} ms`))
      }, timeoutMs)
      waiters.add(waiter)
    })
  }

  return {
    async start() {
      if (closed) return
      const c = kafka.consumer({
        groupId: options.groupId,
        sessionTimeout: 30_000,
        heartbeatInterval: 3000,
        maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
        maxBytes: 8 * 1024 * 1024,
        maxWaitTimeInMs: 250,
        readUncommitted: false,
        retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5000 },
      })
      consumer = c
      // END_BATCH_PROCESS also fires for batches holding only transaction markers, which is
      // what lets positions reach the last stable offset.
      c.on(c.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.topic === topic && payload.lastOffset !== null && payload.lastOffset !== undefined) {
          advance(payload.partition, BigInt(payload.lastOffset) + 1n)
        }
      })
      c.on(c.events.CRASH, ({ payload }) => {
        if (!payload.restart && !closed) options.onFatal(payload.error)
      })
      // Closed while starting (the fan-out's replay reader left at once): gone no further, the
      // consumer would run on with nobody to stop it, one more for every such reader
      const abandoned = async (): Promise<boolean> => {
        if (!closed) return false
        await settlesWithin(c.disconnect(), 10_000)
        return true
      }
      await c.connect()
      if (await abandoned()) return
      await c.subscribe({ topic, fromBeginning: true })
      if (await abandoned()) return
      await c.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 1,
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch, heartbeat }) => {
          await options.onBatch({ partition: batch.partition, messages: batch.messages, highWatermark: batch.highWatermark })
          await heartbeat()
        },
      })
      if (await abandoned()) return
      for (const [partition, offset] of options.from ?? []) c.seek({ topic, partition, offset })
      log.debug({ topic, groupId: options.groupId }, 'tail started')
    },
    positions: () => new Map(positions),
    waitFor,
    async catchUp(timeoutMs) {
      const admin = kafka.admin()
      await admin.connect()
      try {
        const ends = await retrying(() => admin.fetchTopicOffsets(topic))
        await Promise.all(ends.map((e) => waitFor(e.partition, BigInt(e.offset), timeoutMs)))
      } finally {
        await admin.disconnect()
      }
    },
    async close() {
      closed = true
      const c = consumer
      consumer = null
      // kafkajs' disconnect can wait forever while the consumer is restarting against a broker
      // that is gone; the process deadline (SHUTDOWN_TIMEOUT_MS) is the backstop, this keeps
      // close() itself bounded.
      if (c && !(await settlesWithin(c.disconnect(), 10_000)))
        log.warn({ topic }, 'tail consumer did not disconnect within 10 s; leaving it')
    },
  }
}
