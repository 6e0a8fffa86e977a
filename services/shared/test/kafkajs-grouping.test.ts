// Pins the linear groupMessagesPerPartition against kafkajs's own, and that kafkajs's producer
// really uses it once shared's kafka.ts is loaded.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import fc from 'fast-check'
import '../src/kafka.ts'
import { groupMessagesPerPartition, groupingPath, linearGrouping } from '../src/kafkajs-grouping.ts'

type Group = typeof groupMessagesPerPartition

/** kafkajs's own function, compiled from its file (the module cache holds ours under its name). */
function kafkajsGrouping(): Group {
  const mod: { exports: unknown } = { exports: undefined }
  new Function('module', 'exports', 'require', readFileSync(groupingPath, 'utf8'))(mod, {}, () => {
    throw new Error('groupMessagesPerPartition requires nothing')
  })
  assert.equal(typeof mod.exports, 'function')
  return mod.exports as Group
}

test('kafkajs producers group with the linear function once kafka.ts is loaded', async () => {
  assert.ok(linearGrouping())
  const { createRequire } = await import('node:module')
  const req = createRequire(groupingPath)
  // sendMessages took it at load: the same object it would get requiring it now
  assert.equal(req('./groupMessagesPerPartition'), groupMessagesPerPartition)
  assert.notEqual(kafkajsGrouping(), groupMessagesPerPartition)
})

test('the same groups, in the same order, with the same partitioner calls as kafkajs', () => {
  const theirs = kafkajsGrouping()
  const message = fc.record({ key: fc.string({ maxLength: 4 }), partition: fc.integer({ min: 0, max: 11 }) })
  fc.assert(
    fc.property(
      // a few messages, or a batch's worth (250 articles): arrays of fast-check's default size held
      // at most 10, and groups cut after 9 messages passed (sixth mutation batch, gg2)
      fc.oneof(fc.array(message, { maxLength: 20 }), fc.array(message, { minLength: 100, maxLength: 300 })),
      fc.integer({ min: 0, max: 12 }),
      (messages, partitionCount) => {
        const partitionMetadata = Array.from({ length: partitionCount }, (_, i) => ({ partitionId: i }))
        const run = (group: Group) => {
          const calls: unknown[] = []
          const result = group({
            topic: 't',
            partitionMetadata,
            messages,
            partitioner: ({ topic, message, partitionMetadata: pm }) => {
              calls.push([topic, message, pm.length])
              return message.partition
            },
          })
          return { result, calls, keys: Object.keys(result) }
        }
        const a = run(groupMessagesPerPartition)
        const b = run(theirs)
        assert.deepEqual(a, b)
        for (const [p, ms] of Object.entries(a.result)) {
          for (const [i, m] of ms.entries()) assert.equal(m, b.result[Number(p)]?.[i], 'the same message objects')
        }
      },
    ),
    { numRuns: 300 },
  )
})
