// An SSE stream held back on the way (red20 attack run): a proxy that passes a response's head and
// holds its body, or passes its first bytes and holds the rest. The client, on a fake clock and a
// scripted fetch, counts such responses and fails at the second in a row.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { FakeSseResponse, fakeFetch, flush } from './fakes.ts'
import { start } from './harness.ts'

describe('client: SSE held back', () => {
  test('SSE: a head without a byte after it within connectTimeoutMs is held back; the second in a row fails', async (t) => {
    const f = fakeFetch()
    const responses = [0, 1, 2, 3].map(() => new FakeSseResponse())
    f.responses.push(...responses)
    const { client, clock, log } = start(t, { transport: 'sse', fetch: f.fetch })
    await flush()
    assert.equal(client.state, 'connected', 'the head came')
    clock.advance(9_999)
    assert.equal(client.state, 'connected')
    clock.advance(1)
    assert.equal(client.state, 'reconnecting')
    assert.match(log.states.at(-1)?.reason ?? '', /no byte after the head/)
    clock.next()
    await flush()
    assert.equal(client.state, 'connected')
    // a byte after the head (open), then a frame: no longer held back
    responses[1]?.write('retry: 2000\n\n')
    responses[1]?.frame('subscribed', { type: 'subscribed', id: 'sse', channels: ['breaking'], position: 'p1', snapshot: [] }, 'p1')
    await flush()
    clock.advance(20_000)
    assert.equal(client.state, 'connected', 'a stream that brought a frame stays')
    clock.advance(20_000)
    assert.equal(client.state, 'reconnecting', 'silent: dead, as before')
    // (the reconnect is due within those 20 s: its head comes now)
    await flush()
    assert.equal(client.state, 'connected')
    clock.advance(10_000)
    assert.equal(client.state, 'reconnecting', 'held back once since the last byte: tried again')
    // (its reconnect too)
    await flush()
    assert.equal(client.state, 'connected')
    clock.advance(10_000)
    assert.equal(client.state, 'failed', 'held back twice in a row')
    assert.equal(log.states.at(-1)?.error?.code, 'NEWSWIRE_ERR_CLIENT_HELD_BACK')
  })

  test('SSE: silent for good before its first frame (a proxy that passed the first bytes) is held back too', async (t) => {
    const f = fakeFetch()
    const responses = [0, 1, 2].map(() => new FakeSseResponse())
    f.responses.push(...responses)
    const { client, clock, log } = start(t, { transport: 'sse', fetch: f.fetch })
    await flush()
    responses[0]?.frame('subscribed', { type: 'subscribed', id: 'sse', channels: ['breaking'], position: 'p1', snapshot: [] }, 'p1')
    await flush()
    clock.advance(35_000)
    assert.equal(client.state, 'reconnecting', 'silent after a frame: dead, and resumed')
    for (const i of [1, 2]) {
      await flush()
      clock.next()
      await flush()
      // the server's first line passes, its `subscribed` and everything after wait in the proxy
      responses[i]?.write('retry: 2000\n\n')
      await flush()
      clock.advance(35_000)
    }
    assert.equal(client.state, 'failed', 'two streams in a row silent before their first frame')
    assert.equal(log.states.at(-1)?.error?.code, 'NEWSWIRE_ERR_CLIENT_HELD_BACK')
  })
})
