// Live-story entries through the client (docs/live-stories-protocol.md), against a scripted
// WebSocket and fetch: the `entries` option on the wire, snapshot entries, `entry` and
// `entryWithdrawn` frames, duplicates across resumes and pages, resets, storyEntries().
import assert from 'node:assert/strict'
import { beforeEach, describe, test, type TestContext } from 'node:test'
import {
  ClientError,
  type ConnectOptions,
  connect,
  enableEntries,
  type EntryMessage,
  type EntryWithdrawnMessage,
  type StreamMessage,
  storyEntries,
} from '../src/index.ts'
import { FakeClock, FakeSseResponse, FakeWebSocket, fakeFetch, flush, record } from './fakes.ts'
import { jsonFetch } from './fakes.ts'
import { entryFrame, entryWithdrawnFrame, storyEntry } from './story-fakes.ts'

function start(t: TestContext, overrides: Partial<ConnectOptions> = {}) {
  enableEntries()
  const f = jsonFetch()
  const clock = new FakeClock()
  const client = connect('wss://news.example/wire', {
    channels: ['story:Bd-1'],
    WebSocket: FakeWebSocket,
    transport: 'websocket',
    fetch: f.fetch,
    clock,
    random: () => 0.5,
    ...overrides,
  })
  t.after(() => client.close())
  const entries: EntryMessage[] = []
  const withdrawn: EntryWithdrawnMessage[] = []
  client.on('entry', (m) => entries.push(m))
  client.on('entryWithdrawn', (m) => withdrawn.push(m))
  return { client, clock, f, log: record(client), entries, withdrawn }
}

const ids = (ms: EntryMessage[]) => ms.map((m) => `${m.entry.id}@${m.entry.version}`)

beforeEach(() => FakeWebSocket.reset())

describe('client: live-story entries', () => {
  // First: the hook is per process, and every other test turns it on
  test('until live stories are in use, a client ignores entry frames like any type it does not know', (t) => {
    const client = connect('wss://news.example', { channels: ['story:Bd-1'], WebSocket: FakeWebSocket, clock: new FakeClock() })
    t.after(() => client.close())
    const log = record(client)
    let entries = 0
    client.on('entry', () => entries++)
    const ws = FakeWebSocket.last.open()
    ws.push({
      type: 'subscribed',
      id: 's1',
      channels: ['story:Bd-1'],
      position: 'p1',
      snapshot: [],
      entries: [storyEntry('e1', 1)],
      entriesMore: 1,
    })
    ws.push(entryFrame('Bd-1', storyEntry('e2', 2), 'p2'))
    assert.equal(entries, 0)
    assert.equal(log.subscribed[0]?.entriesMore, undefined)
    assert.deepEqual(log.errors, [])
    assert.equal(client.position, 'p1', 'nor do they move the position')
  })

  test('the entries option goes on the subscribe frame and the SSE query; a bad one is a TypeError', async (t) => {
    start(t, { entries: 30 })
    const ws = FakeWebSocket.last.open()
    assert.deepEqual(ws.subscribes[0], { type: 'subscribe', id: 's1', channels: ['story:Bd-1'], entries: 30 })
    const sse = fakeFetch()
    sse.responses.push(new FakeSseResponse())
    const c = connect('https://news.example', {
      channels: ['story:Bd-1'],
      entries: 5,
      transport: 'sse',
      fetch: sse.fetch,
      clock: new FakeClock(),
    })
    t.after(() => c.close())
    await flush()
    const q = new URL(sse.requests[0]?.url ?? '').searchParams
    assert.equal(q.get('channels'), 'story:Bd-1')
    assert.equal(q.get('entries'), '5')
    for (const entries of [0, 101, 2.5, Number.NaN]) {
      assert.throws(() => connect('wss://x', { channels: ['story:a'], entries, WebSocket: FakeWebSocket }), TypeError)
    }
  })

  test('snapshot entries arrive as entry messages (snapshot: true) after the story, with entriesMore; malformed ones are reported and skipped', (t) => {
    const { log, entries } = start(t, { token: 'jwt' })
    const ws = FakeWebSocket.last.open()
    const pinned = { ...storyEntry('e1', 1, 1, { pinned: true }), embargoed: true }
    ws.push({
      type: 'subscribed',
      id: 's1',
      channels: ['story:Bd-1'],
      position: 'p1',
      replay: 'none',
      more: null,
      snapshot: [{ eventId: 'x', type: 'CREATED', article: { id: 'Bd-1', version: 1, live: true } }],
      entries: [pinned, storyEntry('e9', 9), { id: 'broken' }, storyEntry('e8', 8, 2)],
      entriesMore: 8,
    })
    assert.equal(log.subscribed[0]?.entriesMore, 8)
    assert.equal(log.events[0]?.event.article.id, 'Bd-1')
    assert.deepEqual(ids(entries), ['e1@1', 'e9@1', 'e8@2'])
    const [first, , third] = entries
    assert.equal(first?.storyId, 'Bd-1', 'the id after story: keeps its case')
    assert.equal(first?.embargoed, true)
    assert.equal('embargoed' in (first?.entry ?? {}), false, 'the flag is beside the entry, not in it')
    assert.equal(first?.snapshot, true)
    assert.equal(first?.position, 'p1')
    assert.equal(third?.change, 'updated')
    assert.equal(log.errors.length, 1)
    assert.equal(log.errors[0]?.code, 'NEWSWIRE_ERR_CLIENT_PROTOCOL')
  })

  test('live entries: what changed and the correction; the position moves; an old or repeated version is dropped', (t) => {
    const { client, entries } = start(t)
    const ws = FakeWebSocket.last.open()
    ws.push({ type: 'subscribed', id: 's1', channels: ['story:Bd-1'], position: 'p1', snapshot: [], entries: [], entriesMore: null })
    const correction = { note: 'The toll was wrong.', at: '2026-01-01T10:05:00.000Z' }
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1), 'p2'))
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1, 2), 'p3', { correction, changedFields: ['body', 'corrections'] }))
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1, 2), 'p4'))
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1), 'p5'))
    assert.deepEqual(ids(entries), ['e1@1', 'e1@2'])
    assert.deepEqual(entries[1]?.correction, correction)
    assert.deepEqual(entries[1]?.changedFields, ['body', 'corrections'])
    assert.equal(entries[1]?.channel, 'story:Bd-1')
    assert.equal(entries[1]?.snapshot, false)
    assert.equal(client.position, 'p5')
    assert.equal(client.stats.duplicates, 2)
  })

  test('the newsroom: an embargoed entry, then its release once', (t) => {
    const { entries } = start(t, { token: 'jwt' })
    const ws = FakeWebSocket.last.open()
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1), 'p1', { embargoed: true }))
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1), 'p2', { released: true }))
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1), 'p3', { released: true }))
    assert.deepEqual(
      entries.map((m) => [m.embargoed, m.released]),
      [
        [true, false],
        [false, true],
      ],
    )
  })

  test("the newsroom: a stand-in hold's entry is a guess; the writer's next record is taken whatever its number", (t) => {
    const { entries } = start(t, { token: 'jwt' })
    const ws = FakeWebSocket.last.open()
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1, 2), 'p1'))
    // a fan-out standing in for a hold it could not number: the live version + 1, a guess
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1, 3, { pubStatus: 'withheld' }), 'p2', { guess: true }))
    // the writer's record, numbered as the guess: its word replaces the guess's, once
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1, 3), 'p3'))
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1, 3), 'p4'))
    assert.deepEqual(
      entries.map((m) => [m.entry.version, m.entry.pubStatus, m.guess]),
      [
        [2, 'usable', false],
        [3, 'withheld', true],
        [3, 'usable', false],
      ],
    )
  })

  test('entryWithdrawn once; a deleted entry never comes back; one held under embargo comes back at its release', (t) => {
    const { entries, withdrawn } = start(t)
    const ws = FakeWebSocket.last.open()
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1), 'p1'))
    ws.push(entryWithdrawnFrame('Bd-1', 'e1', 2, 'p2'))
    ws.push(entryWithdrawnFrame('Bd-1', 'e1', 2, 'p3'))
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1, 3), 'p4'))
    ws.push(entryFrame('Bd-1', storyEntry('e2', 2), 'p5'))
    ws.push(entryWithdrawnFrame('Bd-1', 'e2', 2, 'p6', 'embargoed'))
    ws.push(entryFrame('Bd-1', storyEntry('e2', 2, 2), 'p7'))
    ws.push(entryWithdrawnFrame('Bd-1', 'e2', 3, 'p8', 'withheld'))
    assert.deepEqual(ids(entries), ['e1@1', 'e2@1', 'e2@2'])
    assert.deepEqual(
      withdrawn.map((w) => [w.entryId, w.version, w.cause, w.reason, w.position]),
      [
        ['e1', 2, 'deleted', 'deleted by the desk', 'p2'],
        ['e2', 2, 'embargoed', 'embargoed by the desk', 'p6'],
        ['e2', 3, 'withheld', 'withheld by the desk', 'p8'],
      ],
    )
    assert.equal('channel' in (withdrawn[0] ?? {}), false)
  })

  test('after a drop the client resumes from its position and re-delivers no entry already seen', (t) => {
    const { clock, entries, withdrawn } = start(t, { entries: 10 })
    const first = FakeWebSocket.last.open()
    first.push({ type: 'subscribed', id: 's1', channels: ['story:Bd-1'], position: 'p1', snapshot: [], entries: [storyEntry('e1', 1)] })
    first.push(entryFrame('Bd-1', storyEntry('e2', 2, 2), 'p2'))
    first.push(entryWithdrawnFrame('Bd-1', 'e1', 2, 'p3'))
    first.drop()
    clock.next()
    const second = FakeWebSocket.last.open()
    assert.notEqual(second, first)
    assert.deepEqual(second.subscribes[0], { type: 'subscribe', id: 's2', channels: ['story:Bd-1'], since: 'p3', entries: 10 })
    // a sloppy server: the snapshot and the last frames again, then what was missed
    second.push({ type: 'subscribed', id: 's2', channels: ['story:Bd-1'], position: 'p3', snapshot: [], entries: [storyEntry('e1', 1)] })
    second.push(entryFrame('Bd-1', storyEntry('e2', 2, 2), 'p2'))
    second.push(entryWithdrawnFrame('Bd-1', 'e1', 2, 'p3'))
    second.push(entryFrame('Bd-1', storyEntry('e3', 3), 'p4'))
    assert.deepEqual(ids(entries), ['e1@1', 'e2@2', 'e3@1'])
    assert.equal(withdrawn.length, 1)
  })

  test('a reset clears the filter; with entries it carries them, without none', (t) => {
    const { log, entries } = start(t)
    const ws = FakeWebSocket.last.open()
    ws.push({ type: 'subscribed', id: 's1', channels: ['story:Bd-1'], position: 'p1', snapshot: [], entries: [storyEntry('e1', 1)] })
    ws.push({
      type: 'reset',
      id: 's1',
      channels: ['story:Bd-1'],
      position: 'p9',
      reason: 'old',
      more: null,
      snapshot: [],
      entries: [storyEntry('e1', 1), storyEntry('e2', 1)],
      entriesMore: null,
    })
    ws.push({ type: 'reset', id: 's1', channels: ['story:Bd-1'], position: 'p10', reason: 'old', more: null, snapshot: [] })
    assert.deepEqual(ids(log.resets[0]?.entries ?? []), ['e1@1', 'e2@1'], 'e1 again: the reset replaces what the reader had')
    assert.equal(log.resets[0]?.entriesMore, null)
    assert.equal(log.resets[1]?.entries, undefined)
    assert.deepEqual(ids(entries), ['e1@1'], 'reset entries come in the reset, not as entry messages')
  })

  test('the async iterator yields entry and entryWithdrawn messages', async (t) => {
    const { client } = start(t)
    const ws = FakeWebSocket.last.open()
    const got: StreamMessage['type'][] = []
    const reading = (async () => {
      for await (const m of client) {
        got.push(m.type)
        if (got.length === 2) break
      }
    })()
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1), 'p1'))
    ws.push(entryWithdrawnFrame('Bd-1', 'e1', 2, 'p2'))
    await reading
    assert.deepEqual(got, ['entry', 'entryWithdrawn'])
  })
})

describe('storyEntries()', () => {
  test('the URL beside the stream, the token in a header; items the client had are left out and the stream does not bring them again', async (t) => {
    const { client, f, entries } = start(t, { token: 'jwt.x' })
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
    f.answers.push({
      status: 200,
      body: { storyId: 'Bd-1', items: [storyEntry('e5', 5), { ...storyEntry('e4', 4), embargoed: true }, storyEntry('e3', 3)], next: 3 },
    })
    const page = await storyEntries(client, 'Bd-1', { before: 5, limit: 3 })
    const r = f.requests[0]
    assert.equal(`${r?.url.origin}${r?.url.pathname}`, 'https://news.example/wire/v1/stories/Bd-1/entries')
    // the stream's position goes along: a server behind it answers 503 rather than what the stream took back
    assert.deepEqual(Object.fromEntries(r?.url.searchParams ?? []), { before: '5', limit: '3', at: 'p1' })
    assert.equal(r?.headers.authorization, 'Bearer jwt.x')
    assert.equal(r?.cache, 'no-store')
    assert.deepEqual(ids(page.items), ['e4@1', 'e3@1'])
    assert.equal(page.items[0]?.embargoed, true)
    assert.equal(page.items[0]?.snapshot, true)
    assert.equal(page.next, 3)
    ws.push(entryFrame('Bd-1', storyEntry('e3', 3), 'p2'))
    ws.push(entryFrame('Bd-1', storyEntry('e3', 3, 2), 'p3'))
    assert.deepEqual(ids(entries), ['e5@1', 'e3@2'])
  })

  test('an id with characters a path needs escaped; the newest page without before; problems and bad arguments', async (t) => {
    const { client, f } = start(t, { channels: ['story:a:b.c'], filter: { languages: ['bn'] } })
    // a page goes with the stream's position, so it waits for the first (red14)
    FakeWebSocket.last.open().push({ type: 'subscribed', id: 's1', channels: ['story:a:b.c'], position: 'p1', snapshot: [] })
    f.answers.push({ status: 200, body: { storyId: 'a:b.c', items: [], next: null } })
    assert.deepEqual(await storyEntries(client, 'a:b.c'), { storyId: 'a:b.c', items: [], next: null })
    assert.equal(f.requests[0]?.url.pathname, '/wire/v1/stories/a%3Ab.c/entries')
    assert.equal(f.requests[0]?.url.search, '?languages=bn&at=p1', "the reader's filter, as on the stream, and its position")
    assert.equal(f.requests[0]?.headers.authorization, undefined)
    assert.equal(f.requests[0]?.cache, 'no-cache')
    f.answers.push({ status: 404, body: { code: 'not_found', detail: 'no such story', status: 404 } })
    await assert.rejects(storyEntries(client, 'a:b.c'), (err: unknown) => {
      assert.ok(err instanceof ClientError)
      assert.equal(err.code, 'NEWSWIRE_ERR_CLIENT_REQUEST')
      assert.deepEqual(err.details, { status: 404, serverCode: 'not_found' })
      return true
    })
    f.answers.push({ status: 200, body: { nothing: true } })
    await assert.rejects(storyEntries(client, 'a:b.c'), /the answer has no items/)
    await assert.rejects(storyEntries(client, ''), TypeError)
    await assert.rejects(storyEntries(client, 'x', { before: 0 }), TypeError)
    await assert.rejects(storyEntries(client, 'x', { limit: 101 }), TypeError)
    await assert.rejects(storyEntries({} as never, 'x'), TypeError)
  })

  // an entry's deletion or hold reaches only the story's own subscription (rev31 review)
  test("a story the stream does not follow is refused before any request: its entries' deletions would never arrive", async (t) => {
    for (const channels of [['category:sports'], ['all'], ['story:a:b.c'], ['article:Bd-1']]) {
      const { client, f } = start(t, { channels })
      await assert.rejects(storyEntries(client, 'Bd-1'), (err: unknown) => {
        assert.ok(err instanceof ClientError)
        assert.deepEqual(err.details, { view: true })
        assert.match(err.message, /does not follow story:Bd-1/)
        return true
      })
      assert.equal(f.requests.length, 0, `${channels}: nothing asked`)
    }
    // the prefix is read as the server reads it; the id keeps its case
    const { client, f } = start(t, { channels: ['Story:Bd-1'] })
    FakeWebSocket.last.open().push({ type: 'subscribed', id: 's1', channels: ['story:Bd-1'], position: 'p1', snapshot: [] })
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [], next: null } })
    assert.deepEqual((await storyEntries(client, 'Bd-1')).items, [])
    await assert.rejects(storyEntries(client, 'bd-1'), /does not follow/)
  })

  // A reset clears the entry dedupe too: a page answered before an entry's deletion and read after
  // a reset brought the deleted entry back as a live one (a review, 2026-12-04), as older() did
  test('a page answered before an entry deletion and read after a reset is refused, never merged', async (t) => {
    const { client, f, withdrawn } = start(t)
    let answer: () => void = () => undefined
    const slow = new Promise<void>((resolve) => {
      answer = resolve
    })
    // the server answers with e3 as it stood (the answer is slow to arrive)
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e3', 3)], next: null }, until: slow })
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

  // The story's withdrawal forgets its entries (they may come back as they were if it runs again),
  // so nothing remembers that a page answered before it is of a story now down (stop 42 sweep, ks5)
  test('a page answered before the story came down and read after it is refused, never merged', async (t) => {
    for (const cause of ['withheld', 'embargoed', 'withdrawn']) {
      FakeWebSocket.reset()
      const { client, f } = start(t)
      let answer: () => void = () => undefined
      const slow = new Promise<void>((resolve) => {
        answer = resolve
      })
      f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e3', 3)], next: null }, until: slow })
      const ws = FakeWebSocket.last.open()
      ws.push({ type: 'subscribed', id: 's1', channels: ['story:Bd-1'], position: 'p1', snapshot: [], entries: [], entriesMore: 5 })
      const page = storyEntries(client, 'Bd-1', { before: 5 })
      await flush()
      ws.push({ type: 'withdrawn', position: 'p2', articleId: 'Bd-1', reason: null, cause })
      answer()
      const got = await page.then(
        (p) => `merged: ${p.items.map((m) => `${m.entry.id}@${m.entry.version}`).join(',')}`,
        (err: unknown) =>
          err instanceof ClientError && err.details.storyDown === true ? 'refused (story down)' : `rejected: ${String(err)}`,
      )
      assert.equal(got, 'refused (story down)', `${cause}: e3 of a story now down must not be handed out`)
      // asked again (the story running again or not), the page is taken; a killed story's entries
      // never are, whoever answers (a kill is final: red18 attack run)
      f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e3', 3)], next: null } })
      assert.deepEqual(
        (await storyEntries(client, 'Bd-1', { before: 5 })).items.map((m) => m.entry.id),
        cause === 'withdrawn' ? [] : ['e3'],
      )
    }
  })
})
