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

// Seventh mutation batch (the lead, fan-out parser): fp3 (an empty filter list taken), fp9
// (states kept as sent, duplicates and order: one view in two spellings), fp10 (no bound on the
// channel count), fp12 (`entries` without a story: channel taken), fp13 (no bound on `entries`),
// fp14 (no bound on a position's length), fp15 (any catchUp string taken as latest), fp19 (a
// refused id echoed as an error's ref) passed every fan-out unit file
test('the bounds and the canonical form of a subscribe', () => {
  const sub = (m: Record<string, unknown>) => JSON.stringify({ type: 'subscribe', id: 's', ...m })
  for (const field of ['languages', 'categories', 'states'])
    assert.equal(code(sub({ filter: { [field]: [] } }))?.code, 'bad_message', `an empty ${field} list`)
  const states = parseClientMessage(sub({ filter: { states: ['withheld', 'live', 'withheld', 'embargoed'] } })) as SubscribeMessage
  assert.deepEqual(states.filter.states, ['live', 'embargoed', 'withheld'])
  const fifty = Array.from({ length: 50 }, (_, i) => `category:c${i}`)
  assert.equal((parseClientMessage(sub({ channels: fifty })) as SubscribeMessage).channels.length, 50)
  assert.equal(code(sub({ channels: [...fifty, 'breaking'] }))?.code, 'bad_message', '51 channels')
  assert.equal(code(sub({ channels: ['breaking'], entries: 5 }))?.code, 'bad_message', 'entries without a story')
  assert.equal((parseClientMessage(sub({ channels: ['story:a'], entries: 100 })) as SubscribeMessage).entries, 100)
  assert.equal(code(sub({ channels: ['story:a'], entries: 101 }))?.code, 'bad_message', 'a snapshot of 101 entries')
  assert.equal((parseClientMessage(sub({ channels: ['breaking'], since: 'p'.repeat(16_384) })) as SubscribeMessage).since?.length, 16_384)
  assert.equal(code(sub({ channels: ['breaking'], since: 'p'.repeat(16_385) }))?.code, 'invalid_position')
  for (const [catchUp, want] of [
    [undefined, 'all'],
    ['all', 'all'],
    ['latest', 'latest'],
  ] as const)
    assert.equal((parseClientMessage(sub({ channels: ['breaking'], catchUp })) as SubscribeMessage).catchUp, want)
  assert.equal(code(sub({ channels: ['breaking'], catchUp: 'newest' }))?.code, 'bad_message', 'catchUp: newest')
  // an id the protocol refuses is not echoed back as the error's ref (fp19)
  assert.deepEqual(code(JSON.stringify({ type: 'jump', id: 'x'.repeat(65) })), { code: 'unknown_type', ref: null, fatal: false })
})
