// Schema v3 puts live-story entry events (ENTRY_*) on news.article-events, keyed by their story,
// and entry states in news.articles. Only story:<id> subscriptions get entries (stories.kafka.test.ts);
// every other channel reads past them on every path (start-up load, live tail, replay from Kafka) and
// never takes one for a version of its story: a client sees exactly the story's own versions, and no
// entry text.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { http, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { signNewsroomToken } from '../src/index.ts'
import { article, connect, eventsOf, publish, startTestFanout } from './helpers.ts'

const putEntry = (ingestUrl: string, story: string, id: string, body: Record<string, unknown>) =>
  http(`${ingestUrl}/v1/articles/${story}/entries/${id}`, { method: 'PUT', json: body })

test('entry events are read past on start-up, live and in a replay from Kafka; clients get only the story’s versions', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const created = await publish(ingest.url, article('live-1', { live: true }))
  for (const [id, extra] of [
    ['e1', { pubStatus: 'withheld' }],
    ['e2', {}],
  ] as const) {
    const r = await putEntry(ingest.url, 'live-1', id, { body: [`ENTRY-TEXT-${id}`], ...extra })
    assert.equal(r.status, 201, r.text)
  }
  // Started now: news.articles holds the story and two entry states, the log two entry events
  const fanout = await startTestFanout(t, prefix, { FANOUT_HISTORY_SIZE: '3' })
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET)
  const nr = await connect(t, fanout.wsUrl, { token })
  nr.send({ type: 'subscribe', id: 's1', channels: ['all'] })
  const subscribed = await nr.next((m) => m.type === 'subscribed')
  const snapshot = subscribed.snapshot as { eventId: string; article: { id: string; version: number } }[]
  assert.deepEqual(
    snapshot.map((e) => [e.article.id, e.article.version, e.eventId]),
    [['live-1', 1, created.eventId]],
  )

  // Live: entries and an update of the story; only the update arrives
  for (const id of ['e3', 'e4', 'e5']) assert.equal((await putEntry(ingest.url, 'live-1', id, { body: [`ENTRY-TEXT-${id}`] })).status, 201)
  // Three versions on the story's partition: memory (one event per partition) no longer reaches back
  const updates: string[] = []
  for (const n of [1, 2, 3]) {
    updates.push((await publish(ingest.url, article('live-1', { headline: `Story, update ${n}` }))).eventId)
    assert.equal((await putEntry(ingest.url, 'live-1', `u${n}`, { body: [`ENTRY-TEXT-u${n}`] })).status, 201)
  }
  await nr.until((all) => eventsOf(all).some((m) => m.event.eventId === updates.at(-1)))
  await publish(ingest.url, article('other-1'))
  await nr.until((all) => eventsOf(all).some((m) => m.event.article.id === 'other-1'))
  assert.deepEqual(
    eventsOf(nr.messages).map((m) => m.event.eventId),
    [...updates, eventsOf(nr.messages).at(-1)?.event.eventId],
  )

  // Resume from before the entries and the updates: older than memory, so replayed from Kafka
  const late = await connect(t, fanout.wsUrl, { token })
  late.send({ type: 'subscribe', id: 's1', channels: ['all'], since: subscribed.position })
  const resumed = await late.next((m) => m.type === 'subscribed')
  assert.equal(resumed.replay, 'kafka')
  await late.until((all) => eventsOf(all).some((m) => m.event.article.id === 'other-1'))
  assert.deepEqual(
    eventsOf(late.messages).map((m) => m.event.eventId),
    eventsOf(nr.messages).map((m) => m.event.eventId),
  )
  for (const c of [nr, late]) assert.doesNotMatch(JSON.stringify(c.messages), /ENTRY-TEXT|ENTRY_/)
})
