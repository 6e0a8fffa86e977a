// Paging and counts beside the stream: `subscribed.more` / `reset.more`, older(client, ) and
// counts(client) against a scripted WebSocket and fetch.
import assert from 'node:assert/strict'
import { beforeEach, describe, test, type TestContext } from 'node:test'
import { ClientError, type ConnectOptions, connect, counts, type FetchLike, older } from '../src/index.ts'
import { articleEvent, FakeClock, FakeWebSocket, flush, jsonFetch, record } from './fakes.ts'

function start(t: TestContext, overrides: Partial<ConnectOptions> = {}) {
  const f = jsonFetch()
  const client = connect('wss://news.example/wire', {
    channels: ['all'],
    filter: { languages: ['bn'], tickerFieldsOnly: true },
    WebSocket: FakeWebSocket,
    transport: 'websocket',
    fetch: f.fetch,
    clock: new FakeClock(),
    random: () => 0.5,
    ...overrides,
  })
  t.after(() => client.close())
  return { client, f, log: record(client) }
}

beforeEach(() => FakeWebSocket.reset())

describe('client: older pages and counts', () => {
  test('a fresh snapshot brings its cursor; a resume does not (keep yours); a reset brings a new one', (t) => {
    const { log } = start(t)
    const ws = FakeWebSocket.last.open()
    ws.push({ type: 'subscribed', id: 's1', channels: ['all'], position: 'p1', snapshot: [], more: 'c-1' })
    ws.push({ type: 'subscribed', id: 's1', channels: ['all'], position: 'p2', replay: 'memory', snapshot: [] })
    ws.push({ type: 'reset', id: 's1', position: 'p3', reason: 'old', more: null, snapshot: [] })
    assert.deepEqual(
      log.subscribed.map((s) => s.more),
      ['c-1', undefined],
    )
    assert.equal(log.resets[0]?.more, null)
  })

  test('older(): the view, the cursor and the token (in a header, not the URL); items as snapshot items, none twice', async (t) => {
    const { client, f, log } = start(t, { token: 'jwt.x' })
    const ws = FakeWebSocket.last.open()
    ws.push({ type: 'subscribed', id: 's1', channels: ['all'], position: 'p1', snapshot: [articleEvent('a', 2)], more: 'c-1' })
    f.answers.push({
      status: 200,
      body: { items: [articleEvent('a', 2), { ...articleEvent('b', 1), embargoed: true }, articleEvent('c', 1)], next: 'c-2' },
    })
    const page = await older(client, 'c-1', { limit: 3 })
    const r = f.requests[0]
    assert.equal(r?.url.origin + (r?.url.pathname ?? ''), 'https://news.example/wire/v1/snapshot')
    // the stream's position goes along: a server behind it answers 503 rather than what the stream took back
    assert.deepEqual(Object.fromEntries(r?.url.searchParams ?? []), {
      channels: 'all',
      languages: 'bn',
      before: 'c-1',
      limit: '3',
      at: 'p1',
    })
    assert.equal(r?.headers.authorization, 'Bearer jwt.x')
    assert.equal(r?.cache, 'no-store')
    // a@2 came in the snapshot: left out; b is flagged embargoed
    assert.deepEqual(
      page.items.map((m) => [m.event.article.id, m.embargoed, m.snapshot, m.channel]),
      [
        ['b', true, true, null],
        ['c', false, true, null],
      ],
    )
    assert.equal(page.next, 'c-2')
    // the stream does not deliver those versions again; b's release still comes
    ws.push({ type: 'event', channel: 'all', position: 'p2', event: articleEvent('c', 1) })
    ws.push({ type: 'event', channel: 'all', position: 'p3', event: articleEvent('b', 1), released: true })
    assert.deepEqual(
      log.events.map((m) => [m.event.article.id, m.released]),
      [
        ['a', false],
        ['b', true],
      ],
    )
    // the newest page of a narrower view
    f.answers.push({ status: 200, body: { items: [], next: null } })
    await older(client, null, { filter: { languages: ['bn'], states: ['embargoed', 'withheld'] } })
    assert.deepEqual(Object.fromEntries(f.requests[1]?.url.searchParams ?? []), {
      channels: 'all',
      languages: 'bn',
      states: 'embargoed,withheld',
      at: 'p3',
    })
  })

  test("older(): a view wider than the stream's is refused before asking: its stories' kills would never come", async (t) => {
    const { client, f } = start(t, { channels: ['breaking', 'category:sports'], filter: { languages: ['bn'], maxUrgency: 3 } })
    FakeWebSocket.last
      .open()
      .push({ type: 'subscribed', id: 's1', channels: ['breaking', 'category:sports'], position: 'p1', snapshot: [] })
    const refused = async (options: Parameters<typeof older>[2], field: RegExp) =>
      assert.rejects(older(client, null, options), (err: unknown) => {
        assert.ok(err instanceof ClientError)
        assert.equal(err.code, 'NEWSWIRE_ERR_CLIENT_REQUEST')
        assert.deepEqual(err.details, { view: true })
        assert.match(err.message, field)
        return true
      })
    await refused({ channels: ['category:politics'] }, /channel category:politics/)
    await refused({ channels: ['all'] }, /channel all/)
    await refused({ filter: { states: ['live'] } }, /filter\.languages/)
    await refused({ filter: { languages: ['bn', 'en'], maxUrgency: 3 } }, /filter\.languages/)
    await refused({ filter: { languages: ['bn'], maxUrgency: 5 } }, /filter\.maxUrgency/)
    await refused({ filter: { languages: ['bn'] } }, /filter\.maxUrgency/)
    // an empty list is left out of the request, which asks for everything (rev31 review)
    await refused({ channels: [] }, /no channels/)
    await refused({ filter: { languages: [], maxUrgency: 3 } }, /filter\.languages/)
    await refused({ channels: ['lang:bn'] }, /channel lang:bn/)
    assert.equal(f.requests.length, 0, 'nothing was asked of the server')
    // narrower: fewer channels, the same or tighter filter
    f.answers.push({ status: 200, body: { items: [], next: null } }, { status: 200, body: { items: [], next: null } })
    await older(client, null, { channels: ['category:sports'] })
    await older(client, null, { channels: ['breaking'], filter: { languages: ['bn'], maxUrgency: 1, categories: ['national'] } })
    assert.equal(f.requests.length, 2)
    // as the server reads names: case-insensitive, bn-BD within bn
    f.answers.push({ status: 200, body: { items: [], next: null } })
    await older(client, null, { channels: ['Category:Sports'], filter: { languages: ['bn-BD'], maxUrgency: 3 } })
    assert.equal(f.requests.length, 3)
    client.update(['all'], {})
    f.answers.push({ status: 200, body: { items: [], next: null } })
    await older(client, null, { channels: ['category:politics'], filter: { states: ['live'] } })
    assert.equal(f.requests.length, 4, "after update() the new stream's view is the bound")
  })

  test('a problem is a ClientError with the server detail; bad arguments are TypeErrors', async (t) => {
    const { client, f } = start(t, { channels: ['breaking'], filter: undefined })
    FakeWebSocket.last.open().push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'p1', snapshot: [] })
    f.answers.push({ status: 400, body: { code: 'invalid_cursor', detail: 'the cursor is malformed', status: 400 } })
    await assert.rejects(older(client, 'nonsense'), (err: unknown) => {
      assert.ok(err instanceof ClientError)
      assert.equal(err.code, 'NEWSWIRE_ERR_CLIENT_REQUEST')
      assert.deepEqual(err.details, { status: 400, serverCode: 'invalid_cursor' })
      assert.match(err.message, /GET \/wire\/v1\/snapshot: HTTP 400: the cursor is malformed/)
      return true
    })
    // the public: no token, and a browser may revalidate its cached copy
    assert.equal(f.requests[0]?.headers.authorization, undefined)
    assert.equal(f.requests[0]?.cache, 'no-cache')
    await assert.rejects(older(client, 'c', { limit: 0 }), TypeError)
    // seventh mutation batch, rs8: the bound the server keeps (a larger page is its 400)
    await assert.rejects(older(client, 'c', { limit: 201 }), TypeError)
    f.answers.push({ status: 200, body: { items: [], next: null } })
    assert.deepEqual(await older(client, 'c', { limit: 200 }), { items: [], next: null })
    await assert.rejects(older(client, ''), TypeError)
    await assert.rejects(counts(client, { windowSeconds: 10 }), TypeError)
    await flush()
  })

  // seventh mutation batch, rs9: without its timer a page the server never answers is never given up
  test('a page the server never answers is given up after connectTimeoutMs', async (t) => {
    const clock = new FakeClock()
    const hang: FetchLike = (_url, init) =>
      new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(new Error('aborted'))))
    const { client } = start(t, { clock, fetch: hang, connectTimeoutMs: 5_000 })
    FakeWebSocket.last.open().push({ type: 'subscribed', id: 's1', channels: ['all'], position: 'p1', snapshot: [], more: 'c-1' })
    const page = older(client, 'c-1')
    await flush()
    clock.advance(5_000)
    await assert.rejects(page, /no answer within 5000 ms/)
  })

  // red9 attack run: a page from a process behind the stream (FANOUT_WORKERS, instances) could hold
  // what the stream took back; the server answers 503 not_ready for the client's `at`, and a moment later it has read on
  test('a server behind the stream (503 not_ready) is asked again after 250, 500 and 1,000 ms, then the problem is the answer', async (t) => {
    const clock = new FakeClock()
    const { client, f } = start(t, { clock })
    FakeWebSocket.last.open().push({ type: 'subscribed', id: 's1', channels: ['all'], position: 'p9', snapshot: [], more: 'c-1' })
    const notReady = {
      status: 503,
      body: { code: 'not_ready', detail: 'this instance has not read as far as the reader’s stream yet; retry' },
    }
    f.answers.push(notReady, notReady, { status: 200, body: { items: [articleEvent('z', 1)], next: null } })
    const page = older(client, 'c-1')
    await flush()
    assert.equal(f.requests.length, 1)
    assert.equal(clock.pending[0], 250)
    clock.advance(250)
    await flush()
    assert.equal(f.requests.length, 2)
    assert.equal(clock.pending[0], 500)
    clock.advance(500)
    assert.deepEqual(
      (await page).items.map((m) => m.event.article.id),
      ['z'],
    )
    assert.ok(f.requests.every((r) => r.url.searchParams.get('at') === 'p9'))
    // never more than three times again; any other problem is not asked again
    f.answers.push(notReady, notReady, notReady, notReady)
    const gaveUp = assert.rejects(
      older(client, 'c-1'),
      (err: unknown) => err instanceof ClientError && err.details.serverCode === 'not_ready',
    )
    for (const ms of [250, 500, 1000]) {
      await flush()
      clock.advance(ms)
    }
    await gaveUp
    assert.equal(f.requests.length, 3 + 4)
    f.answers.push({ status: 503, body: { code: 'overloaded', detail: 'busy' } })
    await assert.rejects(older(client, 'c-1'), (err: unknown) => err instanceof ClientError && err.details.serverCode === 'overloaded')
    assert.equal(f.requests.length, 3 + 4 + 1)
  })

  // counts are kept from the stream afterwards: a story counted from outside its view would stay
  // counted after its kill (rev32 review)
  test("counts(): a view wider than the stream's is refused before asking, as by older()", async (t) => {
    const { client, f } = start(t, { channels: ['category:sports'], filter: { languages: ['bn'] } })
    FakeWebSocket.last.open().push({ type: 'subscribed', id: 's1', channels: ['category:sports'], position: 'p1', snapshot: [] })
    await assert.rejects(counts(client, { channels: ['category:politics'] }), (err: unknown) => {
      assert.ok(err instanceof ClientError)
      assert.deepEqual(err.details, { view: true })
      assert.match(err.message, /^counts\(\): channel category:politics/)
      return true
    })
    await assert.rejects(counts(client, { channels: ['category:sports'], filter: { languages: [] } }), /filter\.languages/)
    assert.equal(f.requests.length, 0)
    f.answers.push({ status: 200, body: { from: '', to: '', categories: [], articles: [], truncated: false } })
    await counts(client, { channels: ['Category:Sports'], filter: { languages: ['bn'] } })
    assert.equal(f.requests.length, 1, 'a narrower view is asked for')
  })

  test('counts(): the view and the window', async (t) => {
    const { client, f } = start(t, { token: 'jwt.y' })
    FakeWebSocket.last.open().push({ type: 'subscribed', id: 's1', channels: ['all'], position: 'p5', snapshot: [] })
    const body = {
      from: '2026-01-01T10:00:00.000Z',
      to: '2026-01-01T11:00:00.000Z',
      categories: [{ category: 'home', label: 'Home', count: 1 }],
      articles: [{ id: 'a', version: 2, category: 'home', at: '2026-01-01T10:30:00.000Z' }],
      truncated: false,
    }
    f.answers.push({ status: 200, body })
    assert.deepEqual(await counts(client, { windowSeconds: 7200 }), body)
    assert.deepEqual(Object.fromEntries(f.requests[0]?.url.searchParams ?? []), {
      channels: 'all',
      languages: 'bn',
      window: '7200',
      at: 'p5',
    })
    assert.equal(f.requests[0]?.url.pathname, '/wire/v1/counts')
  })

  // counts are kept from the stream afterwards: a server behind the stream would count a story the
  // stream has already killed, and nothing would take it out again (red10)
  test("counts(): asked as of the stream's position, and asked again while that server is behind it", async (t) => {
    const clock = new FakeClock()
    const { client, f } = start(t, { clock })
    FakeWebSocket.last.open().push({ type: 'subscribed', id: 's1', channels: ['all'], position: 'p7', snapshot: [] })
    const body = { from: '', to: '', categories: [], articles: [], truncated: false }
    f.answers.push({ status: 503, body: { code: 'not_ready', detail: 'behind' } }, { status: 200, body })
    const answer = counts(client)
    await flush()
    clock.advance(250)
    assert.deepEqual(await answer, body)
    assert.deepEqual(
      f.requests.map((r) => r.url.searchParams.get('at')),
      ['p7', 'p7'],
    )
  })
})
