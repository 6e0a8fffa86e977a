import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { createPartitioner } from '../src/kafka.ts'
import { keyPartition, murmur2 } from '../src/murmur2.ts'

// kafkajs's default partitioner (the Java client's placement), as producers that do not name a partition use it
function kafkajsPartition(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
    offlineReplicas: [],
  }))
  return createPartitioner()({ topic: 't', partitionMetadata, message: { key, value: null } })
}

test('a key lands on the partition kafkajs (and the Java client) would put it on', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.uuid()),
      fc.integer({ min: 1, max: 128 }),
      (key, partitions) => assert.equal(keyPartition(key, partitions), kafkajsPartition(key, partitions)),
    ),
    { numRuns: 2000 },
  )
})

test('murmur2 of the Java client test vectors', () => {
  // org.apache.kafka.common.utils.UtilsTest#testMurmur2
  const cases: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ]
  for (const [key, hash] of cases) assert.equal(murmur2(Buffer.from(key)), hash, key)
})
