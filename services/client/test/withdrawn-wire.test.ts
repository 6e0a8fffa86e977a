// What a `withdrawn` frame's `version` and `guess` do to what the reader is shown after it, through
// the wire (the dedupe is tested alone in dedupe.test.ts). A page answered before a hold (or a
// kill) and read after it must not show the story again at the version the page held; a stand-in
// hold (a fan-out could not read a record and held the story at the version it knew) is a guess,
// and the readable record of that version shows the story again. Seventh mutation batch: pr13 and
// dl4 (the version not read from the frame, or not passed on) let the held story back; pr14 and
// dl5 (the guess dropped) kept a live story from the reader for good.
import assert from 'node:assert/strict'
import { beforeEach, test } from 'node:test'
import { older } from '../src/index.ts'
import { articleEvent, FakeWebSocket, flush, jsonFetch } from './fakes.ts'
import { start } from './harness.ts'

beforeEach(() => FakeWebSocket.reset())

test('a page answered before a hold and read after its withdrawn does not bring the held story back', async (t) => {
  const server = jsonFetch()
  let answer: () => void = () => undefined
  const slow = new Promise<void>((resolve) => {
    answer = resolve
  })
  // the page holds b as it stood (version 1) and c; the reader never had b
  server.answers.push({ status: 200, body: { items: [articleEvent('b', 1), articleEvent('c', 1)], next: null }, until: slow })
  const { client } = start(t, { fetch: server.fetch })
  const ws = FakeWebSocket.last.open()
  ws.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'p1', snapshot: [articleEvent('a', 1)], more: 'c-1' })
  const page = older(client, 'c-1')
  await flush()
  // b is withheld at version 2 while the answer is on its way
  ws.push({ type: 'withdrawn', id: 's1', channel: 'breaking', position: 'p2', articleId: 'b', version: 2, cause: 'withheld', reason: null })
  answer()
  assert.deepEqual(
    (await page).items.map((m) => `${m.event.article.id}@${m.event.article.version}`),
    ['c@1'],
  )
})

test('a stand-in hold is a guess: the readable record of its version shows the story again', async (t) => {
  const { client } = start(t)
  const shown: string[] = []
  client.on('event', (m) => shown.push(`${m.event.article.id}@${m.event.article.version}`))
  client.on('withdrawn', (m) => shown.push(`-${m.articleId}`))
  const ws = FakeWebSocket.last.open()
  ws.push({ type: 'subscribed', id: 's1', channels: ['breaking'], position: 'p1', snapshot: [articleEvent('a', 3)] })
  ws.push({ type: 'withdrawn', id: 's1', channel: 'breaking', position: 'p2', articleId: 'a', version: 3, cause: 'withheld', guess: true })
  ws.push({ type: 'event', id: 's1', channel: 'breaking', position: 'p3', event: { ...articleEvent('a', 3), eventId: 'a-3-readable' } })
  await flush()
  assert.deepEqual(shown, ['a@3', '-a', 'a@3'])
})
