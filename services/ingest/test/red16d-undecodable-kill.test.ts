// red16d attack run (2026-12-06): a kill written in a schema a consumer does not have yet. The
// guide (schemas/README.md) told a consumer to park a record whose fingerprint it does not know and
// update its copy of the folder, and nothing more; Newswire's own fan-out meanwhile acts on the
// record's headers (a kill as a kill, anything else as a hold), because the rule that a schema file
// reaches readers before any writer uses it can be broken (a deploy in the wrong order; a partner
// who updates later). A consumer built from the guide, fed a story's WITHDRAWN from a newer
// ingest, kept the killed story (and its entries) in its public index, and kept showing a story
// the desk had held and an entry it had deleted, until someone updated its schemas. Fixed in the
// guide: act on the headers meanwhile, as the fan-out does.
import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { createCodec, defaultSchemasDir, loadSchemas } from '@newswire/shared'
import type { Codec } from '@newswire/shared'
import { GuideConsumer } from './support/guide-consumer.ts'
import { compact, eventRecords, stateRecords } from './support/guide-records.ts'
import { appForTest } from './support/in-process-app.ts'

const codec = createCodec(loadSchemas())
const KEY = 'dev-ingest-key-1'
const DAY = 86_400_000
const guide = readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'README.md'), 'utf8').replace(/\s+/g, ' ')

/** A v4 as a later release might add it (one more optional field): what a consumer with v1-v3 cannot decode. */
function newerCodec(): Codec {
  const dir = mkdtempSync(join(tmpdir(), 'red16d-v4-'))
  try {
    for (const v of [1, 2, 3]) copyFileSync(join(defaultSchemasDir(), `article-event.v${v}.avsc`), join(dir, `article-event.v${v}.avsc`))
    const v3 = JSON.parse(readFileSync(join(dir, 'article-event.v3.avsc'), 'utf8')) as { fields: unknown[] }
    v3.fields.push({ name: 'provenance', type: ['null', 'string'], default: null })
    writeFileSync(join(dir, 'article-event.v4.avsc'), JSON.stringify(v3))
    return createCodec(loadSchemas(dir))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('the guide tells a consumer to act on the headers of a record it cannot decode yet', () => {
  assert.ok(guide.includes('**Meanwhile act on its headers**'), 'the rule')
  assert.ok(guide.includes("`event-type` `WITHDRAWN` removes the article under the record's key"), 'a kill')
  assert.ok(guide.includes('any other type stops showing that article'), 'a hold')
})

test('a kill, a hold and an entry’s deletion in a schema the consumer does not have yet reach its index', async (t) => {
  const { app, call } = await appForTest(t, KEY)
  const story = (id: string) => ({ id, language: 'en', headline: `Story ${id}`, summary: 's', live: true })
  for (const id of ['killed', 'held', 'open']) await call('/v1/articles', 'POST', story(id), 201)
  await call('/v1/articles/killed/entries/e1', 'PUT', { body: ['an entry'] }, 201)
  await call('/v1/articles/open/entries/deleted', 'PUT', { body: ['an entry'] }, 201)
  const before = app.publisher.published.length
  const writtenBefore = app.publisher.written.length
  // a newer ingest (v4) writes these
  await call('/v1/articles/killed/withdraw', 'POST', { reason: 'legal' }, 200)
  await call('/v1/articles/held', 'PATCH', { pubStatus: 'withheld' }, 200)
  await call('/v1/articles/open/entries/deleted', 'DELETE', { reason: 'wrong' }, 200)
  const newer = newerCodec()
  const records = [
    ...eventRecords(codec, app.publisher.published.slice(0, before)),
    ...eventRecords(newer, app.publisher.published.slice(before)),
  ]
  for (const [undecodableByHeaders, shown] of [
    [true, ['open']],
    [false, ['held', 'killed', 'killed/e1', 'open', 'open/deleted']],
  ] as const) {
    const consumer = new GuideConsumer(codec, 3, { deletedEntryMarkers: true, markerMs: 15 * DAY, undecodableByHeaders })
    for (const r of records) consumer.read(r)
    assert.equal(consumer.parked.length, 3, 'parked, as the guide says, either way')
    assert.deepEqual([...consumer.shown].sort(), shown, `by headers: ${undecodableByHeaders}`)
    if (!undecodableByHeaders) continue
    // the same from a snapshot of news.articles, where an entry's key names its story
    const snapshot = [
      ...stateRecords(codec, app.publisher.written.slice(0, writtenBefore), false),
      ...stateRecords(newer, app.publisher.written.slice(writtenBefore), false),
    ]
    for (const records of [snapshot, compact(snapshot)]) {
      const fresh = new GuideConsumer(codec, 3, { deletedEntryMarkers: true, markerMs: 15 * DAY, undecodableByHeaders: true })
      for (const r of records) fresh.read(r)
      assert.deepEqual([...fresh.shown].sort(), ['open'], 'snapshot')
    }
    // a record it can read ends the hold: the desk releases the story (written by this release)
    const released = app.publisher.published.length
    await call('/v1/articles/held', 'PATCH', { pubStatus: 'usable' }, 200)
    for (const r of eventRecords(codec, app.publisher.published.slice(released))) consumer.read(r)
    assert.deepEqual([...consumer.shown].sort(), ['held', 'open'])
  }
})
