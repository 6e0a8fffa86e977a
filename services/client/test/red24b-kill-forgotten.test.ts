// red24b attack run, 2026-12-07: what the duplicate filter forgets. The SDK keeps a kill across a
// reset so that a snapshot or page made by a fan-out process behind the kill cannot bring the
// story back (red14, red18), but the kill was one mark among every article's in one memory of
// `dedupeCapacity` (50 000) marks, least recently touched forgotten first. A big news day, or
// anyone with a write key publishing that many stories into the reader's view, pushed the kill
// out; the lagging process's reset (a `update()` whose fresh subscribe landed there, an SSE
// stream reopened) then handed the killed story to the page as running. Entry deletions alike,
// among a live story's entries. Kills and deletions now have memories of their own, which only
// kills and deletions fill.
import assert from 'node:assert/strict'
import { beforeEach, test } from 'node:test'
import { followArticle, followStory, type ResetMessage } from '../src/index.ts'
import { articleEvent, FakeWebSocket } from './fakes.ts'
import { start } from './harness.ts'
import { entryFrame, entryWithdrawnFrame, storyEntry, storySubscribed } from './story-fakes.ts'

beforeEach(() => FakeWebSocket.reset())

const ids = (r: ResetMessage | undefined) => (r?.items ?? []).map((m) => `${m.event.article.id}@${m.event.article.version}`)

test('a kill outlives a big news day in the duplicate filter (the default capacity): a reset from behind it does not bring the story back', (t) => {
  const { client } = start(t)
  const capacity = 50_000
  const resets: ResetMessage[] = []
  client.on('reset', (r) => resets.push(r))
  const page = followArticle(client, 'a')
  const ws = FakeWebSocket.last.open()
  ws.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'p1', snapshot: [articleEvent('a', 1)] })
  ws.push({ type: 'withdrawn', id: 's1', channel: 'breaking', position: 'p2', articleId: 'a', version: 2, cause: 'withdrawn' })
  assert.equal(page.gone?.cause, 'withdrawn')
  // the day's news, each story once, more of them than the filter holds
  for (let i = 0; i < capacity + 1; i++)
    ws.push({ type: 'event', channel: 'breaking', position: `q${i}`, event: articleEvent(`day-${i}`, 1) })
  // a process that has not read the kill answers a fresh subscription: a as it stood before
  ws.push({ type: 'reset', id: 's1', channels: ['breaking'], position: 'p1b', more: null, snapshot: [articleEvent('a', 1)] })
  assert.deepEqual(ids(resets[0]), [], 'the killed story is not in what the reader is told to show')
  assert.equal(page.article, null)
  assert.equal(page.gone?.cause, 'withdrawn', 'the story page still reads withdrawn')
})

test('a kill is remembered past `dedupeCapacity` other stories: neither a reset nor the stream of a process behind it brings it back', (t) => {
  const { client } = start(t, { dedupeCapacity: 10 })
  const resets: ResetMessage[] = []
  const shown: string[] = []
  client.on('reset', (r) => resets.push(r))
  client.on('event', (m) => shown.push(`${m.event.article.id}@${m.event.article.version}`))
  const ws = FakeWebSocket.last.open()
  ws.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'p1', snapshot: [articleEvent('a', 1)] })
  ws.push({ type: 'event', channel: 'breaking', position: 'p2', event: articleEvent('a', 2, 'WITHDRAWN') })
  for (let i = 0; i < 25; i++) ws.push({ type: 'event', channel: 'breaking', position: `q${i}`, event: articleEvent(`day-${i}`, 1) })
  shown.length = 0
  ws.push({ type: 'reset', id: 's1', channels: ['breaking'], position: 'p1b', more: null, snapshot: [articleEvent('a', 1)] })
  assert.deepEqual(ids(resets[0]), [])
  // that process's stream then brings the version before the kill, or a later edit it never wrote
  ws.push({ type: 'event', channel: 'breaking', position: 'p3', event: articleEvent('a', 1) })
  ws.push({ type: 'event', channel: 'breaking', position: 'p4', event: articleEvent('a', 3) })
  assert.deepEqual(shown, [])
  // a newsroom's reset from a process that read the kill still shows it killed
  ws.push({ type: 'reset', id: 's1', channels: ['breaking'], position: 'p5', more: null, snapshot: [articleEvent('a', 2, 'WITHDRAWN')] })
  assert.deepEqual(ids(resets[1]), ['a@2'])
})

test('an entry deletion is remembered past `dedupeCapacity` other entries: a reset from behind it does not bring the entry back', (t) => {
  const storyEvent = { eventId: 's-v1', type: 'CREATED', article: { id: 'Bd-1', version: 1, headline: 'Live', live: true } }
  const { client } = start(t, { channels: ['story:Bd-1'], dedupeCapacity: 10 })
  const story = followStory(client, 'Bd-1')
  const ws = FakeWebSocket.last.open()
  ws.push(storySubscribed([storyEvent], [storyEntry('e1', 1)]))
  ws.push(entryWithdrawnFrame('Bd-1', 'e1', 1, 'p2'))
  // a busy live story: more entries than the filter holds
  for (let i = 2; i < 30; i++) ws.push(entryFrame('Bd-1', storyEntry(`e${i}`, i), `p${i + 1}`))
  assert.equal(
    story.entries.some((e) => e.id === 'e1'),
    false,
  )
  ws.push({
    type: 'reset',
    id: 's1',
    channels: ['story:Bd-1'],
    position: 'p1b',
    more: null,
    snapshot: [storyEvent],
    story: 'Bd-1',
    entries: [storyEntry('e1', 1)],
    entriesMore: null,
  })
  assert.deepEqual(
    story.entries.map((e) => e.id),
    [],
    'the deleted entry stays deleted',
  )
})
