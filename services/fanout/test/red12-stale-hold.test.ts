// red12 attack run (2026-12-05), the gap left after the late kill (red12-stale-kill.test.ts): a
// hold (pubStatus withheld) or a new embargo still to come, numbered as the live version it
// changes or lower (a writer that is not ingest, or an ingest deciding on a stale state), was old
// news to the ledger: the story stayed public, in every snapshot, page and resume. A hold is not
// final, so it is not simply renumbered: it stands in as the undecodable hold does
// (unreadable.ts), as the next version, withheld (or embargoed), with the content already known,
// and the next record read decides again whatever its number. Records numbered as the live version
// that take nothing from the public stay old news, and the live version read again changes nothing.
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
const ids = (h: Harness) => async () => snapshotArticles((await client(h, {}, ['breaking'])).t.messages).map((a) => a.id)

for (const [how, cause, hold] of [
  ['withheld', 'withheld', (at: number) => event('UPDATED', { id: 'k', version: 3, urgency: 1, pubStatus: 'withheld' }, at)],
  [
    'withheld, numbered below',
    'withheld',
    (at: number) => event('UPDATED', { id: 'k', version: 2, urgency: 1, pubStatus: 'withheld' }, at),
  ],
  ['a new embargo', 'embargoed', (at: number) => event('UPDATED', { id: 'k', version: 3, urgency: 1, embargoedUntil: at + 600_000 }, at)],
] as const) {
  test(`a hold (${how}) numbered as the live version it changes takes the story off the public until the writer's next record`, async () => {
    const h = new Harness({ partitions: 1 })
    h.append(event('CREATED', { id: 'k', version: 3, urgency: 1 }, h.clock.now() - 1000))
    h.start()
    await h.settle()
    const live = await client(h, {}, ['breaking'])
    const away = await client(h, {}, ['breaking'])
    const since = lastPosition(away.t.messages)
    h.hub.conns.remove(away.conn)
    const fresh = ids(h)
    assert.deepEqual(await fresh(), ['k'])

    h.append(hold(h.clock.now()))
    await h.settle()
    assert.deepEqual(withdrawn(live.t.messages), [`k:${cause}`], 'the live reader was not told')
    const back = h.connect('public')
    subscribe(h, back.conn, ['breaking'], { since })
    await h.settle()
    assert.equal(withdrawn(back.t.messages).length, 1, 'a reader resuming from before the hold was not told')
    assert.deepEqual(await fresh(), [], 'a fresh snapshot still shows the held story')
    assert.deepEqual(pageIds(h), [], 'a page still lists the held story')
    const desk = await client(h, { audience: 'newsroom' }, ['breaking'])
    const seen = snapshotArticles(desk.t.messages)
    assert.deepEqual(
      seen.map((a) => [a.id, a.version]),
      [['k', 4]],
      'the newsroom does not see the hold as the next version',
    )

    // the writer's next record decides again, whatever the stand-in's number
    h.append(event('UPDATED', { id: 'k', version: 4, urgency: 1 }, h.clock.now()))
    await h.settle()
    assert.deepEqual(await fresh(), ['k'], "the writer's next record did not make the story public again")
    assert.deepEqual(pageIds(h), ['k'])
    h.hub.stop()
  })
}

test('a record numbered as the live version that takes nothing from the public, or the live record read again, is old news', async () => {
  const h = new Harness({ partitions: 1 })
  const created = event('CREATED', { id: 'k', version: 3, urgency: 1 }, h.clock.now() - 1000)
  h.append(created)
  h.start()
  await h.settle()
  const live = await client(h, {}, ['breaking'])
  h.append(event('UPDATED', { id: 'k', version: 3, urgency: 1, headline: 'late edit' }, h.clock.now()))
  h.append(event('UPDATED', { id: 'k', version: 2, urgency: 1, embargoedUntil: h.clock.now() - 1 }, h.clock.now()))
  h.append(created)
  await h.settle()
  assert.deepEqual(withdrawn(live.t.messages), [])
  assert.equal(h.store.ledger.latest('k')?.event.eventId, created.eventId)
  assert.deepEqual(pageIds(h), ['k'])
  h.hub.stop()
})

test("an entry's hold numbered as the entry's live version takes the entry off the public until the next record", async () => {
  const h = new Harness({ partitions: 1 })
  h.start()
  const story = new Story(h)
  story.post('e1')
  await h.settle()
  const reader = await client(h)
  h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 1, pubStatus: 'withheld' }, h.clock.now()))
  await h.settle()
  assert.deepEqual(gone(reader.t.messages), ['e1:withheld'], 'the story reader was not told of the hold')
  const entries = async () =>
    (((await client(h)).t.messages.find((m) => m.type === 'subscribed')?.entries ?? []) as { id: string }[]).map((e) => e.id)
  assert.deepEqual(await entries(), [], 'a fresh snapshot still holds the held entry')
  h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 2 }, h.clock.now()))
  await h.settle()
  assert.deepEqual(await entries(), ['e1'], "the writer's next record did not make the entry public again")
  h.hub.stop()
})

test('a reader resuming from before such a hold, replayed from the log (older than memory), is told', async () => {
  const { h, back } = await resumedFromLog('public', (at) =>
    event('UPDATED', { id: 'k', version: 3, urgency: 1, pubStatus: 'withheld' }, at),
  )
  assert.equal(back.t.messages.find((m) => m.type === 'subscribed')?.replay, 'kafka', 'the resume was not replayed from the log')
  assert.deepEqual(withdrawn(back.t.messages), ['k:withheld'], 'the reader resuming from the log was not told')
  h.hub.stop()
})

test('an instance started after such a hold holds the story off the public, whatever part of the log it keeps in memory', async () => {
  const old = new Harness({ partitions: 1 })
  old.append(event('CREATED', { id: 'k', version: 3, urgency: 1 }, old.clock.now() - 1000))
  old.append(event('UPDATED', { id: 'k', version: 3, urgency: 1, pubStatus: 'withheld' }, old.clock.now()))
  for (const history of [1000, 1]) {
    const h = restarted(old, [0], history)
    h.start()
    await h.settle()
    assert.deepEqual(await ids(h)(), [], `history ${history}: a fresh snapshot shows the held story`)
    assert.deepEqual(pageIds(h), [], `history ${history}: a page lists the held story`)
    h.hub.stop()
  }
})

test('a newsroom reader resuming from before such a hold, replayed from the log, gets the hold as the next version', async () => {
  const { h, back } = await resumedFromLog('newsroom', (at) =>
    event('UPDATED', { id: 'k', version: 3, urgency: 1, pubStatus: 'withheld' }, at),
  )
  assert.equal(back.t.messages.find((m) => m.type === 'subscribed')?.replay, 'kafka', 'the resume was not replayed from the log')
  const got = back.t.messages.flatMap((m) =>
    m.type === 'event' && (m.event as ArticleEvent).article.id === 'k' ? [m.event as ArticleEvent] : [],
  )
  assert.deepEqual(
    got.map((e) => `${e.article.version} ${e.article.pubStatus}`),
    ['4 withheld'],
    'the replay sent the record with the number the ledger did not take',
  )
  h.hub.stop()
})
