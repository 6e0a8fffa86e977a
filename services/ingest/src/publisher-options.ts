// What the publisher (publisher.ts) is built from: its Kafka, topics, state and encoder, how it
// learns a commit is readable (read back, stable in news.article-events), and the metrics it reports.
import type { Committed, Kafka, Logger, NewswireEvent, TopicNames, TransactionalWriter } from '@newswire/shared'
import type { Encoder } from './batch-plan.ts'
import type { ArticleState } from './state.ts'
import type { WriterMode } from './writers.ts'

export interface PublisherMetrics {
  produceSeconds: (seconds: number) => void
  batchSize: (n: number) => void
  /** A transaction waited this long for more requests to join it. */
  lingered: (seconds: number) => void
  fenced: () => void
  events: (type: string, n: number) => void
  /** Tombstones committed to news.articles (erasures). */
  tombstones?: (n: number) => void
  /** A commit acknowledged before it was seen readable: not read back, or not stable in news.article-events, within 2 s. */
  unseen?: (wait: 'read_back' | 'events_stable') => void
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
  /** One writer per partition (the default) or one for all: writers.ts. */
  writers?: WriterMode
  /** Waits until the articles tail has read these partitions up to their ends (rejects after timeoutMs). */
  catchUp: (partitions: readonly number[], timeoutMs: number) => Promise<void>
  metrics: PublisherMetrics
  maxBatch?: number
  /** Bytes of records one transaction writes to one partition (below Kafka's message.max.bytes). */
  maxTransactionBytes?: number
  /**
   * Resolves once this instance's tail has read the events back (read-back.ts): a commit is
   * acknowledged only when it is visible to every reader. Absent: acknowledged at commit.
   */
  readBack?: (events: readonly NewswireEvent[]) => { done: Promise<void>; cancel: () => void }
  /**
   * Resolves true once news.article-events' last stable offsets pass these ends, false after
   * `maxMs` (stable-offsets.ts): read back from news.articles, a commit may not be readable there
   * yet. Absent: not waited for.
   */
  eventsStable?: (ends: readonly Committed[], maxMs: number) => Promise<boolean>
  /** How long a busy writer's transaction waits for more requests to join it (linger.ts). Default 0. */
  lingerMs?: number
  /** Seam for fault-injection tests: wraps every transactional writer this publisher opens. */
  wrapWriter?: (writer: TransactionalWriter) => TransactionalWriter
}
