// followStory() against a scripted WebSocket and fetch: the snapshot (story, pinned, latest),
// live entries, edits and removals, paging older entries without duplicates, the story going and
// coming back (a kill for good), gaps, resets.
import assert from 'node:assert/strict'
import { beforeEach, describe, test, type TestContext } from 'node:test'
import { type ClientError, connect, followStory, type StoryEntryRemoved, type StoryEntryUpdate } from '../src/index.ts'
import { FakeClock, FakeWebSocket, flush } from './fakes.ts'
import { jsonFetch } from './fakes.ts'
import { entryFrame, entryWithdrawnFrame, storyEntry } from './story-fakes.ts'

const storyEvent = (version: number, extra: Record<string, unknown> = {}) => ({
  eventId: `s-v${version}`,
  type: version === 1 ? 'CREATED' : 'UPDATED',
  article: { id: 'Bd-1', version, headline: `Live: port fire v${version}`, language: 'bn', live: true },
  ...extra,
})

function start(t: TestContext) {
  const f = jsonFetch()
  const clock = new FakeClock()
  const client = connect('wss://news.example', {
    channels: ['story:Bd-1'],
    entries: 3,
    WebSocket: FakeWebSocket,
    fetch: f.fetch,
    clock,
  })
  t.after(() => client.close())
  const updates: StoryEntryUpdate[] = []
  const removed: StoryEntryRemoved[] = []
  const errors: ClientError[] = []
  const story = followStory(client, 'Bd-1', { entry: (u) => updates.push(u), entryRemoved: (r) => removed.push(r) })
  story.on('error', (e) => errors.push(e))
  const ws = FakeWebSocket.last.open()
  return { client, f, story, updates, removed, errors, ws, clock }
}

/** The snapshot: the story, a pinned summary (seq 1) and the latest three (8, 9, 10); older below 8. */
function snapshot(ws: FakeWebSocket) {
  ws.push({
    type: 'subscribed',
    id: 's1',
    channels: ['story:Bd-1'],
    position: 'p1',
    replay: 'none',
    more: null,
    snapshot: [storyEvent(1)],
    entries: [
      storyEntry('e1', 1, 1, { pinned: true }),
      storyEntry('e10', 10),
      storyEntry('e9', 9, 1, { keyEvent: true }),
      storyEntry('e8', 8),
    ],
    entriesMore: 8,
  })
}

const held = (story: { entries: readonly { id: string; version: number }[] }) => story.entries.map((e) => `${e.id}@${e.version}`)

/** An answer held back: the fake fetch answers once `answer()` is called (`until` resolves). */
function slowAnswer(): { until: Promise<void>; answer: () => void } {
  let answer = () => {}
  const until = new Promise<void>((resolve) => {
    answer = resolve
  })
  return { until, answer }
}

beforeEach(() => FakeWebSocket.reset())

describe('followStory', () => {
  test('the snapshot: the story, the pinned entry and the latest ones, by seq', async (t) => {
    const { story, updates } = start(t)
    const before = story.story
    assert.equal(before, null)
    assert.deepEqual(story.entries, [])
    const ws = FakeWebSocket.last
    snapshot(ws)
    await flush()
    assert.equal(story.story?.headline, 'Live: port fire v1')
    assert.deepEqual(held(story), ['e1@1', 'e8@1', 'e9@1', 'e10@1'])
    assert.deepEqual(
      story.pinned.map((e) => e.id),
      ['e1'],
    )
    assert.deepEqual(new Set(updates.map((u) => u.source)), new Set(['snapshot']))
    assert.equal(story.hasOlder, true)
    assert.equal(story.gone, null)
  })

  test('live: a new entry, an edit with its correction, a removal; other stories are not ours', (t) => {
    const { story, updates, removed, ws } = start(t)
    snapshot(ws)
    ws.push(entryFrame('Bd-1', storyEntry('e11', 11), 'p2'))
    const correction = { note: 'Wrong toll.', at: '2026-01-01T10:20:00.000Z' }
    ws.push(entryFrame('Bd-1', storyEntry('e9', 9, 2, { keyEvent: true }), 'p3', { correction, changedFields: ['body'] }))
    ws.push(entryWithdrawnFrame('Bd-1', 'e10', 2, 'p4', 'withheld'))
    ws.push(entryWithdrawnFrame('Bd-1', 'e404', 2, 'p5'))
    ws.push(entryFrame('Other', storyEntry('x1', 1), 'p6'))
    assert.deepEqual(held(story), ['e1@1', 'e8@1', 'e9@2', 'e11@1'])
    const live = updates.filter((u) => u.source === 'live')
    assert.deepEqual(
      live.map((u) => [u.entry.id, u.previous?.version ?? null, u.correction?.note ?? null, u.changedFields]),
      [
        ['e11', null, null, []],
        ['e9', 1, 'Wrong toll.', ['body']],
      ],
    )
    assert.deepEqual(
      removed.map((r) => [r.entryId, r.cause, r.reason, r.entry.seq]),
      [['e10', 'withheld', 'withheld by the desk', 10]],
    )
  })

  test('older(): pages below the snapshot, merged without duplicates, to the end', async (t) => {
    const { story, f, updates, ws } = start(t)
    snapshot(ws)
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e7', 7), storyEntry('e6', 6)], next: 6 } })
    // both calls share one request
    const [a, b] = await Promise.all([story.older(2), story.older(2)])
    assert.equal(a, b)
    assert.deepEqual(
      a.map((e) => e.id),
      ['e6', 'e7'],
      'oldest first',
    )
    assert.deepEqual(Object.fromEntries(f.requests[0]?.url.searchParams ?? []), { before: '8', limit: '2', at: 'p1' })
    // the last page holds the pinned entry again (seq 1): held once
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e5', 5), storyEntry('e1', 1)], next: null } })
    assert.deepEqual(
      (await story.older()).map((e) => e.id),
      ['e5'],
    )
    assert.deepEqual(Object.fromEntries(f.requests[1]?.url.searchParams ?? []), { before: '6', at: 'p1' })
    assert.deepEqual(held(story), ['e1@1', 'e5@1', 'e6@1', 'e7@1', 'e8@1', 'e9@1', 'e10@1'])
    assert.equal(story.hasOlder, false)
    assert.deepEqual(await story.older(), [])
    assert.equal(f.requests.length, 2)
    assert.equal(updates.filter((u) => u.source === 'page').length, 3)
    // a paged entry edited later comes live
    ws.push(entryFrame('Bd-1', storyEntry('e6', 6, 2), 'p2'))
    assert.deepEqual(held(story).slice(2, 3), ['e6@2'])
  })

  test('the story withdrawn: every entry dropped, gone with its cause; running again, the newest page comes back', async (t) => {
    const { story, f, removed, ws } = start(t)
    const gone: string[] = []
    story.on('gone', (g) => gone.push(`${g.cause}`))
    snapshot(ws)
    ws.push({ type: 'withdrawn', position: 'p2', articleId: 'Bd-1', reason: 'legal', cause: 'withheld' })
    assert.deepEqual(gone, ['withheld'])
    assert.deepEqual(story.entries, [])
    assert.deepEqual(removed, [], 'one gone, not an entryRemoved per entry')
    assert.equal(story.hasOlder, false)
    assert.deepEqual(await story.older(), [])
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e10', 10), storyEntry('e9', 9)], next: 9 } })
    ws.push({ type: 'event', channel: 'story:Bd-1', position: 'p3', event: storyEvent(2) })
    assert.equal(story.gone, null)
    await flush()
    assert.deepEqual(Object.fromEntries(f.requests[0]?.url.searchParams ?? []), { limit: '100', at: 'p3' })
    assert.deepEqual(held(story), ['e9@1', 'e10@1'])
    assert.equal(story.hasOlder, true)
  })

  test('the newsroom: a killed story comes as a version of it, and its entries go', (t) => {
    const { story, removed, ws } = start(t)
    snapshot(ws)
    ws.push({
      type: 'event',
      channel: 'story:Bd-1',
      position: 'p2',
      event: { ...storyEvent(2), type: 'WITHDRAWN', article: { ...storyEvent(2).article, pubStatus: 'canceled' } },
    })
    assert.equal(story.story?.pubStatus, 'canceled', 'the newsroom keeps the story, as killed')
    assert.deepEqual(story.entries, [])
    assert.equal(removed.length, 4)
    assert.deepEqual(new Set(removed.map((r) => r.cause)), new Set(['story']))
    assert.equal(story.hasOlder, false)
  })

  test('after a kill no entry of the story is taken again, live or in a snapshot; after a hold one is', async (t) => {
    // The server sends none after a kill; a late or misrouted one must still not show (a kill is final)
    const resumed = (position: string) => ({
      type: 'subscribed',
      id: 's1',
      channels: ['story:Bd-1'],
      position,
      replay: 'memory',
      snapshot: [],
      entries: [storyEntry('e12', 12)],
    })
    for (const cause of ['withdrawn', 'canceled']) {
      FakeWebSocket.reset()
      const { story, f, updates, ws } = start(t)
      snapshot(ws)
      ws.push({ type: 'withdrawn', position: 'p2', articleId: 'Bd-1', reason: 'legal', cause })
      const before = updates.length
      ws.push(entryFrame('Bd-1', storyEntry('e11', 11), 'p3'))
      ws.push(resumed('p4'))
      ws.push({ type: 'gap', id: 's1', position: 'p5', shed: {}, conflated: 1 })
      await flush()
      assert.deepEqual(held(story), [], `${cause}: nothing held`)
      assert.deepEqual(updates.slice(before), [], `${cause}: no entry announced`)
      assert.equal(f.requests.length, 0, `${cause}: no page asked for`)
    }

    // The newsroom hears of a kill as a version of the story
    FakeWebSocket.reset()
    const newsroom = start(t)
    snapshot(newsroom.ws)
    const kill = { ...storyEvent(2), type: 'WITHDRAWN', article: { ...storyEvent(2).article, pubStatus: 'canceled' } }
    newsroom.ws.push({ type: 'event', channel: 'story:Bd-1', position: 'p2', event: kill })
    newsroom.ws.push(entryFrame('Bd-1', storyEntry('e11', 11), 'p3'))
    newsroom.ws.push({ type: 'gap', id: 's1', position: 'p4', shed: {}, conflated: 1 })
    await flush()
    assert.deepEqual(held(newsroom.story), [], 'newsroom: nothing held after the kill')
    assert.equal(newsroom.f.requests.length, 0, 'newsroom: no page asked for a killed story')

    // A hold is not a kill: once the story runs again, its entries are taken
    FakeWebSocket.reset()
    const hold = start(t)
    snapshot(hold.ws)
    hold.ws.push({ type: 'withdrawn', position: 'p2', articleId: 'Bd-1', reason: null, cause: 'embargoed' })
    hold.f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e10', 10)], next: null } })
    hold.ws.push({ type: 'event', channel: 'story:Bd-1', position: 'p3', event: storyEvent(2), released: true })
    hold.ws.push(entryFrame('Bd-1', storyEntry('e11', 11), 'p4'))
    await flush()
    assert.deepEqual(held(hold.story), ['e10@1', 'e11@1'])
  })

  test('a page asked for before a hold is dropped, and the story running again asks for the newest page anyway', async (t) => {
    const { story, f, ws } = start(t)
    snapshot(ws)
    // a gap: the newest page is on its way (slow) when the story is held
    const { until, answer } = slowAnswer()
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e11', 11), storyEntry('e7', 7)], next: 7 }, until })
    ws.push({ type: 'gap', id: 's1', position: 'p2', shed: {}, conflated: 1 })
    await flush()
    ws.push({ type: 'withdrawn', position: 'p3', articleId: 'Bd-1', reason: null, cause: 'withheld' })
    // held, e7 deleted meanwhile (its deletion went to no one: the story was down); then it runs again
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e11', 11), storyEntry('e10', 10)], next: 10 } })
    ws.push({ type: 'event', channel: 'story:Bd-1', position: 'p4', event: storyEvent(2), released: true })
    answer()
    await flush()
    await flush()
    assert.equal(f.requests.length, 2, 'the newest page asked for again once the story runs again')
    assert.deepEqual(held(story), ['e10@1', 'e11@1'], 'the page from before the hold is not taken')
    assert.equal(story.hasOlder, true)
  })

  test('older(): a page on its way when the story comes down resolves with nothing', async (t) => {
    const { story, f, ws } = start(t)
    snapshot(ws)
    const { until, answer } = slowAnswer()
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e7', 7)], next: 7 }, until })
    const page = story.older(1)
    await flush()
    ws.push({ type: 'withdrawn', position: 'p2', articleId: 'Bd-1', reason: null, cause: 'withheld' })
    answer()
    assert.deepEqual(await page, [])
    assert.deepEqual(story.entries, [])
  })

  test('a follower closed while its newest page is on its way takes nothing of it', async (t) => {
    const { story, f, updates, ws } = start(t)
    snapshot(ws)
    const { until, answer } = slowAnswer()
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e11', 11)], next: 10 }, until })
    ws.push({ type: 'gap', id: 's1', position: 'p2', shed: {}, conflated: 1 })
    await flush()
    const before = updates.length
    story.close()
    answer()
    await flush()
    await flush()
    assert.deepEqual(updates.slice(before), [], 'no entry announced after close()')
  })

  test('a gap: the newest page is asked for and merged, the paging cursor kept', async (t) => {
    const { story, f, ws } = start(t)
    snapshot(ws)
    f.answers.push({
      status: 200,
      body: { storyId: 'Bd-1', items: [storyEntry('e12', 12), storyEntry('e11', 11), storyEntry('e10', 10, 3)], next: 10 },
    })
    ws.push({ type: 'gap', id: 's1', position: 'p7', shed: { routine: 3 }, conflated: 0 })
    await flush()
    assert.deepEqual(held(story), ['e1@1', 'e8@1', 'e9@1', 'e10@3', 'e11@1', 'e12@1'])
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [], next: null } })
    await story.older()
    assert.equal(f.requests[1]?.url.searchParams.get('before'), '8', 'still below the snapshot')
  })

  test('a gap whose newest page is refused as not ready past the page’s own waits: asked again later, then merged', async (t) => {
    // a process reading a backlog answers 503 not_ready for the stream's position for longer than
    // the page's own waits (250, 500, 1,000 ms): what the gap shed comes back only by this page
    const { story, f, ws, clock, errors } = start(t)
    snapshot(ws)
    const notReady = { status: 503, body: { code: 'not_ready', detail: 'behind' } }
    f.answers.push(notReady, notReady, notReady, notReady, notReady, notReady, notReady, notReady)
    ws.push({ type: 'gap', id: 's1', position: 'p7', shed: { routine: 1 }, conflated: 0 })
    // the first refill gives up at 1.75 s; asked again 2 s later, it gives up at 5.5 s
    for (let i = 0; i < 30; i++) {
      await flush()
      clock.advance(250)
    }
    assert.deepEqual(errors, [], 'a refusal to wait for is no error')
    assert.equal(f.answers.length, 0, 'asked again after the first refill gave up')
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e11', 11), storyEntry('e10', 10, 2)], next: 10 } })
    for (let i = 0; i < 40 && f.answers.length > 0; i++) {
      await flush()
      clock.advance(500)
    }
    await flush()
    assert.deepEqual(held(story), ['e1@1', 'e8@1', 'e9@1', 'e10@2', 'e11@1'])
    // closed while a retry waits: its entries are not asked again (the client, left alone a minute, reconnects)
    const pages = () => f.requests.filter((r) => r.url.pathname.endsWith('/entries')).length
    const asked = pages()
    f.answers.push(notReady, notReady, notReady, notReady)
    ws.push({ type: 'gap', id: 's1', position: 'p8', shed: { routine: 1 }, conflated: 0 })
    for (let i = 0; i < 12; i++) {
      await flush()
      clock.advance(250)
    }
    story.close()
    clock.advance(60_000)
    await flush()
    assert.equal(pages(), asked + 4)
  })

  test('a gap after pages: older() pages again from below the snapshot, and a page on its way then does not move the cursor', async (t) => {
    // a page leaves out what the stream is to bring from the page's `at`; a gap means the stream
    // dropped some of that, so the pages so far may lack an entry (red18 attack run)
    const { story, f, ws } = start(t)
    snapshot(ws)
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e7', 7)], next: 7 } })
    await story.older(1)
    const { until, answer } = slowAnswer()
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e5', 5)], next: null }, until })
    const onItsWay = story.older(1)
    await flush()
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e10', 10)], next: 9 } })
    ws.push({ type: 'gap', id: 's1', position: 'p7', shed: { routine: 1 }, conflated: 0 })
    answer()
    await onItsWay
    await flush()
    assert.equal(story.hasOlder, true, 'older entries may be paged in again')
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e6', 6)], next: 6 } })
    await story.older(1)
    assert.equal(f.requests.at(-1)?.url.searchParams.get('before'), '8', 'paged again from below the snapshot')
    assert.deepEqual(held(story), ['e1@1', 'e5@1', 'e6@1', 'e7@1', 'e8@1', 'e9@1', 'e10@1'])
  })

  test('a reset: what was held is removed; its entries (or the newest page) replace it', async (t) => {
    const { story, f, removed, ws } = start(t)
    snapshot(ws)
    ws.push({
      type: 'reset',
      channels: ['story:Bd-1'],
      position: 'p9',
      more: null,
      snapshot: [storyEvent(1)],
      entries: [storyEntry('e12', 12)],
      entriesMore: 12,
    })
    assert.equal(removed.length, 4)
    assert.deepEqual(new Set(removed.map((r) => r.cause)), new Set(['reset']))
    assert.deepEqual(held(story), ['e12@1'])
    f.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e13', 13)], next: 13 } })
    ws.push({ type: 'reset', channels: ['story:Bd-1'], position: 'p10', more: null, snapshot: [storyEvent(1)] })
    await flush()
    assert.deepEqual(held(story), ['e13@1'])
    // a reset without the story: gone
    ws.push({ type: 'reset', channels: ['story:Bd-1'], position: 'p11', more: null, snapshot: [] })
    assert.equal(story.gone?.cause, 'absent')
    assert.deepEqual(story.entries, [])
  })

  test('errors: a failed refill and a throwing listener are reported; the client must carry the story channel', async (t) => {
    const { story, errors, ws } = start(t)
    snapshot(ws)
    ws.push({ type: 'gap', id: 's1', position: 'p7', shed: {}, conflated: 1 })
    await flush()
    assert.equal(errors[0]?.code, 'NEWSWIRE_ERR_CLIENT_REQUEST')
    story.on('entry', () => {
      throw new Error('boom')
    })
    ws.push(entryFrame('Bd-1', storyEntry('e11', 11), 'p8'))
    assert.equal(errors[1]?.code, 'NEWSWIRE_ERR_CLIENT_LISTENER')
    assert.deepEqual(story.entries.at(-1)?.id, 'e11')
    story.close()
    ws.push(entryFrame('Bd-1', storyEntry('e12', 12), 'p9'))
    assert.equal(story.entries.at(-1)?.id, 'e11')
    const other = connect('wss://x', { channels: ['story:Other'], WebSocket: FakeWebSocket, clock: new FakeClock() })
    t.after(() => other.close())
    assert.throws(() => followStory(other, 'Bd-1'), /channels: \['story:Bd-1'\]/)
  })
})
