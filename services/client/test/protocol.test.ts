import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { decodeFrame, endpoints, sseUrl, webSocketUrl } from '../src/protocol.ts'

describe('protocol', () => {
  test('endpoints from a base URL or either endpoint, any scheme', () => {
    const expected = { websocket: 'wss://news.example/v1/stream', sse: 'https://news.example/v1/sse' }
    for (const url of ['wss://news.example', 'https://news.example/', 'wss://news.example/v1/stream', 'https://news.example/v1/sse']) {
      assert.deepEqual(endpoints(url), expected, url)
    }
    assert.deepEqual(endpoints('http://localhost:8080/newswire/'), {
      websocket: 'ws://localhost:8080/newswire/v1/stream',
      sse: 'http://localhost:8080/newswire/v1/sse',
    })
    assert.throws(() => endpoints('ftp://x'), TypeError)
    assert.throws(() => endpoints('not a url'), TypeError)
  })

  test('the token goes in the query string', () => {
    assert.equal(webSocketUrl('wss://h/v1/stream', 'a.b.c'), 'wss://h/v1/stream?token=a.b.c')
    assert.equal(webSocketUrl('wss://h/v1/stream', undefined), 'wss://h/v1/stream')
  })

  test('SSE query: channels, filter, since, token', () => {
    const url = new URL(
      sseUrl('https://h/v1/sse', {
        channels: ['breaking', 'category:international'],
        filter: { languages: ['bn', 'en'], maxUrgency: 3, categories: ['sports'], tickerFieldsOnly: true },
        since: '1.xyz',
        token: 'jwt',
      }),
    )
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      channels: 'breaking,category:international',
      languages: 'bn,en',
      maxUrgency: '3',
      categories: 'sports',
      tickerFieldsOnly: '1',
      since: '1.xyz',
      token: 'jwt',
    })
    const bare = new URL(sseUrl('https://h/v1/sse', { channels: ['all'], filter: undefined, since: null, token: undefined }))
    assert.deepEqual(Object.fromEntries(bare.searchParams), { channels: 'all' })
  })

  test('frames are validated; unknown types are ignored', () => {
    assert.deepEqual(decodeFrame('{"type":"pong","id":"p1"}'), { type: 'pong', id: 'p1' })
    assert.equal(decodeFrame('{"type":"hello-from-the-future"}'), null)
    for (const bad of ['nope', '[]', '{"type":"event","position":"p"}', '{"type":"withdrawn","position":"p"}', '{"no":"type"}']) {
      const r = decodeFrame(bad)
      assert.ok(r instanceof Error && (r as Error & { code: string }).code === 'NEWSWIRE_ERR_CLIENT_PROTOCOL', bad)
    }
  })
})
