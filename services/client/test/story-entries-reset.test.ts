// Review of 6901f17 (client): older() now refuses a page asked for before a reset and answered after
// it, because the reset forgot the withdrawals the client had heard of. storyEntries() has the same
// shape (a page of a live story's entries beside the stream, merged through EntryDelivery.page) and
// the reset clears the entry dedupe too (delivery.ts: this.#entries?.clear()), but it was left
// unguarded: an entry deleted meanwhile comes back to the application as a live entry.
import assert from 'node:assert/strict'
import { beforeEach, test } from 'node:test'
import { ClientError, connect, enableEntries, storyEntries } from '../src/index.ts'
import type { EntryWithdrawnMessage } from '../src/index.ts'
import { FakeClock, FakeWebSocket, flush, jsonFetch } from './fakes.ts'
import { entryWithdrawnFrame, storyEntry } from './story-fakes.ts'

beforeEach(() => FakeWebSocket.reset())

test('a storyEntries() page answered before an entry deletion and read after a reset is refused, never merged', async (t) => {
  enableEntries()
  const server = jsonFetch()
  let answer: () => void = () => undefined
  const slow = new Promise<void>((resolve) => {
    answer = resolve
  })
  // the server answers with e3 as it stood (the answer is slow to arrive)
  server.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e3', 3)], next: null }, until: slow })
  const client = connect('wss://news.example/wire', {
    channels: ['story:Bd-1'],
    WebSocket: FakeWebSocket,
    transport: 'websocket',
    fetch: server.fetch,
    clock: new FakeClock(),
    random: () => 0.5,
  })
  t.after(() => client.close())
  const withdrawn: EntryWithdrawnMessage[] = []
  client.on('entryWithdrawn', (m) => withdrawn.push(m))
  const ws = FakeWebSocket.last.open()
  ws.push({
    type: 'subscribed',
    id: 's1',
    channels: ['story:Bd-1'],
    position: 'p1',
    snapshot: [],
    entries: [storyEntry('e5', 5)],
    entriesMore: 5,
  })
  const page = storyEntries(client, 'Bd-1', { before: 5 })
  await flush()
  // e3 is deleted ('names a minor'); the client hears of it, then is started over
  ws.push(entryWithdrawnFrame('Bd-1', 'e3', 2, 'p2'))
  ws.push({
    type: 'reset',
    id: 's1',
    channels: ['story:Bd-1'],
    position: 'p3',
    reason: 'position refused',
    more: null,
    snapshot: [],
    entries: [storyEntry('e5', 5)],
    entriesMore: null,
  })
  assert.deepEqual(
    withdrawn.map((m) => m.entryId),
    ['e3'],
  )
  answer()
  const got = await page.then(
    (p) => `merged: ${p.items.map((m) => `${m.entry.id}@${m.entry.version}`).join(',')}`,
    (err: unknown) => (err instanceof ClientError && err.details.reset === true ? 'refused (reset)' : `rejected: ${String(err)}`),
  )
  assert.equal(got, 'refused (reset)', 'the deleted entry e3 must not come back as a live entry')
})
