// Server hints in the SDK: reconnect delays from `reconnect` messages and close reasons (fake
// clock), `gap` events, and conflated catch-up in subscribe and in the SSE URL.
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import { connect, type GapMessage } from '../src/index.ts'
import { decideRetry } from '../src/retry-policy.ts'
import { FakeClock, FakeSseResponse, FakeWebSocket, fakeFetch, flush } from './fakes.ts'
import { accept, start } from './harness.ts'

beforeEach(() => FakeWebSocket.reset())

describe('client: server retry hints', () => {
  test('a reconnect message before 1012 sets the delay; the reconnect happens exactly then, not before', (t) => {
    const { clock, log } = start(t)
    const ws = accept()
    ws.push({ type: 'reconnect', retryAfterMs: 7321, reason: 'service restart' })
    ws.drop(1012, 'service restart')
    const reconnecting = log.states.at(-1)
    assert.equal(reconnecting?.state, 'reconnecting')
    assert.equal(reconnecting?.delayMs, 7321)
    assert.equal(FakeWebSocket.instances.length, 1)
    clock.advance(7320)
    assert.equal(FakeWebSocket.instances.length, 1, 'not before the hint')
    clock.advance(1)
    assert.equal(FakeWebSocket.instances.length, 2, 'reconnected at the hint')
    // the hint is used once: the next failure backs off normally again
    FakeWebSocket.last.drop(1006)
    assert.ok((log.states.at(-1)?.delayMs ?? 0) < 7321)
  })

  test('1013 with "retry after N ms" in the close reason waits N ms', (t) => {
    const { clock, log } = start(t)
    accept().drop(1013, 'too many resumes; retry after 4500 ms')
    assert.equal(log.states.at(-1)?.delayMs, 4500)
    clock.advance(4499)
    assert.equal(FakeWebSocket.instances.length, 1)
    clock.advance(1)
    assert.equal(FakeWebSocket.instances.length, 2)
  })

  test('a backoff longer than the hint wins, and absurd hints are capped at five minutes', () => {
    const policy = { backoff: { minMs: 500, maxMs: 20_000, factor: 2 }, maxRetries: 10, giveUpAfterMs: 600_000, random: () => 0.999 }
    const disposition = { retry: true as const, minStep: 0, minDelayMs: 0, reason: 'x' }
    const long = decideRetry(policy, { attempt: 6, downForMs: 0, disposition, retryHintMs: 0, serverRetryAfterMs: 1000 })
    assert.ok(!long.giveUp && long.delayMs > 1000)
    const capped = decideRetry(policy, { attempt: 0, downForMs: 0, disposition, retryHintMs: 0, serverRetryAfterMs: 3_600_000 })
    assert.ok(!capped.giveUp && capped.delayMs === 300_000)
  })
})

describe('client: gaps and catch-up', () => {
  test('a gap is emitted as an event and moves the position on', (t) => {
    const { client } = start(t)
    const gaps: GapMessage[] = []
    client.on('gap', (g) => gaps.push(g))
    const ws = accept('p0')
    ws.push({ type: 'gap', id: 's1', position: 'p9', shed: { routine: 12 }, conflated: 3 })
    ws.push({ type: 'gap', id: 'other', position: 'p10', shed: { routine: 1 }, conflated: 0 })
    assert.deepEqual(gaps, [{ type: 'gap', position: 'p9', shed: { routine: 12 }, conflated: 3 }])
    assert.equal(client.position, 'p9')
  })

  test("catchUp: 'latest' goes into every subscribe and into the SSE URL", async (t) => {
    const { client } = start(t, { catchUp: 'latest', since: '1.saved' })
    const ws = accept()
    assert.equal(ws.subscribes[0]?.catchUp, 'latest')
    await client.close()
    const f = fakeFetch()
    f.responses.push(new FakeSseResponse())
    const sse = connect('https://news.example', {
      channels: ['breaking'],
      transport: 'sse',
      fetch: f.fetch,
      catchUp: 'latest',
      clock: new FakeClock(),
    })
    t.after(() => sse.close())
    await flush()
    assert.match(f.requests[0]?.url ?? '', /[?&]catchUp=latest(&|$)/)
    assert.throws(() => connect('wss://x', { channels: ['breaking'], WebSocket: FakeWebSocket, catchUp: 'newest' as never }), TypeError)
  })
})
