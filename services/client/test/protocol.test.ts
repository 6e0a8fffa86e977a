import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { decodeFrame, endpoints, streamUrl } from '../src/protocol.ts'

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

  test('a stream URL names its subscription: id on a WebSocket, none on SSE; the token only when given', () => {
    const sub = { channels: ['breaking'], filter: undefined, since: '0.abc', token: undefined }
    assert.equal(streamUrl('wss://h/v1/stream', { ...sub, id: 's1' }), 'wss://h/v1/stream?channels=breaking&since=0.abc&id=s1')
    assert.equal(streamUrl('https://h/v1/sse', sub), 'https://h/v1/sse?channels=breaking&since=0.abc')
    assert.equal(
      streamUrl('wss://h/v1/stream', { ...sub, token: 'a+b/c=', id: 's2' }),
      'wss://h/v1/stream?channels=breaking&since=0.abc&token=a%2Bb%2Fc%3D&id=s2',
    )
  })

  test('SSE query: channels, filter, since, token', () => {
    const url = new URL(
      streamUrl('https://h/v1/sse', {
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
    const bare = new URL(streamUrl('https://h/v1/sse', { channels: ['all'], filter: undefined, since: null, token: undefined }))
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

  // Seventh mutation batch: pr13-pr15 (the withdrawn's version, guess and cause dropped in the
  // parse: a page answered before a hold brings the story back, a stand-in hold is taken for a
  // real one), pr17 (an event without a numeric version taken), pr20 (a reset's `more` dropped:
  // no older pages after it), pr22 (a negative retryAfterMs taken), pr24 (an event frame inside an
  // event frame taken as the event)
  test('what the reader acts on is read from the frame, and a frame without it is refused', () => {
    const article = { id: 'a', version: 3 }
    const withdrawn = { type: 'withdrawn', position: 'p', articleId: 'a', reason: 'legal', cause: 'withheld' }
    assert.deepEqual(decodeFrame(JSON.stringify({ ...withdrawn, version: 3, guess: true, erased: true })), {
      ...withdrawn,
      version: 3,
      guess: true,
      erased: true,
    })
    assert.deepEqual(decodeFrame(JSON.stringify({ ...withdrawn, version: '3', guess: 'yes', erased: 'yes' })), {
      ...withdrawn,
      version: null,
      guess: false,
      erased: false,
    })
    assert.deepEqual(decodeFrame(JSON.stringify({ type: 'reset', position: 'p', snapshot: [], more: 'c-9' })), {
      type: 'reset',
      position: 'p',
      snapshot: [],
      more: 'c-9',
    })
    assert.deepEqual(decodeFrame(JSON.stringify({ type: 'reconnect', retryAfterMs: 0 })), { type: 'reconnect', retryAfterMs: 0 })
    const event = { eventId: 'e', article }
    assert.deepEqual(decodeFrame(JSON.stringify({ type: 'event', position: 'p', event })), {
      type: 'event',
      channel: '',
      position: 'p',
      event,
      embargoed: false,
      released: false,
    })
    for (const bad of [
      { type: 'event', position: 'p', event: { eventId: 'e', article: { id: 'a', version: '3' } } },
      { type: 'event', position: 'p', event: { eventId: 'e', article: { id: 'a' } } },
      { type: 'event', position: 'p', event: { type: 'event', event } },
      { type: 'reconnect', retryAfterMs: -1 },
    ]) {
      const r = decodeFrame(JSON.stringify(bad))
      assert.ok(r instanceof Error && (r as Error & { code: string }).code === 'NEWSWIRE_ERR_CLIENT_PROTOCOL', JSON.stringify(bad))
    }
  })
})
