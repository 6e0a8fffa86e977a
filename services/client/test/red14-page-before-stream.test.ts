// red14 attack run, 2026-12-06: a page asked for before the stream has a position (older(),
// counts() or storyEntries() called right after connect(), a dashboard filter chosen while it is
// still connecting) went without `at`, so any fan-out process answered it with its state then. A
// story killed after that state and before the stream's subscription started is in the page, not
// in the snapshot, and its kill never comes: the subscription started after it. The page stayed
// on screen, killed story and all. A page now waits for the stream's first position, and goes
// with it.
import assert from 'node:assert/strict'
import { beforeEach, test } from 'node:test'
import { connect, counts, followStory, older, storyEntries } from '../src/index.ts'
import { articleEvent, FakeClock, FakeWebSocket, flush, jsonFetch } from './fakes.ts'
import { storyEntry } from './story-fakes.ts'

beforeEach(() => FakeWebSocket.reset())

function start(channels: string[]) {
  const f = jsonFetch()
  const client = connect('wss://news.example', {
    channels,
    WebSocket: FakeWebSocket,
    transport: 'websocket',
    fetch: f.fetch,
    clock: new FakeClock(),
  })
  return { client, f }
}

test('older() before the stream started asks once it has, with its position', async (t) => {
  const { client, f } = start(['all'])
  t.after(() => client.close())
  // the page as a process had it before b's kill; b's kill comes before the subscription starts
  f.answers.push({ status: 200, body: { items: [articleEvent('a', 1), articleEvent('b', 1)], next: null } })
  const page = older(client, null)
  await flush()
  assert.equal(f.requests.length, 0, 'not asked before the stream has a position')
  FakeWebSocket.last
    .open()
    .push({ type: 'subscribed', id: 's1', channels: ['all'], position: 'p7', snapshot: [articleEvent('a', 1)], more: null })
  await flush()
  assert.equal(f.requests[0]?.url.searchParams.get('at'), 'p7', 'asked with the position: a process behind it answers 503')
  await page
})

test('counts() and storyEntries() before the stream started wait for it too; a client closed first rejects them', async (t) => {
  const { client, f } = start(['story:Bd-1'])
  t.after(() => client.close())
  followStory(client, 'Bd-1')
  f.answers.push({ status: 200, body: { from: null, to: null, categories: [], articles: [], truncated: false } })
  f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e1', 1)], next: null } })
  const c = counts(client)
  const e = storyEntries(client, 'Bd-1')
  await flush()
  assert.equal(f.requests.length, 0)
  FakeWebSocket.last
    .open()
    .push({ type: 'subscribed', id: 's1', channels: ['story:Bd-1'], position: 'p3', snapshot: [], more: null, entries: [] })
  await flush()
  await Promise.all([c, e])
  assert.deepEqual(
    f.requests.map((r) => r.url.searchParams.get('at')),
    ['p3', 'p3'],
  )
  const other = start(['all'])
  const never = older(other.client, null)
  await other.client.close()
  await assert.rejects(never, (err: Error & { code?: string }) => err.code === 'NEWSWIRE_ERR_CLIENT_REQUEST')
  assert.equal(other.f.requests.length, 0)
})
