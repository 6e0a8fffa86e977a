// older() drops a page item older than a withdrawal it has heard of (dedupe.ts withdrawnAt), but a
// `reset` clears that memory. An outside review (2026-12-04) found a page answered before a kill
// and read after a reset handed the killed story to the application as a live item: a page asked
// for before a reset is now refused (NEWSWIRE_ERR_CLIENT_REQUEST, details.reset).
import assert from 'node:assert/strict'
import { beforeEach, test } from 'node:test'
import { ClientError, connect, older } from '../src/index.ts'
import type { FetchLike, FetchResponseLike } from '../src/types.ts'
import { articleEvent, FakeClock, FakeWebSocket, flush } from './fakes.ts'

beforeEach(() => FakeWebSocket.reset())

test('a page answered before a kill and read after a reset is refused, never merged', async (t) => {
  let answer: (body: unknown) => void = () => undefined
  const fetchFn = (async () => {
    const body = await new Promise<unknown>((resolve) => {
      answer = resolve
    })
    const bytes = new TextEncoder().encode(JSON.stringify(body))
    let done = false
    const res: FetchResponseLike = {
      ok: true,
      status: 200,
      statusText: '',
      headers: { get: () => 'application/json' },
      body: {
        getReader: () => ({
          read: async () => {
            if (done) return { done: true }
            done = true
            return { done: false, value: bytes }
          },
          cancel: async () => {},
        }),
      },
    }
    return res
  }) as FetchLike
  const client = connect('wss://news.example/wire', {
    channels: ['breaking'],
    WebSocket: FakeWebSocket,
    transport: 'websocket',
    fetch: fetchFn,
    clock: new FakeClock(),
    random: () => 0.5,
  })
  t.after(() => client.close())
  const ws = FakeWebSocket.last.open()
  ws.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'p1', snapshot: [articleEvent('a', 1)], more: 'c-1' })
  // the reader asks for older stories; the server answers with b as it stood (the answer is slow to arrive)
  const page = older(client, 'c-1')
  await flush()
  // b is killed; the client hears of it, then is started over (a reset: its snapshot leaves b out)
  ws.push({
    type: 'withdrawn',
    id: 's1',
    channel: 'breaking',
    position: 'p2',
    articleId: 'b',
    version: 2,
    cause: 'withdrawn',
    reason: 'legal',
  })
  ws.push({
    type: 'reset',
    id: 's1',
    channels: ['breaking'],
    position: 'p3',
    reason: 'position refused',
    more: null,
    snapshot: [articleEvent('a', 1)],
  })
  answer({ items: [articleEvent('b', 1)], next: null })
  await assert.rejects(page, (err: unknown) => {
    assert.ok(err instanceof ClientError)
    assert.equal(err.code, 'NEWSWIRE_ERR_CLIENT_REQUEST')
    assert.equal(err.details.reset, true)
    return true
  })
  // asked again after the reset, the page is taken as usual
  const again = older(client, 'c-1')
  await flush()
  answer({ items: [articleEvent('c', 1)], next: null })
  assert.deepEqual(
    (await again).items.map((m) => m.event.article.id),
    ['c'],
  )
})
