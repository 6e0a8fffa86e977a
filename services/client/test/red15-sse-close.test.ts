// The server's own end of an SSE stream (red15 attack run, 2026-12-06): `event: close` with the
// code a WebSocket would have been closed with (services/fanout/src/http/sse.ts). The SDK took
// every SSE end for a lost connection (1006): at a newsroom token's expiry (4401) it went on
// reconnecting with the dead token, so a dashboard on SSE kept the ended session's desk, a story
// killed after the expiry reading as running, until a fan-out refused the token (2 s at best, the
// stream's `retry:`; for as long as none answered, with the pages' endless retries), where on a
// WebSocket the session ends at once. A restart's or an overload's close lost its code too.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SseMessageEventLike } from '../src/index.ts'
import { articleEvent, FakeSseResponse, fakeFetch, flush } from './fakes.ts'
import { start } from './harness.ts'

const subscribed = (position: string) => ({ type: 'subscribed', channels: ['all'], position, snapshot: [articleEvent('a', 1)] })

test('an SSE stream the server ends with 4401 (token expired) fails at once, never retried with the same token', async (t) => {
  const f = fakeFetch()
  const r1 = new FakeSseResponse()
  f.responses.push(r1, new FakeSseResponse())
  const { client, clock, log } = start(t, {
    transport: 'sse',
    fetch: f.fetch,
    channels: ['all'],
    token: 'newsroom',
    giveUpAfterMs: Infinity,
  })
  await flush()
  r1.write('retry: 2000\n\n').frame('subscribed', subscribed('p1'), 'p1')
  await flush()
  r1.frame('close', { type: 'close', code: 4401, reason: 'token expired' })
  r1.end()
  await flush()
  clock.advance(60_000)
  await flush()
  assert.equal(client.state, 'failed', `states: ${log.stateNames.join(' → ')}`)
  const failed = log.states.at(-1)
  assert.equal(failed?.error?.code, 'NEWSWIRE_ERR_CLIENT_UNAUTHORIZED')
  assert.match(failed?.reason ?? '', /4401: token expired/)
  assert.deepEqual(log.stateNames, ['connected', 'failed'], 'no reconnecting in between: the session ended with the stream')
  assert.equal(f.requests.length, 1, 'the expired token is not sent again')
})

test("an SSE stream the server ends for a restart, an overload or a slow reader keeps the close's code and hint", async (t) => {
  for (const [code, reason, minDelayMs] of [
    [1012, 'service restart', 30_000],
    [1013, 'this instance is behind the position; retry after 2000 ms', 2_000],
    [4008, 'slow consumer', 0],
  ] as const) {
    const f = fakeFetch()
    const r1 = new FakeSseResponse()
    f.responses.push(r1, new FakeSseResponse())
    const { client, log } = start(t, { transport: 'sse', fetch: f.fetch, channels: ['breaking'] })
    await flush()
    r1.frame('subscribed', subscribed('p1'), 'p1')
    await flush()
    const hint = code === 1012 ? { retryAfterMs: minDelayMs } : {}
    r1.write(code === 1012 ? `retry: ${minDelayMs}\n\n` : '').frame('close', { type: 'close', code, reason, ...hint })
    r1.end()
    await flush()
    const s = log.states.at(-1)
    assert.equal(s?.state, 'reconnecting', `${code}: ${log.stateNames.join(' → ')}`)
    assert.equal(s?.code, code, `${code}: the state names the server's code, not a lost connection`)
    assert.ok((s?.delayMs ?? 0) >= minDelayMs, `${code}: waits ${s?.delayMs} ms, the server asked for ${minDelayMs}`)
    if (code === 4008) assert.match(s?.reason ?? '', /slow consumer/)
    await client.close()
  }
})

test('with an injected EventSource too: `event: close` 4401 stops it and fails at once', (t) => {
  const created: FakeEventSource[] = []
  class FakeEventSource {
    readyState = 0
    listeners = new Map<string, (ev: SseMessageEventLike) => unknown>()
    onopen: ((ev: unknown) => void) | null = null
    onmessage: ((ev: unknown) => void) | null = null
    onerror: ((ev: { data?: unknown }) => void) | null = null
    closed = false
    constructor(_url: string) {
      created.push(this)
    }
    addEventListener(type: string, fn: (ev: SseMessageEventLike) => unknown) {
      this.listeners.set(type, fn)
    }
    close() {
      this.closed = true
    }
  }
  const { client, clock } = start(t, { transport: 'sse', EventSource: FakeEventSource, channels: ['all'], token: 'newsroom' })
  const es = created[0]
  assert.ok(es)
  es.onopen?.({})
  es.listeners.get('subscribed')?.({ type: 'subscribed', data: JSON.stringify(subscribed('p1')), lastEventId: 'p1' })
  const close = es.listeners.get('close')
  assert.ok(close, "a listener for 'close'")
  close({ type: 'close', data: JSON.stringify({ type: 'close', code: 4401, reason: 'token expired' }), lastEventId: 'p1' })
  assert.equal(es.closed, true)
  clock.advance(60_000)
  assert.equal(client.state, 'failed')
  assert.equal(created.length, 1, 'no second EventSource with the expired token')
})
