// red14 attack run, 2026-12-06: a `reset` made by a fan-out process behind the reader's stream (a
// refused position on a process that has not read as far: a key rotation rolling out, a partition
// count not seen yet, a clock behind; until that run also a Kafka hiccup there) holds the server's
// state as it stood before a kill or a deletion the reader was told of. The SDK cleared its
// duplicate filter on a reset, kills and deletions too, and handed the killed story to the page
// (the ticker, the dashboard, followArticle) and the deleted entry to the live-story follower. A
// kill and a deletion are final (ingest never revives either): a reset keeps them.
import assert from 'node:assert/strict'
import { beforeEach, test } from 'node:test'
import { followArticle, followStory, type ResetMessage } from '../src/index.ts'
import { articleEvent, FakeWebSocket, flush, jsonFetch } from './fakes.ts'
import { start } from './harness.ts'
import { entryWithdrawnFrame, storyEntry, storySubscribed } from './story-fakes.ts'

beforeEach(() => FakeWebSocket.reset())

const ids = (r: ResetMessage | undefined) => (r?.items ?? []).map((m) => `${m.event.article.id}@${m.event.article.version}`)

test('a reset from a process behind the kill does not bring the killed story back', (t) => {
  const { client } = start(t)
  const resets: ResetMessage[] = []
  client.on('reset', (r) => resets.push(r))
  const page = followArticle(client, 'a')
  const ws = FakeWebSocket.last.open()
  ws.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'p1', snapshot: [articleEvent('a', 1), articleEvent('b', 1)] })
  ws.push({
    type: 'withdrawn',
    id: 's1',
    channel: 'breaking',
    position: 'p2',
    articleId: 'a',
    version: 2,
    cause: 'withdrawn',
    reason: 'legal',
  })
  ws.push({
    type: 'withdrawn',
    id: 's1',
    channel: 'breaking',
    position: 'p3',
    articleId: 'b',
    version: 2,
    cause: 'withheld',
    reason: 'check',
  })
  assert.equal(page.gone?.cause, 'withdrawn')
  // the lagging process's snapshot: a as it stood before its kill, b before its hold
  ws.push({
    type: 'reset',
    id: 's1',
    channels: ['breaking'],
    position: 'p1b',
    more: null,
    snapshot: [articleEvent('a', 1), articleEvent('b', 1)],
  })
  assert.deepEqual(ids(resets[0]), ['b@1'], 'a hold is not final (the reset may show b); a kill is')
  assert.equal(page.gone?.cause, 'withdrawn', 'the story page still reads withdrawn')
  assert.equal(page.article, null)
  // nor from the stream afterwards, whatever its version
  const events: string[] = []
  client.on('event', (m) => events.push(m.event.article.id))
  ws.push({ type: 'event', channel: 'breaking', position: 'p4', event: articleEvent('a', 3) })
  assert.deepEqual(events, [])
})

test('the newsroom keeps a killed story killed across a reset: its killed version is shown, an older one is not', (t) => {
  const { client } = start(t)
  const resets: ResetMessage[] = []
  client.on('reset', (r) => resets.push(r))
  const ws = FakeWebSocket.last.open()
  ws.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'p1', snapshot: [articleEvent('a', 1)] })
  ws.push({ type: 'event', channel: 'breaking', position: 'p2', event: articleEvent('a', 2, 'WITHDRAWN') })
  ws.push({ type: 'reset', id: 's1', channels: ['breaking'], position: 'p1b', more: null, snapshot: [articleEvent('a', 1)] })
  assert.deepEqual(ids(resets[0]), [])
  ws.push({ type: 'reset', id: 's1', channels: ['breaking'], position: 'p3', more: null, snapshot: [articleEvent('a', 2, 'WITHDRAWN')] })
  assert.deepEqual(ids(resets[1]), ['a@2'], 'a reset from a process that read the kill shows it killed')
})

test('a reset from a process behind an entry deletion does not bring the deleted entry back', (t) => {
  const storyEvent = { eventId: 's-v1', type: 'CREATED', article: { id: 'Bd-1', version: 1, headline: 'Live', live: true } }
  const { client } = start(t, { channels: ['story:Bd-1'] })
  const story = followStory(client, 'Bd-1')
  const ws = FakeWebSocket.last.open()
  ws.push(storySubscribed([storyEvent], [storyEntry('e2', 2), storyEntry('e1', 1)]))
  ws.push(entryWithdrawnFrame('Bd-1', 'e2', 1, 'p2'))
  assert.deepEqual(
    story.entries.map((e) => e.id),
    ['e1'],
  )
  ws.push({
    type: 'reset',
    id: 's1',
    channels: ['story:Bd-1'],
    position: 'p1b',
    more: null,
    snapshot: [storyEvent],
    story: 'Bd-1',
    entries: [storyEntry('e2', 2), storyEntry('e1', 1)],
    entriesMore: null,
  })
  assert.deepEqual(
    story.entries.map((e) => e.id),
    ['e1'],
    'the deleted entry stays deleted',
  )
})

test('a story held and running again: a page that still holds an entry deleted before the hold does not bring it back', async (t) => {
  const storyEvent = (version: number) => ({
    eventId: `s-v${version}`,
    type: version === 1 ? 'CREATED' : 'UPDATED',
    article: { id: 'Bd-1', version, headline: 'Live', live: true },
  })
  const server = jsonFetch()
  const { client } = start(t, { channels: ['story:Bd-1'], fetch: server.fetch })
  const story = followStory(client, 'Bd-1')
  const ws = FakeWebSocket.last.open()
  ws.push(storySubscribed([storyEvent(1)], [storyEntry('e2', 2), storyEntry('e1', 1)]))
  ws.push(entryWithdrawnFrame('Bd-1', 'e2', 1, 'p2'))
  ws.push({ type: 'withdrawn', id: 's1', channel: 'story:Bd-1', position: 'p3', articleId: 'Bd-1', version: 2, cause: 'withheld' })
  // the story runs again; the follower asks for its newest page, answered by a process behind the deletion
  server.answers.push({ status: 200, body: { storyId: 'Bd-1', items: [storyEntry('e2', 2), storyEntry('e1', 1)], next: null } })
  ws.push({ type: 'event', channel: 'story:Bd-1', position: 'p4', event: storyEvent(3) })
  await flush()
  assert.equal(server.requests.length, 1)
  assert.deepEqual(
    story.entries.map((e) => e.id),
    ['e1'],
  )
})
