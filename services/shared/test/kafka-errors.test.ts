import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { isContended, isFenced, KafkaTransactionError, kafkaErrorCode, kafkaErrorType } from '../src/kafka.ts'

// kafkajs's own protocol error for a code, as its broker code throws it (so a renamed type shows here)
const require = createRequire(import.meta.url)
const { KafkaJSProtocolError } = require('kafkajs/src/errors') as { KafkaJSProtocolError: new (e: unknown) => Error }
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode: (code: number) => unknown }
const kafkajsError = (code: number): Error => new KafkaJSProtocolError(createErrorFromCode(code))

// Shaped like kafkajs's errors: KafkaJSProtocolError carries the protocol error name in `type`;
// KafkaJSNumberOfRetriesExceeded wraps the last one in `originalError`
const protocolError = (type: string, code: number) =>
  Object.assign(new Error(`protocol error ${type}`), { name: 'KafkaJSProtocolError', type, code })
const retriesExceeded = (inner: Error) => Object.assign(new Error('retries exceeded'), { originalError: inner })

test('fencing and racing writers are contention; a fenced EndTxn reported as UNKNOWN_SERVER_ERROR (-1) too, at commit only', () => {
  for (const type of ['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING']) {
    assert.ok(isFenced(protocolError(type, 47)), type)
    assert.ok(isContended(protocolError(type, 47)), type)
    assert.ok(new KafkaTransactionError('send', protocolError(type, 47)).contended, type)
  }
  const racing = retriesExceeded(protocolError('CONCURRENT_TRANSACTIONS', 51))
  assert.equal(kafkaErrorType(racing), 'CONCURRENT_TRANSACTIONS')
  assert.ok(!isFenced(racing))
  assert.ok(isContended(racing))

  // kafkajs names -1 'UNKNOWN', not Kafka's UNKNOWN_SERVER_ERROR: it is recognised by its code
  const unknown = retriesExceeded(kafkajsError(-1))
  assert.equal(kafkaErrorCode(unknown), -1)
  assert.ok(!isContended(unknown), 'on its own, -1 is not contention')
  const atCommit = new KafkaTransactionError('commit', unknown)
  assert.ok(atCommit.contended, 'a -1 answer to EndTxn is how kafkajs reports a fenced commit')
  assert.ok(isContended(atCommit))
  assert.ok(atCommit.mayHaveCommitted)
  assert.ok(!new KafkaTransactionError('send', unknown).contended)
})

test('broker outages are not contention, and only a failed commit may have landed', () => {
  const down = Object.assign(new Error('Connection error: ECONNREFUSED'), { name: 'KafkaJSConnectionError' })
  for (const stage of ['open', 'send', 'commit'] as const) {
    const e = new KafkaTransactionError(stage, retriesExceeded(down))
    assert.equal(e.contended, false, stage)
    assert.equal(e.mayHaveCommitted, stage === 'commit', stage)
    assert.equal(e.code, 'NEWSWIRE_ERR_KAFKA_TRANSACTION')
    assert.match(e.message, new RegExp(`at ${stage}: retries exceeded`))
  }
  assert.equal(kafkaErrorType(null), undefined)
  assert.equal(kafkaErrorType('text'), undefined)
})
