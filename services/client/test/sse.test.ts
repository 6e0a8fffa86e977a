import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type SseMessage, SseParser } from '../src/index.ts'

function parse(chunks: string[]) {
  const messages: SseMessage[] = []
  const retries: number[] = []
  const comments: string[] = []
  const p = new SseParser({ message: (m) => messages.push(m), retry: (ms) => retries.push(ms), comment: (c) => comments.push(c) })
  for (const c of chunks) p.push(c)
  return { messages, retries, comments, lastEventId: p.lastEventId }
}

const stream = '\uFEFFretry: 1500\n: hello\n\nid: 1.abc\nevent: event\ndata: {"a":1}\n\nid: 1.def\ndata: line one\ndata: line two\n\n'

describe('SseParser', () => {
  test('fields, multi-line data, retry, comments, BOM', () => {
    const r = parse([stream])
    assert.deepEqual(r.messages, [
      { event: 'event', data: '{"a":1}', id: '1.abc' },
      { event: 'message', data: 'line one\nline two', id: '1.def' },
    ])
    assert.deepEqual(r.retries, [1500])
    assert.deepEqual(r.comments, ['hello'])
    assert.equal(r.lastEventId, '1.def')
  })

  test('the same result however the stream is split into chunks', () => {
    const whole = parse([stream]).messages
    for (let i = 0; i <= stream.length; i++) {
      assert.deepEqual(parse([stream.slice(0, i), stream.slice(i)]).messages, whole, `split at ${i}`)
    }
    assert.deepEqual(parse([...stream]).messages, whole, 'one character at a time')
  })

  test('CRLF and CR line endings, even split between chunks', () => {
    const crlf = stream.replaceAll('\n', '\r\n')
    const cr = stream.replaceAll('\n', '\r')
    const whole = parse([stream]).messages
    assert.deepEqual(parse([crlf]).messages, whole)
    for (let i = 0; i <= crlf.length; i++) assert.deepEqual(parse([crlf.slice(0, i), crlf.slice(i)]).messages, whole, `crlf split at ${i}`)
    assert.deepEqual(parse([cr, '\n']).messages, whole)
  })

  test('no dispatch without data; event name resets; id persists; invalid retry ignored', () => {
    const r = parse(['event: x\n\nid: 7\nretry: soon\n\ndata: d\n\n'])
    assert.deepEqual(r.messages, [{ event: 'message', data: 'd', id: '7' }])
    assert.deepEqual(r.retries, [])
  })

  // seventh mutation batch, ss3: the spec ignores an id holding NUL (it would become the position resumed from)
  test('an id holding NUL is ignored; the last id stands', () => {
    const r = parse(['id: 7\ndata: a\n\nid: 8\u0000x\ndata: b\n\n'])
    assert.deepEqual(r.messages, [
      { event: 'message', data: 'a', id: '7' },
      { event: 'message', data: 'b', id: '7' },
    ])
    assert.equal(r.lastEventId, '7')
  })

  test('an unterminated last event is not dispatched', () => {
    assert.deepEqual(parse(['data: partial']).messages, [])
  })
})
