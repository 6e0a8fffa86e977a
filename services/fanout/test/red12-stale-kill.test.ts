// red12 attack run (2026-12-05): a kill numbered as the version it kills. The ledger takes a record
// numbered no higher than the article's latest version as old news (a duplicate or a late edit)
// and only notes it; a kill (WITHDRAWN, or pubStatus canceled) carrying the number of the live
// version it ends (a writer that is not ingest, a tool that copies the version it means to kill,
// or an ingest deciding on a stale state, as one once did: ingest README, "instances of two
// releases") was dropped so: no reader was told, and the story stayed in every public snapshot,
// page and count. An entry's deletion numbered as the entry's live version likewise. The SDK takes
// a kill whatever its version (red7); the server never sent one. Fixed: a kill or a deletion that
// meets a live version numbered as high or higher is taken as the next version (as a stand-in for
// an undecodable kill is, unreadable.ts), with its own event id and reason: final, never old news.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { answerPage } from '../src/http/snapshot.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { client, gone, lastPosition, resumedFromLog, snapshotArticles, Story, subscribe, withdrawn } from './support/live-story.ts'
import { restarted } from './support/restart.ts'

const publicAdmission = { audience: 'public' as const, expiresAt: null, reject: null }
const pageIds = (h: Harness) =>
  (
    JSON.parse(answerPage(new URL('http://f/v1/snapshot?channels=breaking'), publicAdmission, h.routeDeps(50))) as { items: ArticleEvent[] }
  ).items.map((e) => e.article.id)

for (const [how, cause, kill] of [
  [
    'WITHDRAWN',
    'withdrawn',
    (at: number) => event('WITHDRAWN', { id: 'k', version: 3, urgency: 1, pubStatus: 'canceled' }, at, { reason: 'legal' }),
  ],
  ['pubStatus canceled', 'canceled', (at: number) => event('UPDATED', { id: 'k', version: 3, urgency: 1, pubStatus: 'canceled' }, at)],
  [
    'WITHDRAWN numbered below',
    'withdrawn',
    (at: number) => event('WITHDRAWN', { id: 'k', version: 2, urgency: 1, pubStatus: 'canceled' }, at),
  ],
] as const) {
  test(`a kill (${how}) numbered as the live version it kills takes the story down for every reader`, async () => {
    const h = new Harness({ partitions: 1 })
    h.append(event('CREATED', { id: 'k', version: 3, urgency: 1 }, h.clock.now() - 1000))
    h.start()
    await h.settle()
    const live = await client(h, {}, ['breaking'])
    const away = await client(h, {}, ['breaking'])
    const since = lastPosition(away.t.messages)
    h.hub.conns.remove(away.conn)
    assert.deepEqual(
      snapshotArticles(live.t.messages).map((a) => a.id),
      ['k'],
    )

    h.append(kill(h.clock.now()))
    await h.settle()
    assert.deepEqual(withdrawn(live.t.messages), [`k:${cause}`], 'the live reader was not told')
    const back = h.connect('public')
    subscribe(h, back.conn, ['breaking'], { since })
    await h.settle()
    assert.equal(withdrawn(back.t.messages).length, 1, 'a reader resuming from before the kill was not told')
    const fresh = await client(h, {}, ['breaking'])
    assert.deepEqual(snapshotArticles(fresh.t.messages), [], 'a fresh snapshot still shows the killed story')
    assert.deepEqual(pageIds(h), [], 'a page still lists the killed story')
    h.hub.stop()
  })
}

test("an entry's deletion numbered as the entry's live version takes the entry down for every reader", async () => {
  const h = new Harness({ partitions: 1 })
  h.start()
  const story = new Story(h)
  story.post('e1')
  await h.settle()
  const reader = await client(h)
  h.append(
    entryEvent(story.article, { id: 'e1', seq: 1, version: 1, pubStatus: 'canceled' }, h.clock.now(), {
      type: 'ENTRY_DELETED',
      reason: 'legal',
    }),
  )
  await h.settle()
  assert.deepEqual(gone(reader.t.messages), ['e1:deleted'], 'the story reader was not told of the deletion')
  const fresh = await client(h)
  const entries = (fresh.t.messages.find((m) => m.type === 'subscribed')?.entries ?? []) as { id: string }[]
  assert.deepEqual(
    entries.map((e) => e.id),
    [],
    'a fresh snapshot still holds the deleted entry',
  )
  h.hub.stop()
})

test('a reader resuming from before such a kill, replayed from the log (older than memory), is told', async () => {
  const { h, back } = await resumedFromLog('public', (at) =>
    event('WITHDRAWN', { id: 'k', version: 3, urgency: 1, pubStatus: 'canceled' }, at, { reason: 'legal' }),
  )
  assert.equal(back.t.messages.find((m) => m.type === 'subscribed')?.replay, 'kafka', 'the resume was not replayed from the log')
  assert.deepEqual(withdrawn(back.t.messages), ['k:withdrawn'], 'the reader resuming from the log was not told')
  h.hub.stop()
})

test('an instance started after such a kill holds the story killed, whatever part of the log it keeps in memory', async () => {
  const old = new Harness({ partitions: 1 })
  old.append(event('CREATED', { id: 'k', version: 3, urgency: 1 }, old.clock.now() - 1000))
  old.append(event('WITHDRAWN', { id: 'k', version: 3, urgency: 1, pubStatus: 'canceled' }, old.clock.now(), { reason: 'legal' }))
  for (const history of [1000, 1]) {
    const h = restarted(old, [0], history)
    h.start()
    await h.settle()
    const fresh = await client(h, {}, ['breaking'])
    assert.deepEqual(snapshotArticles(fresh.t.messages), [], `history ${history}: a fresh snapshot shows the killed story`)
    assert.deepEqual(pageIds(h), [], `history ${history}: a page lists the killed story`)
    h.hub.stop()
  }
})
