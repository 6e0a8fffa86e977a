import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkAccess, parseClientMessage, ProtocolError } from '../src/protocol.ts'
import type { SubscribeMessage } from '../src/protocol.ts'

const code = (text: string) => {
  try {
    parseClientMessage(text)
  } catch (err) {
    assert.ok(err instanceof ProtocolError)
    return { code: err.code, ref: err.ref, fatal: err.fatal }
  }
  return null
}

test('parses the three client messages', () => {
  const since = '2.opaque-to-the-parser.mac'
  const m = parseClientMessage(
    JSON.stringify({
      type: 'subscribe',
      id: 's1',
      channels: ['breaking', 'category:international'],
      filter: { languages: ['BN'], maxUrgency: 3 },
      since,
    }),
  ) as SubscribeMessage
  assert.equal(m.id, 's1')
  assert.deepEqual(
    m.channels.map((c) => c.name),
    ['breaking', 'category:international'],
  )
  assert.deepEqual(m.filter, { languages: ['bn'], categories: null, maxUrgency: 3, tickerFieldsOnly: false, states: null })
  assert.equal(m.since, since, 'positions are verified by the hub, not parsed here')
  assert.deepEqual(parseClientMessage('{"type":"unsubscribe","id":"s1"}'), { type: 'unsubscribe', id: 's1' })
  assert.deepEqual(parseClientMessage('{"type":"ping"}'), { type: 'ping', id: null })
  const filterOnly = parseClientMessage('{"type":"subscribe","filter":{"categories":["sports"]}}') as SubscribeMessage
  assert.deepEqual(filterOnly.channels, [])
})

test('errors carry stable codes and the message id', () => {
  assert.deepEqual(code('{oops'), { code: 'bad_message', ref: null, fatal: true })
  assert.deepEqual(code('[1]'), { code: 'bad_message', ref: null, fatal: false })
  assert.deepEqual(code('{"type":"jump","id":"j"}'), { code: 'unknown_type', ref: 'j', fatal: false })
  assert.equal(code('{"type":"subscribe","id":"s"}')?.code, 'bad_message')
  assert.equal(code('{"type":"subscribe","id":"s","channels":["nope"]}')?.code, 'bad_channel')
  assert.equal(code('{"type":"subscribe","id":"s","channels":["breaking"],"since":42}')?.code, 'invalid_position')
  assert.equal(code('{"type":"subscribe","id":"s","channels":["breaking"],"since":""}')?.code, 'invalid_position')
  assert.equal(code('{"type":"subscribe","id":"s","filter":{"maxUrgency":12}}')?.code, 'bad_message')
  assert.equal(code('{"type":"subscribe","id":"s","filter":{"colour":"red"}}')?.code, 'bad_message')
  assert.equal(code('{"type":"unsubscribe"}')?.code, 'bad_message')
  assert.equal(code(`{"type":"ping","id":"${'x'.repeat(65)}"}`)?.code, 'bad_message')
})

test('only the newsroom may subscribe to all', () => {
  const m = parseClientMessage('{"type":"subscribe","id":"s","channels":["all"]}') as SubscribeMessage
  assert.throws(
    () => checkAccess(m, 'public'),
    (err: unknown) => err instanceof ProtocolError && err.code === 'forbidden_channel' && err.ref === 's',
  )
  assert.doesNotThrow(() => checkAccess(m, 'newsroom'))
})
