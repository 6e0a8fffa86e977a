// A writer fences, on every acquire, every other transactional id that can write its partitions,
// in either mode, after opening its own (writers.ts): of two instances acquiring at once at most
// one stays valid, so two never both commit a version. writers.test.ts holds the plans to that;
// this holds the publisher to using them (stop 42 mutation sweep, gp1: an acquire that fenced
// nothing survived every ingest unit file; only the Kafka tests of two instances reached it).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Kafka } from '@newswire/shared'
import { createPublisher } from '../src/publisher.ts'
import { ArticleState } from '../src/state.ts'
import { WRITER_MODES, writerPlans } from '../src/writers.ts'
import { testLogger } from '../../../test/helpers.ts'
import { encoder, eventOf } from './support/plan-jobs.ts'

/** Enough of kafkajs to open, fence and close writers, logging `open <id>` (fenced) and `close <id>`. */
function fakeKafka(log: string[]): Kafka {
  return {
    producer: ({ transactionalId }: { transactionalId: string }) => ({
      connect: async () => {},
      disconnect: async () => {
        log.push(`close ${transactionalId}`)
      },
      transaction: async () => ({
        abort: async () => {
          log.push(`open ${transactionalId}`)
        },
        commit: async () => {},
        sendBatch: async () => [],
      }),
    }),
  } as unknown as Kafka
}

test('acquiring a writer opens its own id, then fences every other id of either mode that can write its partitions', async () => {
  for (const mode of WRITER_MODES) {
    const log: string[] = []
    const state = new ArticleState()
    state.apply(eventOf('a', 1))
    const publisher = createPublisher({
      kafka: fakeKafka(log),
      topics: { events: 'e', articles: 'a', dlq: 'd' },
      partitions: 3,
      state,
      encoder: encoder(100),
      log: testLogger('publisher'),
      instanceId: 'i',
      transactionalIdPrefix: 'nw',
      writers: mode,
      catchUp: async () => {},
      metrics: { produceSeconds() {}, batchSize() {}, lingered() {}, fenced() {}, events() {} },
    })
    const partition = publisher.partitionOf('a')
    await publisher.submit({ articleId: 'a', idempotency: null, plan: () => ({ event: null, result: 'unchanged' }) }, 5000)
    await publisher.close()
    const own = writerPlans(mode, 'nw', 3).find((w) => w.partitions.includes(partition))
    assert.ok(own)
    // every id of the other mode that can write this partition
    const rivals = WRITER_MODES.flatMap((m) => writerPlans(m, 'nw', 3)).filter((w) => w.id !== own.id && w.partitions.includes(partition))
    assert.ok(rivals.length > 0)
    assert.equal(log[0], `open ${own.id}`, `${mode}: its own id first`)
    for (const r of rivals) {
      assert.ok(log.indexOf(`open ${r.id}`) > 0, `${mode}: ${r.id} fenced (${log.join(', ')})`)
      assert.ok(log.indexOf(`close ${r.id}`) > log.indexOf(`open ${r.id}`), `${mode}: ${r.id} closed after its fence`)
    }
  }
})
