// A Publisher without Kafka for unit tests: plans each job against the state and "commits" at
// once, encoding with the real codec so a value Avro cannot carry still fails its request.
import type { Codec, NewswireEvent } from '@newswire/shared'
import { planView } from '../../src/batch-plan.ts'
import type { Job } from '../../src/batch-plan.ts'
import type { Publisher } from '../../src/publisher.ts'
import type { ArticleState } from '../../src/state.ts'

export interface InProcessPublisher extends Publisher {
  readonly published: NewswireEvent[]
  /**
   * news.articles as written, in order: each event's state (with the Idempotency-Key its record's
   * headers carry, if keyed), and the tombstones of erasures.
   */
  readonly written: ({ event: NewswireEvent; idempotency?: { key: string; requestHash: string; by?: string } } | { tombstone: string })[]
}

/** `beforePlan` runs before each plan: what a partition catch-up could read just then. */
export function inProcessPublisher(state: ArticleState, codec: Codec | null, beforePlan: () => void = () => {}): InProcessPublisher {
  const published: NewswireEvent[] = []
  const written: InProcessPublisher['written'] = []
  return {
    published,
    written,
    partitionOf: () => 0,
    async submit<R>(job: Job<R>) {
      beforePlan()
      // as planBatch reads it: refused where the state could not be read
      const plan = job.plan(state.article(job.articleId), planView(state))
      if (plan.event) {
        codec?.encode(plan.event)
        published.push(plan.event)
        written.push({ event: plan.event, ...(job.idempotency ? { idempotency: job.idempotency } : {}) })
        state.apply(plan.event)
      }
      // as the tail reads the tombstones back after the event's state (on its partition: 0 here)
      for (const key of plan.erase?.keys ?? []) {
        written.push({ tombstone: key })
        state.erase(key, `tombstone-${key}`, 0)
      }
      if (plan.event || plan.erase) job.committed?.(plan.result)
      return plan.result
    },
    drain: async () => {},
    close: async () => {},
  }
}
