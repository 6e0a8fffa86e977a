// A reader saw a story, was told it went under embargo, and left; later events on its partition
// pushed it out of the memory of a fan-out started next (a deploy), where the embargo passed. The
// reader resumes there from its position from before. That instance knows the story only from
// news.articles, not where its event lies against the position, and once ordered its release just
// below memory: the resume was never sent it (found by the newsroom restart model, 2026-12-04).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { partitionOf } from '@newswire/shared'
import { article, connect, openSse, publish, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { sleep, startTestIngest, uniquePrefix } from '../helpers.ts'

const PARTITIONS = 3 // ingestEnv's

test('a resume older than a restarted fan-out memory gets the release of a story known only from news.articles', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const a = await startTestFanout(t, prefix)
  await publish(ingest.url, article('story', { category: 'sports', headline: 'Before the embargo' }))
  await a.settled()
  const first = await openSse(t, `${a.url}/v1/sse?channels=category:sports`)
  await first.until((all) => all.some((e) => e.event === 'subscribed'))
  // a new version under a short embargo: the reader is told to take the story down, then leaves
  const releaseAt = Date.now() + 8_000
  await publish(
    ingest.url,
    article('story', { category: 'sports', headline: 'After the embargo', embargoedUntil: new Date(releaseAt).toISOString() }),
  )
  const held = (await first.until((all) => all.some((e) => e.event === 'withdrawn'))).find((e) => e.event === 'withdrawn')
  assert.equal(held?.data.cause, 'embargoed')
  const position = held?.id as string
  first.close()

  // while it is away: events after the story's on its partition
  const same = Array.from({ length: 40 }, (_, i) => `other-${i}`).filter(
    (id) => partitionOf(id, PARTITIONS) === partitionOf('story', PARTITIONS),
  )
  assert.ok(same.length >= 2)
  for (const id of same.slice(0, 2)) await publish(ingest.url, article(id, { category: 'politics' }))

  // history 3: one event a partition, the last; the story's version is older than memory
  const b = await startTestFanout(t, prefix, { FANOUT_HISTORY_SIZE: '3' })
  await b.settled()
  await sleep(Math.max(0, releaseAt - Date.now()) + 1_500)
  const sse = await openSse(t, `${b.url}/v1/sse?channels=category:sports`, { 'last-event-id': position })
  const ws = await connect(t, b.wsUrl)
  ws.send({ type: 'subscribe', id: 's', channels: ['category:sports'], since: position })
  await sse.until((all) => all.some((e) => e.event === 'subscribed'))
  await ws.next((m) => m.type === 'subscribed')
  await sleep(2_000)
  const released = (event: unknown) => (event as { article?: { headline?: string } } | undefined)?.article?.headline === 'After the embargo'
  assert.ok(
    sse.events.some((e) => e.event === 'event' && released(e.data.event)),
    `SSE resume never got the release: ${sse.events.map((e) => e.event).join(',')}`,
  )
  assert.ok(
    ws.messages.some((m) => m.type === 'event' && released(m.event)),
    `WebSocket resume never got the release: ${ws.messages.map((m) => m.type).join(',')}`,
  )
})
