// The fan-out's handling of undecodable records (poison.ts): each is counted by a bounded reason
// and copied to the dead-letter topic, except one whose key was erased (read at start): its bytes
// are the erased text, and a copy would keep it for the DLQ's retention anew (red13b attack run).
// Mutation sweep, fourth batch (pz1): copying erased records too survived every fan-out unit
// file; only a Kafka test (red13b-dlq-erasure) went through it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLogger, NewswireError } from '@newswire/shared'
import type { DeadLetterQueue, PoisonRecord } from '@newswire/shared'
import { createPoisonHandler } from '../src/poison.ts'

const record = (key: string, offset: number): PoisonRecord => ({
  topic: 'news.article-events',
  partition: 0,
  offset: String(offset),
  key: Buffer.from(key),
  value: Buffer.from('not avro'),
})

test('an undecodable record is counted and copied to the DLQ, unless its key was erased', async () => {
  const copied: string[] = []
  const dlq: DeadLetterQueue = {
    send: async (r) => {
      copied.push(`${r.key?.toString()}@${r.offset}`)
    },
    close: async () => {},
  }
  const counted: string[] = []
  const handler = createPoisonHandler({
    dlq,
    log: createLogger('poison-test', 'silent'),
    counted: (reason) => counted.push(reason),
    deadLettered: () => {},
  })
  handler.handle(record('kept', 1), new NewswireError('NEWSWIRE_ERR_CODEC_MAGIC', 'not avro'))
  handler.handle(record('erased', 2), new NewswireError('NEWSWIRE_ERR_CODEC_MAGIC', 'not avro'), true)
  await handler.close()
  assert.deepEqual(copied, ['kept@1'], 'the erased record is not copied')
  assert.deepEqual(counted, ['not_avro', 'not_avro'], 'both are counted')
})
