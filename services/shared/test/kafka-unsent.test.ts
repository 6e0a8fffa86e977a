// unansweredPartitions: the writes of a transaction that kafkajs's send resolved without writing
// (its retry skips a partition whose new leader already answered for another partition). The
// transactional writer aborts on any; broker-failover.kafka.test.ts met the case for real.
// byTopic: one entry per topic in a send, since kafkajs keeps only the last entry of a topic.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { byTopic, unansweredPartitions } from '../src/kafka.ts'
import type { TxWrite } from '../src/kafka.ts'

const rec = { key: 'k', value: Buffer.from('v'), headers: {}, timestamp: 0 }

test('exactly the written partitions with no answer, whatever else was answered', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.record({ topic: fc.constantFrom('news.article-events', 'news.articles'), partition: fc.nat(5) }), {
        selector: (w) => `${w.topic}[${w.partition}]`,
        maxLength: 6,
      }),
      fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
      fc.array(fc.record({ topicName: fc.constantFrom('news.article-events', 'news.articles', 'other'), partition: fc.nat(5) }), {
        maxLength: 4,
      }),
      (targets, answeredFlags, extra) => {
        const writes: TxWrite[] = targets.map((t) => ({ ...t, records: [rec] }))
        const answered = [
          ...writes.filter((_, i) => answeredFlags[i]).map((w) => ({ topicName: w.topic, partition: w.partition })),
          ...extra.filter((e) => !writes.some((w) => w.topic === e.topicName && w.partition === e.partition)),
        ]
        const expected = writes.filter((_, i) => !answeredFlags[i]).map((w) => `${w.topic}[${w.partition}]`)
        assert.deepEqual(unansweredPartitions(writes, answered), expected)
      },
    ),
  )
})

test('the case from the failover: the articles partition answered, the events partition left out', () => {
  const writes: TxWrite[] = [
    { topic: 'news.article-events', partition: 0, records: [rec] },
    { topic: 'news.articles', partition: 0, records: [rec] },
  ]
  assert.deepEqual(unansweredPartitions(writes, [{ topicName: 'news.articles', partition: 0 }]), ['news.article-events[0]'])
  assert.deepEqual(
    unansweredPartitions(writes, [
      { topicName: 'news.articles', partition: 0 },
      { topicName: 'news.article-events', partition: 0 },
    ]),
    [],
  )
  // a write with no records is not a partition kafkajs had to send
  assert.deepEqual(unansweredPartitions([{ topic: 'news.articles', partition: 1, records: [] }], []), [])
})

test('byTopic: every record once, under its topic, with its partition, in order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ topic: fc.constantFrom('a', 'b', 'c'), partition: fc.nat(5), n: fc.nat(3) }), { maxLength: 8 }),
      (targets) => {
        const writes: TxWrite[] = targets.map((t, i) => ({
          topic: t.topic,
          partition: t.partition,
          records: Array.from({ length: t.n }, (_, j) => ({ ...rec, key: `${i}.${j}` })),
        }))
        const sent = byTopic(writes)
        assert.equal(new Set(sent.map((s) => s.topic)).size, sent.length)
        const flat = (topic: string) => writes.filter((w) => w.topic === topic).flatMap((w) => w.records.map((r) => [r.key, w.partition]))
        for (const { topic, messages } of sent) {
          assert.deepEqual(
            messages.map((m) => [m.key, m.partition]),
            flat(topic),
          )
        }
        assert.deepEqual(sent.map((s) => s.topic).toSorted(), [...new Set(writes.map((w) => w.topic))].toSorted())
      },
    ),
  )
})
