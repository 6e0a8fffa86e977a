// red18b's open item (2026-12-06): a push sender built from schemas/README.md, reading a backlog (a
// new consumer, the guide's replay, a snapshot of news.articles not yet compacted, a restart after
// a long stop), pushed a story that was public once and killed further on in that backlog: the
// kill then took it out of the index, but a push cannot be taken back. The guide now says to send
// no push while catching up (test/support/guide-consumer.ts `quietCatchUp`).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { createCodec, loadSchemas } from '@newswire/shared'
import { GuideConsumer } from './support/guide-consumer.ts'
import type { GuideRules } from './support/guide-consumer.ts'
import { eventRecords, stateRecords } from './support/guide-records.ts'
import { appForTest } from './support/in-process-app.ts'

const codec = createCodec(loadSchemas())
const DAY = 86_400_000
const guide = readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'README.md'), 'utf8').replace(/\s+/g, ' ')
const asGuided: GuideRules = {
  deletedEntryMarkers: true,
  markerMs: 15 * DAY,
  undecodableByHeaders: true,
  releaseClock: true,
  quietCatchUp: true,
}
const pushingAlong: GuideRules = { ...asGuided, quietCatchUp: false }

test('the guide says to send no push while catching up', () => {
  assert.ok(guide.includes('Send no push notification while you catch up'))
})

test('a consumer reading a backlog pushes no story killed further on in it, and pushes what comes after', async (t) => {
  const { app, call } = await appForTest(t, 'dev-ingest-key-1')
  const story = { language: 'en', body: ['x'], urgency: 1 }
  await call('/v1/articles', 'POST', { id: 'recalled', headline: 'Recalled: a wrong verdict', ...story }, 201)
  await call('/v1/articles/recalled/withdraw', 'POST', { reason: 'legal' }, 200)
  await call('/v1/articles', 'POST', { id: 'standing', headline: 'Standing story', ...story }, 201)
  const backlog = app.publisher.published.length
  const replay = eventRecords(codec, app.publisher.published)
  const snapshot = stateRecords(codec, app.publisher.written, false)
  await call('/v1/articles', 'POST', { id: 'fresh', headline: 'Fresh story', ...story }, 201)
  const after = eventRecords(codec, app.publisher.published.slice(backlog))

  for (const records of [replay, snapshot])
    for (const rules of [asGuided, pushingAlong]) {
      const consumer = new GuideConsumer(codec, 3, rules, () => Date.now())
      for (const r of records) consumer.read(r)
      consumer.caughtUp(Date.now())
      for (const r of after) consumer.read(r)
      const what = `${records === replay ? 'replay' : 'snapshot'}, quiet while catching up: ${rules.quietCatchUp}`
      // the kill reached the index either way
      assert.deepEqual([...consumer.shown].sort(), ['fresh', 'standing'], what)
      assert.equal(consumer.pushes.includes('article:recalled'), rules.quietCatchUp !== true, `${what}: ${consumer.pushes.join(', ')}`)
      assert.ok(consumer.pushes.includes('article:fresh'), what)
    }

  // a restart reads its backlog again from its last committed offset: quiet until caught up
  const consumer = new GuideConsumer(codec, 3, asGuided, () => Date.now())
  for (const r of replay) consumer.read(r)
  consumer.caughtUp(Date.now())
  consumer.restart()
  for (const r of after) consumer.read(r)
  assert.deepEqual(consumer.pushes, [])
})
