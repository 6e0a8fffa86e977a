// A newsroom token never in a stream's URL, where a proxy or CDN logging request lines keeps it:
// over WebSocket it is offered as a subprotocol (`newswire.bearer.<token>` beside `newswire`),
// over the fetch reader's SSE it goes in Authorization. What cannot carry it otherwise keeps
// `?token=`: an injected EventSource (no headers) and a token a subprotocol cannot carry.
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import { streamProtocols, streamUrl, urlSubscriptionProtocol } from '../src/protocol.ts'
import type { SseMessageEventLike } from '../src/types.ts'
import { FakeSseResponse, FakeWebSocket, fakeFetch } from './fakes.ts'
import { start } from './harness.ts'

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzY29wZSI6Im5ld3Nyb29tIn0.c2lnbmF0dXJlLV8'

beforeEach(() => FakeWebSocket.reset())

describe('a newsroom token stays out of the stream URL', () => {
  test('streamProtocols: newswire, the URL subscription and the token as one; a token a subprotocol cannot carry gets none', () => {
    const plain = ['newswire', urlSubscriptionProtocol]
    assert.deepEqual(streamProtocols(JWT), [...plain, `newswire.bearer.${JWT}`])
    assert.deepEqual(streamProtocols(undefined), plain)
    // RFC 7230 token characters only: a space, a comma (the header's separator) or a slash cannot travel
    for (const odd of ['a b', 'a,b', 'a/b', 'ä']) assert.deepEqual(streamProtocols(odd), plain, odd)
  })

  test('WebSocket: the token is offered as a subprotocol, the URL carries none', (t) => {
    start(t, { token: JWT })
    const ws = FakeWebSocket.last
    assert.ok(!ws.url.includes('token') && !ws.url.includes(JWT), ws.url)
    assert.deepEqual(ws.protocols, ['newswire', urlSubscriptionProtocol, `newswire.bearer.${JWT}`])
  })

  test('WebSocket: a public reader offers newswire and the URL subscription, no token', (t) => {
    start(t, {})
    assert.ok(!FakeWebSocket.last.url.includes('token'), FakeWebSocket.last.url)
    assert.deepEqual(FakeWebSocket.last.protocols, ['newswire', urlSubscriptionProtocol])
  })

  test('WebSocket: a token a subprotocol cannot carry falls back to the URL', (t) => {
    start(t, { token: 'opaque token/1' })
    assert.equal(new URL(FakeWebSocket.last.url).searchParams.get('token'), 'opaque token/1')
    assert.deepEqual(FakeWebSocket.last.protocols, ['newswire', urlSubscriptionProtocol])
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
      streamUrl('https://h/v1/sse', { channels: ['all'], filter: undefined, since: null, token: undefined }),
      'https://h/v1/sse?channels=all',
    )
  })
})
