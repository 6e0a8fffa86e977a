// A newsroom token never in a stream's URL, where a proxy or CDN logging request lines keeps it:
// over WebSocket it is offered as a subprotocol (`newswire.bearer.<token>` beside `newswire`),
// over the fetch reader's SSE it goes in Authorization. What cannot carry it otherwise keeps
// `?token=`: an injected EventSource (no headers) and a token a subprotocol cannot carry.
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import { bearerProtocols, sseUrl, webSocketUrl } from '../src/protocol.ts'
import type { SseMessageEventLike } from '../src/types.ts'
import { FakeSseResponse, FakeWebSocket, fakeFetch } from './fakes.ts'
import { start } from './harness.ts'

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzY29wZSI6Im5ld3Nyb29tIn0.c2lnbmF0dXJlLV8'

beforeEach(() => FakeWebSocket.reset())

describe('a newsroom token stays out of the stream URL', () => {
  test('bearerProtocols: newswire and the token as one; a token a subprotocol cannot carry gets none', () => {
    assert.deepEqual(bearerProtocols(JWT), ['newswire', `newswire.bearer.${JWT}`])
    assert.equal(bearerProtocols(undefined), undefined)
    // RFC 7230 token characters only: a space, a comma (the header's separator) or a slash cannot travel
    for (const odd of ['a b', 'a,b', 'a/b', 'ä']) assert.equal(bearerProtocols(odd), undefined, odd)
    assert.equal(webSocketUrl('wss://h/v1/stream', 'a b'), 'wss://h/v1/stream?token=a+b')
  })

  test('WebSocket: the token is offered as a subprotocol, the URL carries none', (t) => {
    start(t, { token: JWT })
    const ws = FakeWebSocket.last
    assert.equal(ws.url, 'wss://news.example/v1/stream?batch=1')
    assert.deepEqual(ws.protocols, ['newswire', `newswire.bearer.${JWT}`])
  })

  test('WebSocket: a public reader offers no subprotocol (as before)', (t) => {
    start(t, {})
    assert.equal(FakeWebSocket.last.url, 'wss://news.example/v1/stream?batch=1')
    assert.equal(FakeWebSocket.last.protocols, undefined)
  })

  test('WebSocket: a token a subprotocol cannot carry falls back to the URL', (t) => {
    start(t, { token: 'opaque token/1' })
    assert.equal(FakeWebSocket.last.url, 'wss://news.example/v1/stream?token=opaque+token%2F1&batch=1')
    assert.equal(FakeWebSocket.last.protocols, undefined)
  })

  test('SSE over fetch: the token goes in Authorization, not the URL', async (t) => {
    const f = fakeFetch()
    f.responses.push(new FakeSseResponse())
    start(t, { transport: 'sse', fetch: f.fetch, token: JWT })
    await new Promise((r) => setTimeout(r, 0))
    const [req] = f.requests
    assert.ok(req)
    assert.equal(new URL(req.url).searchParams.has('token'), false, req.url)
    assert.ok(!req.url.includes(JWT), req.url)
    assert.equal(req.headers.authorization, `Bearer ${JWT}`)
    assert.equal(req.headers.accept, 'text/event-stream')
  })

  test('SSE over fetch: a public reader sends no Authorization', async (t) => {
    const f = fakeFetch()
    f.responses.push(new FakeSseResponse())
    start(t, { transport: 'sse', fetch: f.fetch })
    await new Promise((r) => setTimeout(r, 0))
    assert.deepEqual(f.requests[0]?.headers, { accept: 'text/event-stream' })
  })

  test('an injected EventSource cannot send a header: its token stays in the URL', (t) => {
    const urls: string[] = []
    class FakeEventSource {
      readyState = 0
      onopen = null
      onmessage = null
      onerror = null
      constructor(url: string) {
        urls.push(url)
      }
      addEventListener(_type: string, _fn: (ev: SseMessageEventLike) => unknown) {}
      close() {}
    }
    start(t, { transport: 'sse', EventSource: FakeEventSource, token: JWT })
    assert.equal(new URL(urls[0] ?? '').searchParams.get('token'), JWT)
    assert.equal(
      sseUrl('https://h/v1/sse', { channels: ['all'], filter: undefined, since: null, token: undefined }),
      'https://h/v1/sse?channels=all',
    )
  })
})
