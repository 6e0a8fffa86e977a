// The bench's reading of Centrifugo's client protocol, on frames as Centrifugo v6.9.1 sent them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { classifyLine, connectFrame, eachLine, publishCommand } from './centrifugo-protocol.ts'

const b = (s: string) => Buffer.from(s)

test('replies, pushes and pings are told apart by their first bytes', () => {
  assert.equal(classifyLine(b('{}')), 'ping')
  assert.equal(classifyLine(b('{"id":1,"connect":{"client":"8cde7cdb","version":"0.0.0 OSS","ping":25,"pong":true}}')), 'connected')
  assert.equal(classifyLine(b('{"id":2,"subscribe":{}}')), 'subscribed')
  assert.equal(classifyLine(b('{"id":12,"subscribe":{"recoverable":true}}')), 'subscribed')
  assert.equal(classifyLine(b('{"id":2,"error":{"code":103,"message":"permission denied"}}')), 'error')
  assert.equal(classifyLine(b('{"push":{"channel":"breaking","pub":{"data":{"id":"nwb-m-0-1"}}}}')), 'push')
  // a reply's kind is the key after the id, not a word inside a push's data
  assert.equal(classifyLine(b('{"push":{"channel":"breaking","pub":{"data":{"error":"subscribe"}}}}')), 'push')
  for (const s of ['', '{', '{"id":', '{"id":2', '{"id":x,"subscribe":{}}', '{"id":2,"unsubscribe":{}}', '{ }', '{}x'])
    assert.equal(classifyLine(b(s)), 'other', s)
})

test('a frame of several messages is split at line feeds, with no empty lines', () => {
  const frame = b('{"push":{"pub":{"data":{"t":"বাংলা"}}}}\n{}\n{"push":{"pub":{"data":2}}}')
  const lines: string[] = []
  eachLine(frame, (l) => lines.push(l.toString()))
  assert.deepEqual(lines, ['{"push":{"pub":{"data":{"t":"বাংলা"}}}}', '{}', '{"push":{"pub":{"data":2}}}'])
  const one: Buffer[] = []
  eachLine(frame.subarray(0, 10), (l) => one.push(l))
  assert.equal(one.length, 1)
  assert.equal(one[0]?.byteOffset, frame.byteOffset, 'a single message is passed on without a copy')
  const none: string[] = []
  eachLine(b('\n\n'), (l) => none.push(l.toString()))
  assert.deepEqual(none, [])
})

test('the commands are JSON Centrifugo reads: connect, subscribe per channel, publish with raw data', () => {
  const lines = connectFrame(['breaking', 'lang:"bn"'])
    .split('\n')
    .map((l) => JSON.parse(l) as unknown)
  assert.deepEqual(lines, [
    { id: 1, connect: {} },
    { id: 2, subscribe: { channel: 'breaking' } },
    { id: 3, subscribe: { channel: 'lang:"bn"' } },
  ])
  const data = '{"id":"nwb-m-0-1","headline":"বাংলা"}'
  assert.deepEqual(JSON.parse(publishCommand('breaking', data)), {
    method: 'publish',
    payload: { channel: 'breaking', data: { id: 'nwb-m-0-1', headline: 'বাংলা' } },
  })
})
