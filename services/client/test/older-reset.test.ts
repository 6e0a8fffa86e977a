// older() drops a page item older than a withdrawal it has heard of (dedupe.ts withdrawnAt), but a
// `reset` clears that memory. An outside review (2026-12-04) found a page answered before a kill
// and read after a reset handed the killed story to the application as a live item: a page asked
// for before a reset is now refused (NEWSWIRE_ERR_CLIENT_REQUEST, details.reset).
import assert from 'node:assert/strict'
import { beforeEach, test } from 'node:test'
import { ClientError, older } from '../src/index.ts'
import { articleEvent, FakeWebSocket, flush, jsonFetch } from './fakes.ts'
import { start } from './harness.ts'

beforeEach(() => FakeWebSocket.reset())

test('a page answered before a kill and read after a reset is refused, never merged', async (t) => {
  const server = jsonFetch()
  let answer: () => void = () => undefined
  const slow = new Promise<void>((resolve) => {
    answer = resolve
  })
  server.answers.push({ status: 200, body: { items: [articleEvent('b', 1)], next: null }, until: slow })
  server.answers.push({ status: 200, body: { items: [articleEvent('c', 1)], next: null } })
  const { client } = start(t, { fetch: server.fetch })
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
  answer()
  await assert.rejects(page, (err: unknown) => {
    assert.ok(err instanceof ClientError)
    assert.equal(err.code, 'NEWSWIRE_ERR_CLIENT_REQUEST')
    assert.equal(err.details.reset, true)
    return true
  })
  // asked again after the reset, the page is taken as usual
  const again = older(client, 'c-1')
  await flush()
  assert.deepEqual(
    (await again).items.map((m) => m.event.article.id),
    ['c'],
  )
})

// Seventh mutation batch, dl6: a reset replaces what the reader shows with its snapshot, so the
// stories it had before come again when it pages; a duplicate filter kept across the reset would
// drop them as delivered and the reader's list would miss them for good.
test('after a reset, a page brings again what the reader had before it', async (t) => {
  const server = jsonFetch()
  server.answers.push({ status: 200, body: { items: [articleEvent('c', 1)], next: null } })
  const { client } = start(t, { fetch: server.fetch })
  const ws = FakeWebSocket.last.open()
  ws.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'p1', snapshot: [articleEvent('a', 1), articleEvent('c', 1)] })
  ws.push({ type: 'reset', id: 's1', channels: ['breaking'], position: 'p2', more: 'c-1', snapshot: [articleEvent('a', 1)] })
  const page = older(client, 'c-1')
  await flush()
  assert.deepEqual(
    (await page).items.map((m) => m.event.article.id),
    ['c'],
  )
})
