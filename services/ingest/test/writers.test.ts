// writers.ts: whatever modes two instances run, every writer that can write a partition fences
// every other writer that can, and each mode covers every partition exactly once. fenceAll skips
// only the ids the cluster's ACL denies us.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { KafkaTransactionError } from '@newswire/shared'
import { fenceAll, WRITER_MODES, writerPlans } from '../src/writers.ts'

const mode = fc.constantFrom(...WRITER_MODES)

test('each mode gives every partition exactly one writer', () => {
  fc.assert(
    fc.property(mode, fc.integer({ min: 1, max: 64 }), (m, n) => {
      const covered = writerPlans(m, 'x', n).flatMap((w) => w.partitions)
      assert.deepEqual(
        covered.toSorted((a, b) => a - b),
        Array.from({ length: n }, (_, p) => p),
      )
    }),
  )
})

test('two writers that share a partition, in any two modes, each fence the other', () => {
  fc.assert(
    fc.property(mode, mode, fc.integer({ min: 1, max: 16 }), (a, b, n) => {
      for (const x of writerPlans(a, 'nw', n)) {
        for (const y of writerPlans(b, 'nw', n)) {
          if (x.id === y.id || !x.partitions.some((p) => y.partitions.includes(p))) continue
          assert.ok(x.fences.includes(y.id), `${x.id} (${a}) does not fence ${y.id} (${b})`)
          assert.ok(y.fences.includes(x.id), `${y.id} (${b}) does not fence ${x.id} (${a})`)
        }
      }
    }),
  )
})

test('per-partition writers keep the ids of earlier releases, so a rolling upgrade stays fenced', () => {
  assert.deepEqual(
    writerPlans('partition', 'newswire-ingest', 3).map((w) => w.id),
    ['newswire-ingest-p0', 'newswire-ingest-p1', 'newswire-ingest-p2'],
  )
})

/** kafkajs's protocol error as openTransactionalWriter rethrows it. */
const kafkaError = (type: string) => new KafkaTransactionError('open', Object.assign(new Error(type), { type }))

test('fenceAll opens and closes every id, and skips only those the ACL denies', async () => {
  const closed: string[] = []
  const open = async (id: string) => {
    if (id.endsWith('-all')) throw kafkaError('TRANSACTIONAL_ID_AUTHORIZATION_FAILED')
    return { close: async () => void closed.push(id) }
  }
  assert.deepEqual(await fenceAll(open, ['x-p0', 'x-all', 'x-p1']), ['x-all'])
  assert.deepEqual(closed.toSorted(), ['x-p0', 'x-p1'])
})

test('fenceAll fails on any other error: an id it could not fence is not safe to skip', async () => {
  for (const err of [kafkaError('CONCURRENT_TRANSACTIONS'), kafkaError('PRODUCER_FENCED'), new Error('connection refused')]) {
    const open = async (id: string) => {
      if (id === 'x-all') throw err
      return { close: async () => {} }
    }
    await assert.rejects(fenceAll(open, ['x-p0', 'x-all']), err)
  }
})
