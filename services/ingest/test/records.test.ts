// What ingest writes to Kafka for one event (records.ts): the record in news.article-events and
// the state in news.articles, their keys and headers, a tombstone, and a record's size. Only
// Kafka tests read the headers back (the in-process publisher writes no records): the seventh
// mutation batch's record mutants that passed every unit file are killed here.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  AVRO_CONTENT_TYPE,
  EARLIER_STATUSES_HEADER,
  EARLIER_VIEWS_HEADER,
  encodeEarlierStatuses,
  encodeEarlierViews,
} from '@newswire/shared'
import type { EarlierStatuses, EarlierViews } from '@newswire/shared'
import { eventRecords, recordBytes, tombstoneRecord, tooLarge } from '../src/records.ts'
import { T0 } from './support/article-input.ts'
import { entryEventOf, eventOf } from './support/plan-jobs.ts'

const source = { fingerprintHex: 'ab12', instanceId: 'ingest-1' }
const value = Buffer.from('avro')
const views: EarlierViews = { views: [], complete: false }
const statuses: EarlierStatuses = { usableLeftMs: 5, withheldLeftMs: null, complete: true }

test("an article's records: keyed by the article, the request's key and hash on both, the earlier views on the state only", () => {
  const event = eventOf('a-1', 2, T0 + 5)
  const { event: e, state: s } = eventRecords(source, event, { key: 'cms:k1', requestHash: 'h1' }, value, views)
  assert.deepEqual(e, {
    key: 'a-1',
    value,
    timestamp: T0 + 5,
    headers: {
      'event-type': 'UPDATED',
      'schema-fingerprint': 'ab12',
      'trace-id': 't',
      'content-type': AVRO_CONTENT_TYPE,
      writer: 'ingest-1',
      'idempotency-key': 'cms:k1',
      'request-hash': 'h1',
    },
  })
  assert.deepEqual(s, { ...e, headers: { ...e.headers, [EARLIER_VIEWS_HEADER]: encodeEarlierViews(views) } })

  // a first version carries no earlier views; an unkeyed request no key or hash
  const first = eventRecords(source, eventOf('a-2', 1, T0), null, value, null)
  assert.deepEqual(first.state, first.event)
  assert.equal(first.event.key, 'a-2')
  assert.ok(!('idempotency-key' in first.event.headers) && !('request-hash' in first.event.headers))
})

test("an entry's records: the event keyed by its story, its state by the entry, entry-id on both, earlier statuses on the state", () => {
  const event = entryEventOf('s-1', 'e-1', 2, T0 + 7)
  const { event: e, state: s } = eventRecords(source, event, null, value, statuses)
  assert.equal(e.key, 's-1', "the story's partition and order")
  assert.equal(s.key, 's-1/entries/e-1', 'its own key, so compaction keeps it beside the story')
  assert.equal(e.headers['entry-id'], 'e-1')
  assert.equal(s.headers['entry-id'], 'e-1')
  assert.equal(s.headers[EARLIER_STATUSES_HEADER], encodeEarlierStatuses(statuses))
  assert.ok(!(EARLIER_VIEWS_HEADER in s.headers) && !(EARLIER_STATUSES_HEADER in e.headers))
})

test('a tombstone has no value; a size counts the value, the key and every header; a 413 says what may be written', () => {
  const t = tombstoneRecord(source, 's-1/entries/e-1', 'trace', T0)
  assert.deepEqual(t, { key: 's-1/entries/e-1', value: null, timestamp: T0, headers: { 'trace-id': 'trace', writer: 'ingest-1' } })

  const base = { key: 'k', value: Buffer.alloc(10), timestamp: 0, headers: { h: 'v' } }
  const n = recordBytes(base)
  assert.equal(recordBytes({ ...base, value: Buffer.alloc(1010) }), n + 1000)
  assert.equal(recordBytes({ ...base, key: `k${'é'.repeat(10)}` }), n + 20, 'key bytes, UTF-8')
  assert.equal(recordBytes({ ...base, headers: { h: `v${'x'.repeat(50)}` } }), n + 50)
  assert.equal(recordBytes({ ...base, headers: { [`h${'x'.repeat(50)}`]: 'v' } }), n + 50)

  assert.equal(tooLarge(2000, 1000, 100).problem.maxBytes, 900, 'what the write may take, its kill room left')
  assert.equal(tooLarge(2000, 1000).problem.maxBytes, 1000)
  assert.equal(tooLarge(2000, 1000).problem.status, 413)
})
