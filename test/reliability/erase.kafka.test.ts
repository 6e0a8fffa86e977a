// An erasure through ingest (POST /v1/articles/{id}/erase) on a real broker: one transaction on the
// story's partition holds its kill (WITHDRAWN in news.article-events, without the content) and
// tombstones in news.articles for the story's key and every entry key. A reader watching hears the
// kill live; ingest refuses later writes; and a reader who saw the story and resumes with its saved
// position on a fan-out started after the erasure hears it too (red11: a raw tombstone alone, with
// no kill in news.article-events, is never told to such a reader: the documented known limit).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { entryStateKey, partitionOf, topicNames } from '@newswire/shared'
import { article, connect, publish, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { brokers, codec, http, startTestIngest, uniquePrefix } from '../helpers.ts'
import { readRaw } from './support.ts'

const PARTITIONS = 3

test('erase through ingest: the kill and every key of the story tombstoned on its partition, told live and on a resume after a restart', {
  timeout: 120_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const topics = topicNames(prefix)
  const ingest = await startTestIngest(t, prefix)
  const a = await startTestFanout(t, prefix)
  const id = 'erase-story'
  await publish(ingest.url, article(id, { live: true, category: 'national', headline: 'Story to be erased' }))
  for (const e of ['e1', 'e2']) {
    const r = await http(`${ingest.url}/v1/articles/${id}/entries/${e}`, { method: 'PUT', json: { body: [`Entry ${e} to be erased`] } })
    assert.equal(r.status, 201, r.text)
  }
  await a.settled()

  // public readers who saw it: two stay (hear it live: the category, the story), one leaves with its position
  const live = await connect(t, a.wsUrl)
  live.send({ type: 'subscribe', id: 's', channels: ['category:national'] })
  const story = await connect(t, a.wsUrl)
  story.send({ type: 'subscribe', id: 's', channels: [`story:${id}`] })
  const away = await connect(t, a.wsUrl)
  away.send({ type: 'subscribe', id: 's', channels: ['category:national'] })
  for (const c of [live, story, away]) {
    const subscribed = await c.next((m) => m.type === 'subscribed' || m.type === 'error')
    assert.ok(JSON.stringify(subscribed).includes('Story to be erased'), JSON.stringify(subscribed))
  }
  assert.ok(JSON.stringify(story.messages).includes('Entry e1 to be erased'), 'the story reader saw the entries')
  // routine traffic after it: the leaving reader's position passes the story's last event
  const other = await publish(ingest.url, article('other-1', { category: 'national' }))
  await a.settled([other.eventId])
  await away.next((m) => m.type === 'event' && (m.event as { article: { id: string } }).article.id === 'other-1')
  const position = [...away.messages].reverse().find((m) => typeof m.position === 'string')?.position as string | undefined
  assert.ok(position, `a position to resume from: ${JSON.stringify(away.messages.map((m) => m.type))}`)
  away.ws.close()

  const erased = await http(`${ingest.url}/v1/articles/${id}/erase`, {
    method: 'POST',
    json: { reason: 'court order' },
    headers: { 'idempotency-key': 'erase-1' },
  })
  assert.equal(erased.status, 200, erased.text)
  assert.equal((erased.body as { type: string }).type, 'WITHDRAWN')
  for (const c of [live, story]) await c.next((m) => m.type === 'withdrawn' && m.articleId === id, 10_000)

  // news.articles: the kill's state then a tombstone for every key of the story, on the story's partition
  const partition = partitionOf(id, PARTITIONS)
  const keys = [id, entryStateKey(id, 'e1'), entryStateKey(id, 'e2')]
  const records = await readRaw(brokers.join(','), topics.articles, (all) =>
    keys.every((k) => all.some((r) => r.key?.toString() === k && r.value === null)),
  )
  for (const k of keys) {
    const mine = records.filter((r) => r.key?.toString() === k)
    assert.ok(
      mine.every((r) => r.partition === partition),
      `${k} written off the story's partition ${partition}: ${mine.map((r) => r.partition)}`,
    )
    assert.equal(mine.at(-1)?.value, null, `${k}: the latest record is not a tombstone`)
  }
  const kill = records.filter((r) => r.key?.toString() === id && r.value !== null).at(-1)
  assert.ok(kill?.value)
  const state = codec.decode(kill.value)
  assert.equal(state.type, 'WITHDRAWN')
  assert.ok(!JSON.stringify(state).includes('to be erased'), 'the kill wrote the erased content again')
  // news.article-events: the kill, with the request's reason and without the content
  const events = await readRaw(brokers.join(','), topics.events, (all) =>
    all.some((r) => r.value !== null && codec.decode(r.value).type === 'WITHDRAWN'),
  )
  const withdrawn = events.map((r) => r.value && codec.decode(r.value)).find((e) => e?.type === 'WITHDRAWN')
  assert.equal(withdrawn?.reason, 'court order')
  assert.ok(!JSON.stringify(withdrawn).includes('to be erased'))

  // ingest refuses what would be written over it, and answers the erasure again as unchanged
  const update = await http(`${ingest.url}/v1/articles`, { method: 'POST', json: article(id, { headline: 'Back' }) })
  assert.equal(update.status, 409, update.text)
  const entry = await http(`${ingest.url}/v1/articles/${id}/entries/e3`, { method: 'PUT', json: { body: ['more'] } })
  assert.ok(entry.status === 404 || entry.status === 409, entry.text)
  const retry = await http(`${ingest.url}/v1/articles/${id}/erase`, {
    method: 'POST',
    json: { reason: 'court order' },
    headers: { 'idempotency-key': 'erase-1' },
  })
  assert.deepEqual(retry.body, erased.body, 'a retry gets the first answer')
  const again = await http(`${ingest.url}/v1/articles/${id}/erase`, { method: 'POST', json: { reason: 'court order' } })
  assert.deepEqual([again.status, (again.body as { unchanged?: boolean }).unchanged], [200, true])
  assert.equal((await http(`${ingest.url}/v1/articles/nope/erase`, { method: 'POST', json: { reason: 'x' } })).status, 404)

  // a fan-out started after the erasure: the reader who saw the story resumes and is told
  const b = await startTestFanout(t, prefix)
  await b.settled()
  const back = await connect(t, b.wsUrl)
  back.send({ type: 'subscribe', id: 's', channels: ['category:national'], since: position })
  const told = await back.next((m) => (m.type === 'withdrawn' && m.articleId === id) || m.type === 'reset', 10_000)
  assert.deepEqual([told.type, told.reason], ['withdrawn', 'court order'])
  assert.ok(!JSON.stringify(back.messages).includes('to be erased'), 'the resumed reader was shown the erased story')
  const snapshot = await (await fetch(`${b.url}/v1/snapshot?channels=category:national&limit=200`)).json()
  assert.ok(!JSON.stringify(snapshot).includes(id), 'the restarted fan-out lists the erased story')
})
