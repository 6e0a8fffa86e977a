// red12 attack run (2026-12-05): a stream view holding a comma (`filter: { languages: ['bn,en'] }`,
// `channels: ['category:a,category:b']`) meant one name over the WebSocket and two on the query
// routes. The SDK wrote it to the WebSocket as one item (a tag no story has: the stream carried
// nothing of it; or a channel the server refused), joined it into the query of older() and
// counts() (two items there), and judged that view within the stream's by splitting the stream's
// lists on commas as the WebSocket does not (narrower.ts). So older() paged in stories the stream
// never carried, and their kills never reached the reader (storyEntries(): entries whose deletions
// never came). Fixed: no page, count or entries page is asked for beside a stream whose channels or
// filter lists hold such an item (refused before asking, as a wider view is); the server refuses such a filter over the WebSocket (fan-out test
// red12-comma-view.test.ts), so that stream is refused with a reason instead of showing nothing.
import assert from 'node:assert/strict'
import { beforeEach, test, type TestContext } from 'node:test'
import { ClientError, type ConnectOptions, connect, counts, older, storyEntries } from '../src/index.ts'
import { FakeClock, FakeWebSocket, jsonFetch } from './fakes.ts'

beforeEach(() => FakeWebSocket.reset())

function start(t: TestContext, o: Partial<ConnectOptions>) {
  const f = jsonFetch()
  const client = connect('wss://news.example', {
    channels: ['breaking'],
    WebSocket: FakeWebSocket,
    transport: 'websocket',
    fetch: f.fetch,
    clock: new FakeClock(),
    random: () => 0.5,
    ...o,
  })
  t.after(() => client.close())
  const ws = FakeWebSocket.last.open()
  ws.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'p1', snapshot: [], more: 'c-1' })
  return { client, f }
}

const refused = (err: unknown) => {
  assert.ok(err instanceof ClientError, String(err))
  assert.deepEqual(err.details, { view: true })
  assert.match(err.message, /one name per item/)
  return true
}

for (const o of [
  { filter: { languages: ['bn,en'] } },
  { filter: { categories: ['world, home'] } },
  { channels: ['category:world,category:home'] },
] as Partial<ConnectOptions>[]) {
  test(`older() and counts() beside a stream of ${JSON.stringify(o)} are refused before asking: the stream and the page would read it differently`, async (t) => {
    const { client, f } = start(t, o)
    await assert.rejects(older(client, null), refused)
    await assert.rejects(older(client, 'c-1', { filter: { languages: ['bn'] } }), refused)
    await assert.rejects(counts(client), refused)
    assert.equal(f.requests.length, 0, 'a page or a count was asked for')
  })
}

test('one name per item is the same view, and pages as before', async (t) => {
  const { client, f } = start(t, { channels: ['category:world', 'category:home'], filter: { languages: ['bn', 'en'] } })
  f.answers.push({ status: 200, body: { items: [], next: null } })
  await older(client, null)
  assert.equal(f.requests.length, 1)
})

test("a story's older entries beside its stream with such a filter are refused before asking too", async (t) => {
  const { client, f } = start(t, { channels: ['story:Bd-1'], filter: { languages: ['bn,en'] } })
  await assert.rejects(storyEntries(client, 'Bd-1', { before: 10 }), refused)
  assert.equal(f.requests.length, 0, 'a page of entries was asked for')
})
