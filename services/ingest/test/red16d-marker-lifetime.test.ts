// red16d attack run (2026-12-06): how long a consumer built from schemas/README.md keeps a killed
// article's marker (its id and version, so a replay's earlier versions read as older news). The
// guide said 7 days, "as long as news.article-events keeps events"; but the broker deletes an event
// only with its log segment, 7 days (retention.ms) after the segment's newest event, and a segment
// takes up to segment.ms (7 days, left at Kafka's default) to roll: an event can stay 14 days and
// more (topics.ts erasureGap counts the same for tombstones). A consumer that dropped the marker
// after 7 days and replayed the topic from its start (the guide's own advice for a rebuild) took
// the killed story's CREATED for new, and indexed and pushed it until its WITHDRAWN came round
// again. Fixed in the guide: 15 days, and what the number comes from.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { createCodec, EVENTS_RETENTION_MS, loadSchemas, topicConfigs, topicNames } from '@newswire/shared'
import { GuideConsumer } from './support/guide-consumer.ts'
import { eventRecords } from './support/guide-records.ts'
import { appForTest } from './support/in-process-app.ts'

const codec = createCodec(loadSchemas())
const KEY = 'dev-ingest-key-1'
const DAY = 86_400_000
/** Kafka's defaults where topicConfigs sets nothing: segment.ms, and log.retention.check.interval.ms. */
const KAFKA_SEGMENT_MS = 7 * DAY
const KAFKA_RETENTION_CHECK_MS = 5 * 60_000
const guide = readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'README.md'), 'utf8').replace(/\s+/g, ' ')

/** The longest news.article-events may hold an event, as ingest creates the topic. */
function eventsKeptMs(): number {
  const names = topicNames()
  const events = topicConfigs(names, 3, 1).find((t) => t.topic === names.events)
  const setting = (name: string) => events?.configEntries?.find((e) => e.name === name)?.value
  const retention = Number(setting('retention.ms'))
  assert.equal(retention, EVENTS_RETENTION_MS)
  const segment = setting('segment.ms')
  return retention + (segment === undefined ? KAFKA_SEGMENT_MS : Number(segment)) + KAFKA_RETENTION_CHECK_MS
}

/** The marker's time in the guide, in ms. */
function guideMarkerMs(): number {
  const m = /Removing a killed article, keep its id and version\*\* \(a marker, for (\d+) days after the kill/.exec(guide)
  assert.ok(m, 'the guide names how long to keep a killed article’s marker')
  return Number(m[1]) * DAY
}

test('the guide’s marker outlasts every event the broker may still hold of a killed article, and its other times agree', () => {
  const kept = eventsKeptMs()
  const marker = guideMarkerMs()
  assert.ok(marker >= kept, `the guide keeps a marker ${marker / DAY} days; events may stay ${kept / DAY} days`)
  const days = marker / DAY
  assert.match(guide, new RegExp(`still holds of it \\(up to ${days} days\\) is erased too`))
  assert.match(guide, new RegExp(`kept as long as the events \\(up to ${days} days`))
  assert.doesNotMatch(guide, /keeps events, 7 days|kept long and replayed/)
})

test('a killed story is not pushed again by a rebuild from the start of news.article-events while the broker may hold it', async (t) => {
  const { app, call: send } = await appForTest(t, KEY)
  const call = (path: string, json: unknown, want: number) => send(path, 'POST', json, want)
  await call('/v1/articles', { id: 'killed', language: 'en', headline: 'Minister resigns', body: ['x'], urgency: 1 }, 201)
  await call('/v1/articles/killed/withdraw', { reason: 'legal' }, 200)
  const events = eventRecords(codec, app.publisher.published)
  const [created, kill] = app.publisher.published
  assert.ok(created && kill?.type === 'WITHDRAWN')
  // the latest the CREATED may still be in the log: its segment rolled at the latest segment.ms after it
  const stillHeld = created.ingestedAt + eventsKeptMs() - 60_000
  for (const [markerMs, pushed] of [
    [guideMarkerMs(), []],
    [7 * DAY, ['article:killed']],
  ] as const) {
    let clock = kill.ingestedAt
    const consumer = new GuideConsumer(codec, 3, { deletedEntryMarkers: true, markerMs, undecodableByHeaders: true }, () => clock)
    for (const r of events) consumer.read(r)
    assert.deepEqual(consumer.pushes, ['article:killed'], 'pushed once, while it was public')
    // a rebuild: the topic read again from its start, days later, over the index it kept
    clock = stillHeld
    consumer.restart()
    const [first] = events
    assert.ok(first)
    consumer.read(first)
    assert.deepEqual(consumer.pushes.slice(1), pushed, `a marker of ${markerMs / DAY} days`)
  }
})
