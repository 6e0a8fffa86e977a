// The real publisher over a fake Kafka whose commit markers on news.article-events can be held
// back (`gate.open` false): a commit's answer then waits in eventsStable, as it does when the
// events' leader is slow to write them (red17, red18b tests).
import type { Committed, TransactionalWriter } from '@newswire/shared'
import type { Remembered } from '../../src/outcome.ts'
import { createPublisher } from '../../src/publisher.ts'
import { createWriteServices } from '../../src/services.ts'
import { ArticleState, IdempotencyCache } from '../../src/state.ts'
import { noMetrics, overFakeKafka } from './fake-producer.ts'

export function stableGateHarness(publishTimeoutMs = 5_000) {
  const state = new ArticleState()
  let offset = 0
  const gate = { open: true, waiting: [] as (() => void)[] }
  /** The ends each commit was waited on for, and the acknowledgements given unseen. */
  const asked: Committed[][] = []
  const unseen: string[] = []
  const publisher = createPublisher({
    ...overFakeKafka(state),
    metrics: { ...noMetrics, unseen: (wait) => unseen.push(wait) },
    wrapWriter: (w): TransactionalWriter => ({
      async commit(writes) {
        return writes.map((x): Committed => {
          offset += x.records.length
          return { topic: x.topic, partition: x.partition, next: BigInt(offset) }
        })
      },
      close: () => w.close(),
    }),
    // the tail reads each commit back from news.articles at once
    readBack: (events) => {
      for (const e of events) state.apply(e)
      return { done: Promise.resolve(), cancel: () => {} }
    },
    eventsStable: (ends, maxMs) => {
      asked.push([...ends])
      if (gate.open) return Promise.resolve(true)
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), maxMs)
        gate.waiting.push(() => {
          clearTimeout(timer)
          resolve(true)
        })
      })
    },
  })
  const services = createWriteServices({
    publisher,
    idempotency: new IdempotencyCache<Remembered>(60_000),
    publishTimeoutMs,
    onUnchanged: () => {},
  })
  /** The markers held back are written: every commit waiting is stable. */
  const open = () => {
    gate.open = true
    for (const go of gate.waiting.splice(0)) go()
  }
  return { publisher, ...services, gate, open, asked, unseen }
}

export type StableGateHarness = ReturnType<typeof stableGateHarness>

/** Whether `write`, sent while the markers are held back, was answered within `ms`. */
export async function answeredWithin(write: Promise<unknown>, ms = 100): Promise<boolean> {
  let answered = false
  void write.then(
    () => (answered = true),
    () => (answered = true),
  )
  await new Promise((r) => setTimeout(r, ms))
  return answered
}
