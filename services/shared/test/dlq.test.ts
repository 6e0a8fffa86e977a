import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deadLetterHeaders } from '../src/dlq.ts'

test('dead-letter headers keep the original headers and say where the record came from and why', () => {
  const h = deadLetterHeaders(
    {
      topic: 'news.article-events',
      partition: 2,
      offset: '41',
      key: Buffer.from('a-1'),
      value: Buffer.from([0, 1]),
      headers: { 'trace-id': 'abc' },
    },
    'not_avro',
    'x'.repeat(2000),
    Date.parse('2026-11-26T10:00:00Z'),
  )
  assert.equal(h['trace-id'], 'abc')
  assert.equal(h['dlq-reason'], 'not_avro')
  assert.equal(h['dlq-source-topic'], 'news.article-events')
  assert.equal(h['dlq-source-partition'], '2')
  assert.equal(h['dlq-source-offset'], '41')
  assert.equal(h['dlq-at'], '2026-11-26T10:00:00.000Z')
  assert.equal(String(h['dlq-detail']).length, 1000)
})
