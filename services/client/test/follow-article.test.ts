// followArticle() against a scripted WebSocket: the snapshot version, live updates with what
// changed and the correction, gone with the cause, absent from the snapshot, reset, close.
import assert from 'node:assert/strict'
import { beforeEach, describe, test, type TestContext } from 'node:test'
import { type ArticleGone, type ArticleUpdate, connect, followArticle } from '../src/index.ts'
import { FakeClock, FakeWebSocket, flush } from './fakes.ts'

function start(t: TestContext, id = 'Bd-1') {
  const client = connect('wss://news.example', { channels: [`article:${id}`], WebSocket: FakeWebSocket, clock: new FakeClock() })
  t.after(() => client.close())
  const updates: ArticleUpdate[] = []
  const gone: ArticleGone[] = []
  const follower = followArticle(client, id, { update: (u) => updates.push(u), gone: (g) => gone.push(g) })
  return { client, follower, updates, gone, ws: FakeWebSocket.last.open() }
}

const story = (version: number, extra: Record<string, unknown> = {}) => ({
  eventId: `bd-1-v${version}`,
  type: version === 1 ? 'CREATED' : 'UPDATED',
  article: { id: 'Bd-1', version, headline: `Port fire v${version}`, language: 'bn', body: ['…'] },
  ...extra,
})

const subscribed = (snapshot: unknown[]) => ({
  type: 'subscribed',
  id: 's1',
  channels: ['article:Bd-1'],
  position: 'p1',
  replay: 'none',
  more: null,
  snapshot,
})

beforeEach(() => FakeWebSocket.reset())

describe('followArticle', () => {
  test('the snapshot version, then live updates: what changed and the correction note', async (t) => {
    const { follower, updates, gone, ws } = start(t)
    ws.push(subscribed([story(2, { changedFields: ['summary'] })]))
    const correction = { note: 'An earlier version gave the wrong toll.', at: '2026-01-01T10:00:00.000Z' }
    ws.push({
      type: 'event',
      channel: 'article:Bd-1',
      position: 'p2',
      event: story(3, { changedFields: ['headline', 'body'], correction }),
    })
    ws.push({ type: 'event', channel: 'article:Bd-1', position: 'p3', event: { ...story(9), article: { id: 'other', version: 9 } } })
    await flush()
    assert.deepEqual(
      updates.map((u) => [u.version, u.snapshot, u.changedFields, u.correction?.note ?? null]),
      [
        [2, true, ['summary'], null],
        [3, false, ['headline', 'body'], correction.note],
      ],
    )
    assert.equal(follower.article?.headline, 'Port fire v3')
    assert.equal(updates[1]?.message.position, 'p2')
    assert.deepEqual(gone, [], 'a snapshot that holds it is not absent')
  })

  test('withdrawn: gone with the cause and reason; a later version brings it back', async (t) => {
    const { follower, updates, gone, ws } = start(t)
    ws.push(subscribed([story(1)]))
    ws.push({ type: 'withdrawn', position: 'p2', articleId: 'Bd-1', reason: 'legal', cause: 'withheld' })
    assert.equal(follower.article, null)
    assert.deepEqual(follower.gone, { articleId: 'Bd-1', cause: 'withheld', reason: 'legal' })
    ws.push({ type: 'event', channel: 'article:Bd-1', position: 'p3', event: story(2) })
    assert.equal(follower.gone, null)
    ws.push({ type: 'withdrawn', position: 'p4', articleId: 'Bd-1', reason: 'killed', cause: 'withdrawn' })
    ws.push({ type: 'withdrawn', position: 'p5', articleId: 'other', reason: 'x', cause: 'withdrawn' })
    assert.deepEqual(
      gone.map((g) => g.cause),
      ['withheld', 'withdrawn'],
    )
    assert.equal(updates.length, 2)
    await flush()
  })

  test('a fresh snapshot without it: gone, absent; a resume without it says nothing', async (t) => {
    const { gone, ws } = start(t)
    ws.push(subscribed([]))
    assert.deepEqual(gone, [], 'decided once the snapshot is in')
    await flush()
    assert.deepEqual(gone, [{ articleId: 'Bd-1', cause: 'absent', reason: null }])
    ws.push({ type: 'subscribed', id: 's1', channels: ['article:Bd-1'], position: 'p2', replay: 'memory', snapshot: [] })
    await flush()
    assert.equal(gone.length, 1)
  })

  test('reset: the version in it, or gone (absent) when it holds none', async (t) => {
    const { follower, updates, gone, ws } = start(t)
    ws.push(subscribed([story(1)]))
    ws.push({ type: 'reset', position: 'p5', more: null, snapshot: [story(4)] })
    assert.deepEqual(
      updates.map((u) => [u.version, u.snapshot]),
      [
        [1, true],
        [4, true],
      ],
    )
    ws.push({ type: 'reset', position: 'p6', more: null, snapshot: [] })
    assert.equal(follower.gone?.cause, 'absent')
    assert.equal(gone.length, 1)
    await flush()
  })

  test('ticker fields only: what an update leaves out is kept; close() stops following', async (t) => {
    const { follower, updates, ws } = start(t)
    ws.push(subscribed([story(1)]))
    ws.push({
      type: 'event',
      channel: 'article:Bd-1',
      position: 'p2',
      event: { eventId: 'x2', type: 'UPDATED', article: { id: 'Bd-1', version: 2, headline: 'New' } },
    })
    assert.deepEqual(follower.article?.body, ['…'])
    assert.equal(updates[1]?.article.body?.length, 1)
    follower.close()
    ws.push({ type: 'event', channel: 'article:Bd-1', position: 'p3', event: story(3) })
    assert.equal(updates.length, 2)
    const other = connect('wss://x', { channels: ['a'], WebSocket: FakeWebSocket, clock: new FakeClock() })
    t.after(() => other.close())
    assert.throws(() => followArticle(other, ''), TypeError)
    await flush()
  })
})
