// A page whose connection died while the laptop slept (or while the tab sat throttled in the
// background) ran its liveness timers late: the dead socket was found up to 36 s after the reader
// was back, and a story killed meanwhile stayed on screen that long. `visibilitychange` now checks
// at once: a WebSocket pings (dead within pongTimeoutMs), an SSE stream silent for longer than it
// may be resumes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { articleEvent, FakeSseResponse, FakeWebSocket, fakeFetch, flush } from './fakes.ts'
import { accept, start, windowEvents } from './harness.ts'

const events = windowEvents()

test('WebSocket: back from sleep, the page pings at once and finds the dead socket within pongTimeoutMs', async (t) => {
  const { client, clock, log } = start(t)
  const shown = new Set<string>()
  client.on('event', (m) => shown.add(m.event.article.id))
  client.on('withdrawn', (m) => shown.delete(m.articleId))
  const ws = accept('p1', [articleEvent('a', 1)])
  clock.advance(20_000)
  // asleep ten minutes: the socket dies without a word, the story is killed meanwhile
  clock.suspend(600_000)
  events().dispatchEvent(new Event('visibilitychange'))
  assert.ok(
    ws.sent.some((m) => m.type === 'ping'),
    'a ping went out when the page came back',
  )
  clock.advance(10_000)
  await flush()
  assert.equal(client.state, 'reconnecting', `dead within 10 s of coming back (states: ${log.stateNames.join(' → ')})`)
  clock.advance(1_000)
  await flush()
  const again = FakeWebSocket.last.open()
  const sub = again.subscribes.at(-1)
  assert.equal(sub?.since, 'p1', 'resumed from its position')
  again.push({ type: 'subscribed', id: sub?.id, channels: sub?.channels, position: 'p2', snapshot: [] })
  again.push({ type: 'withdrawn', position: 'p3', articleId: 'a', version: 2, reason: 'legal', cause: 'withdrawn' })
  assert.deepEqual([...shown], [], 'the kill reached the reader')
})

test('WebSocket: a live connection answers the ping and stays', async (t) => {
  const { client, clock } = start(t)
  const ws = accept('p1')
  clock.advance(5_000)
  events().dispatchEvent(new Event('visibilitychange'))
  const ping = ws.sent.findLast((m) => m.type === 'ping')
  assert.ok(ping)
  ws.push({ type: 'pong', id: ping.id })
  clock.advance(10_000)
  await flush()
  assert.equal(client.state, 'connected')
})

test('SSE: back from sleep with the stream silent past its limit, the page resumes at once', async (t) => {
  const f = fakeFetch()
  const res = new FakeSseResponse()
  f.responses.push(res)
  const { client, clock, log } = start(t, { transport: 'sse', fetch: f.fetch })
  await flush()
  res.frame('subscribed', { type: 'subscribed', channels: ['breaking'], position: 'p1', snapshot: [] })
  await flush()
  clock.advance(10_000)
  clock.suspend(600_000)
  events().dispatchEvent(new Event('visibilitychange'))
  await flush()
  assert.equal(client.state, 'reconnecting', `resumed at once (states: ${log.stateNames.join(' → ')})`)
  assert.match(log.states.at(-1)?.reason ?? '', /no traffic while the page was away/)
})

test('SSE: a stream heard from lately is left alone', async (t) => {
  const f = fakeFetch()
  const res = new FakeSseResponse()
  f.responses.push(res)
  const { client, clock } = start(t, { transport: 'sse', fetch: f.fetch })
  await flush()
  res.frame('subscribed', { type: 'subscribed', channels: ['breaking'], position: 'p1', snapshot: [] })
  await flush()
  clock.advance(20_000)
  events().dispatchEvent(new Event('visibilitychange'))
  await flush()
  assert.equal(client.state, 'connected')
})
