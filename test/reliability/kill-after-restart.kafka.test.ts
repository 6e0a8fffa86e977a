// A reader who saw a story in one view (category:sports), and was away while it moved desk
// (politics) and was killed, resumes on a fan-out started after the version it saw left that
// instance's history (a deploy, a crashed worker, a scale-up). An outside review found it never
// heard of the kill: the new instance knew only the story's latest view. Ingest now carries the
// views of earlier versions with the article's state in news.articles (`earlier-views` header).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { TestContext } from 'node:test'
import { EARLIER_VIEWS_HEADER, Kafka, logLevel, topicNames } from '@newswire/shared'
import { article, connect, openSse, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { brokers, http, startTestIngest, uniquePrefix } from '../helpers.ts'
import { metricValue, readRaw } from './support.ts'

describe('a kill after a fan-out restart reaches the reader who saw the story', { concurrency: true }, () => {
  // 3 partitions: '3' keeps one offset per partition (Kafka path), '12' four (memory path: the
  // reader's position is in memory, the version it saw is not)
  for (const history of ['3', '12', '50000']) {
    test(`story moved desk, then killed, while the reader was away; resume on a new instance (history ${history})`, async (t) => {
      const prefix = uniquePrefix()
      const ingest = await startTestIngest(t, prefix)
      const a = await startTestFanout(t, prefix)
      await publish(ingest.url, article('story', { category: 'sports', headline: 'Story the reader saw' }))
      await a.settled()
      const first = await openSse(t, `${a.url}/v1/sse?channels=category:sports`)
      const [subscribed] = await first.until((all) => all.some((e) => e.event === 'subscribed'))
      assert.ok(JSON.stringify(subscribed?.data.snapshot).includes('Story the reader saw'))
      const position = subscribed?.id as string
      first.close()
      const moved = await http(`${ingest.url}/v1/articles/story`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ category: 'politics' }),
      })
      assert.equal(moved.status, 200)
      await withdraw(ingest.url, 'story', 'legal')
      await a.settled()
      // the instance that was up all along tells the reader
      const control = await openSse(t, `${a.url}/v1/sse?channels=category:sports`, { 'last-event-id': position })
      await control.until((all) => all.some((e) => e.event === 'withdrawn'), 5000)
      // a fan-out started now (as after a deploy) does not
      const b = await startTestFanout(t, prefix, { FANOUT_HISTORY_SIZE: history })
      await b.settled()
      const sse = await openSse(t, `${b.url}/v1/sse?channels=category:sports`, { 'last-event-id': position })
      const ws = await connect(t, b.wsUrl)
      ws.send({ type: 'subscribe', id: 's', channels: ['category:sports'], since: position })
      const [sub] = await sse.until((all) => all.some((e) => e.event === 'subscribed'))
      await ws.next((m) => m.type === 'subscribed')
      await new Promise((r) => setTimeout(r, 2500))
      const replay = sub?.data.replay
      assert.ok(
        sse.events.some((e) => e.event === 'withdrawn' && e.data.articleId === 'story'),
        `SSE resume (replay ${String(replay)}) never heard of the kill: ${sse.events.map((e) => e.event).join(',')}`,
      )
      assert.ok(
        ws.messages.some((m) => m.type === 'withdrawn' && m.articleId === 'story'),
        `WebSocket resume never heard of the kill: ${ws.messages.map((m) => m.type).join(',')}`,
      )
      // an instance that read the version the reader saw knows the view was shown: the newsroom's
      // words; one that knows it only from ingest's header (an estimate that can count a reader
      // who never saw it) gives the default words
      const words = history === '50000' ? 'legal' : 'withdrawn'
      assert.equal(control.events.find((e) => e.event === 'withdrawn')?.data.reason, 'legal')
      assert.equal(sse.events.find((e) => e.event === 'withdrawn')?.data.reason, words)
      assert.equal(ws.messages.find((m) => m.type === 'withdrawn')?.reason, words)
    })
  }
})

/** Writes (PUT) or deletes (DELETE) an entry of live story `live` through ingest. */
const entryWriter = (ingestUrl: string) => async (id: string, method: 'PUT' | 'DELETE', json: Record<string, unknown>) => {
  const r = await http(`${ingestUrl}/v1/articles/live/entries/${id}`, { method, json })
  assert.ok(r.status === 200 || r.status === 201, `${method} ${id}: ${r.status} ${r.text}`)
}

/** A public reader of story:live is shown exactly `entries`, then leaves: where it left. */
async function readerLeaves(t: TestContext, wsUrl: string, entries: string[]): Promise<string> {
  const first = await connect(t, wsUrl)
  first.send({ type: 'subscribe', id: 's', channels: ['story:live'] })
  const subscribed = await first.next((m) => m.type === 'subscribed')
  assert.deepEqual(
    (subscribed.entries as { id: string }[]).map((e) => e.id),
    entries,
  )
  first.ws.close()
  return subscribed.position as string
}

describe('an entry deletion after a fan-out restart', () => {
  test('reaches the reader who saw the entry, and tells the public nothing of an entry only ever withheld', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const a = await startTestFanout(t, prefix)
    const entry = entryWriter(ingest.url)
    await publish(ingest.url, article('live', { live: true, headline: 'ঘূর্ণিঝড়: সরাসরি' }))
    await entry('seen', 'PUT', { body: ['the reader sees this one'] })
    await entry('staged', 'PUT', { body: ['legal has not cleared this'], pubStatus: 'withheld' })
    await a.settled()
    const position = await readerLeaves(t, a.wsUrl, ['seen'])
    await entry('staged', 'DELETE', { reason: 'names a minor' })
    await entry('seen', 'DELETE', { reason: 'wrong town' })
    // one more event on the story's partition: both deletions leave a history of one per partition
    await entry('later', 'PUT', { body: ['a later entry'] })
    await a.settled()
    for (const [name, instance] of [
      ['up all along', a],
      ['started now', await startTestFanout(t, prefix, { FANOUT_HISTORY_SIZE: '3' })],
    ] as const) {
      await instance.settled()
      const c = await connect(t, instance.wsUrl)
      c.send({ type: 'subscribe', id: 's', channels: ['story:live'], since: position })
      // told of the deletion (the instance up all along replays), or told to start over (the one
      // started now: a story resume from before its memory is a reset; the SDK drops what it held,
      // and the snapshot has no 'seen'); never of an entry it could not have seen
      const [answer] = await c.until(
        (all) => all.some((m) => m.type === 'reset' || (m.type === 'entryWithdrawn' && m.entryId === 'seen')),
        5000,
      )
      await new Promise((r) => setTimeout(r, 500))
      const reset = c.messages.find((m) => m.type === 'reset')
      if (reset) assert.ok(!JSON.stringify(reset).includes('the reader sees this one'), `${name}: a reset without the deleted entry`)
      const about = c.messages.filter((m) => m.type === 'entryWithdrawn').map((m) => `${String(m.entryId)}:${String(m.reason)}`)
      assert.deepEqual(
        about,
        reset ? [] : ['seen:wrong town'],
        `${name} (${String(answer?.type)}): of the deletion it must hear of, and of no other`,
      )
    }
  })

  // A story under an embargo (long passed) when the reader saw its entry: an outside review
  // (2026-12-04) found an instance started later judged the states it loaded at time 0, the
  // story unreleased then, so the entry counted as seen by the newsroom only and the deletion
  // never reached the reader. Without the embargo, the control.
  for (const embargoed of [false, true])
    test(`reaches the public reader who saw the entry (story ${embargoed ? 'under an embargo, passed' : 'never embargoed'})`, {
      timeout: 120_000,
    }, async (t) => {
      const prefix = uniquePrefix()
      const ingest = await startTestIngest(t, prefix)
      const a = await startTestFanout(t, prefix)
      const entry = entryWriter(ingest.url)
      // the story is announced under a short embargo, and runs once it passes
      const embargo = new Date(Date.now() + 2000).toISOString()
      await publish(ingest.url, article('live', { live: true, headline: 'Cyclone: live', ...(embargoed && { embargoedUntil: embargo }) }))
      await new Promise((r) => setTimeout(r, Date.parse(embargo) - Date.now() + 500))
      await entry('seen', 'PUT', { body: ['the reader sees this one'] })
      await a.settled()
      const position = await readerLeaves(t, a.wsUrl, ['seen'])
      await entry('seen', 'DELETE', { reason: 'wrong town' })
      await a.settled()
      const answers: Record<string, string> = {}
      for (const [name, instance] of [
        ['up all along', a],
        // two records per partition in memory (a transaction's marker takes an offset): the deletion
        // and its marker are, the entry's first version is not; the reader's position is in memory
        ['started now', await startTestFanout(t, prefix, { FANOUT_HISTORY_SIZE: '6' })],
      ] as const) {
        await instance.settled()
        const c = await connect(t, instance.wsUrl)
        c.send({ type: 'subscribe', id: 's', channels: ['story:live'], since: position })
        await c.next((m) => m.type === 'subscribed' || m.type === 'reset')
        await new Promise((r) => setTimeout(r, 1500))
        const reset = c.messages.find((m) => m.type === 'reset')
        const about = c.messages.filter((m) => m.type === 'entryWithdrawn').map((m) => `${String(m.entryId)}:${String(m.reason)}`)
        answers[name] = reset
          ? `reset ${JSON.stringify(reset).includes('the reader sees this one') ? 'WITH' : 'without'} the entry`
          : about.join(',')
      }
      // either a reset without the entry or the deletion; never silence. The instance started now
      // knows the reader only may have seen it (an estimate): the default words, not the newsroom's
      const ok = (s: string, words: string) => s === `seen:${words}` || s === 'reset without the entry'
      assert.ok(ok(answers['up all along'] as string, 'wrong town'), `control: ${JSON.stringify(answers)}`)
      assert.ok(ok(answers['started now'] as string, 'deleted'), `the reader never heard of the deletion: ${JSON.stringify(answers)}`)
    })
})

test('a header this release cannot read is counted, and its record still loads', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  await publish(ingest.url, article('story', { category: 'sports', headline: 'Story with a header' }))
  const moved = await http(`${ingest.url}/v1/articles/story`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ headline: 'Story, updated' }),
  })
  assert.equal(moved.status, 200)
  // ingest's record of the update, written again with a header no release can read (a later writer's bug, a newer format)
  const articles = topicNames(prefix).articles
  const [state] = (
    await readRaw(brokers.join(','), articles, (all) => all.some((r) => r.headers[EARLIER_VIEWS_HEADER] !== undefined))
  ).filter((r) => r.headers[EARLIER_VIEWS_HEADER] !== undefined)
  assert.ok(state?.value)
  const producer = new Kafka({ clientId: 'bad-header', brokers, logLevel: logLevel.NOTHING }).producer()
  await producer.connect()
  t.after(() => producer.disconnect())
  await producer.send({
    topic: articles,
    acks: -1,
    messages: [
      { key: state.key, value: state.value, partition: state.partition, headers: { [EARLIER_VIEWS_HEADER]: '{"views":"not a list"}' } },
    ],
  })
  const b = await startTestFanout(t, prefix)
  await b.settled()
  const metrics = await http(`${b.url}/metrics`)
  assert.equal(
    metricValue(metrics.text, 'newswire_fanout_undecodable_headers_total', { header: EARLIER_VIEWS_HEADER }),
    1,
    metrics.text.slice(0, 200),
  )
  const c = await connect(t, b.wsUrl)
  c.send({ type: 'subscribe', id: 's', channels: ['category:sports'] })
  const subscribed = await c.next((m) => m.type === 'subscribed')
  assert.ok(JSON.stringify(subscribed.snapshot).includes('Story, updated'), 'the record itself is loaded')
})
