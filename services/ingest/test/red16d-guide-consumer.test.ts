// red16d attack run (2026-12-06): a downstream consumer built from schemas/README.md to the letter
// (a partner's search indexer and push sender, test/support/guide-consumer.ts), fed what ingest
// really writes (the in-process app, the real codec), snapshot then follow as the guide says.
//
// Found: the guide asked for a marker (id and version kept) only of a killed article. A deleted
// entry was to be removed everywhere, and a consumer that did so held nothing for it: following
// news.article-events from offsets noted before the snapshot ("earlier ones are safe"), or after a
// redelivery, the entry's ENTRY_CREATED read as new, and the deleted entry was indexed and pushed
// as a key event; after a snapshot, for good (the follow's ENTRY_DELETED is the event the snapshot
// read, dropped as a duplicate), an entry deleted before it was ever public too. Fixed in the
// guide: keep a deleted entry's id and version too. The other cases held (killed and erased
// stories, held and embargoed entries, readers of v1 and v2); red16d-guide-differential.test.ts
// runs random sequences.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { createCodec, loadSchemas } from '@newswire/shared'
import { GuideConsumer } from './support/guide-consumer.ts'
import type { ConsumedRecord, GuideRules } from './support/guide-consumer.ts'
import { eventRecords, stateRecords } from './support/guide-records.ts'
import { appForTest } from './support/in-process-app.ts'
import type { InProcessApp } from './support/in-process-app.ts'

const codec = createCodec(loadSchemas())
const KEY = 'dev-ingest-key-1'
const SECRET = 'Zx7unpublished'
const guide = readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'README.md'), 'utf8').replace(/\s+/g, ' ')
const DAY = 86_400_000
const asGuided: GuideRules = { deletedEntryMarkers: true, markerMs: 15 * DAY, undecodableByHeaders: true }

/** Snapshot then follow (schemas/README.md): news.articles to its end, then the events from `from`. */
function snapshotThenFollow(app: InProcessApp, from: number, compacted: boolean, rules: GuideRules, reader = 3) {
  const consumer = new GuideConsumer(codec, reader, rules)
  const snapshot: ConsumedRecord[] = stateRecords(codec, app.publisher.written, compacted)
  for (const r of snapshot) consumer.read(r)
  const pushedInSnapshot = consumer.pushes.length
  for (const r of eventRecords(codec, app.publisher.published).slice(from)) consumer.read(r)
  return { consumer, followPushes: consumer.pushes.slice(pushedInSnapshot) }
}

test('the guide asks a consumer to keep a deleted entry’s id and version, as a killed article’s', () => {
  assert.match(guide, /Removing a killed article, keep its id and version/)
  assert.match(guide, /Removing a deleted entry \(`ENTRY_DELETED`\), keep its id and version too/)
})

test('a deleted entry is never pushed again: snapshot, then follow from offsets noted before it was written', async (t) => {
  const { app, call } = await appForTest(t, KEY)
  await call('/v1/articles', 'POST', { id: 'live-1', language: 'en', headline: 'Live: port fire', summary: 'Latest', live: true }, 201)
  // the consumer notes where news.article-events ends, then reads news.articles meanwhile
  const noted = app.publisher.published.length
  await call('/v1/articles/live-1/entries/e1', 'PUT', { headline: `Key event ${SECRET}`, body: ['x'], keyEvent: true }, 201)
  await call('/v1/articles/live-1/entries/e1', 'DELETE', { reason: 'wrong' }, 200)
  await call('/v1/articles/live-1/entries/e2', 'PUT', { body: ['still here'] }, 201)
  for (const compacted of [false, true]) {
    const { consumer, followPushes } = snapshotThenFollow(app, noted, compacted, asGuided)
    assert.deepEqual(followPushes, [], `compacted ${compacted}: the follow pushed ${followPushes.join(', ')}`)
    assert.deepEqual([...consumer.shown].sort(), ['live-1', 'live-1/e2'])
    if (compacted) assert.ok(!consumer.everShown.some((s) => s.includes(SECRET)), consumer.everShown.join('\n'))
    // without the marker (the guide before red16d): once compaction has left only the deletion
    // (min.compaction.lag.ms is a minute), the follow brings the deleted entry back as new; before
    // it, the entry's own state record carried the event id the follow then reads
    const unmarked = snapshotThenFollow(app, noted, compacted, { ...asGuided, deletedEntryMarkers: false })
    assert.deepEqual(unmarked.followPushes, compacted ? ['entry:live-1/e1'] : [], `compacted ${compacted}`)
    // and keeps it: the follow's ENTRY_DELETED is the event the snapshot read, dropped as a duplicate
    const kept = compacted ? ['live-1', 'live-1/e1', 'live-1/e2'] : ['live-1', 'live-1/e2']
    assert.deepEqual([...unmarked.consumer.shown].sort(), kept, `compacted ${compacted}`)
  }
})

test('an entry deleted before it was ever public is never published: written under a held story, deleted, the story released', async (t) => {
  const { app, call } = await appForTest(t, KEY)
  await call(
    '/v1/articles',
    'POST',
    { id: 'live-3', language: 'en', headline: 'Live: ahead of the verdict', summary: 's', live: true, pubStatus: 'withheld' },
    201,
  )
  await call('/v1/articles/live-3/entries/e1', 'PUT', { headline: `Draft verdict ${SECRET}`, body: ['x'], keyEvent: true }, 201)
  await call('/v1/articles/live-3/entries/e1', 'DELETE', { reason: 'draft' }, 200)
  await call('/v1/articles/live-3', 'PATCH', { pubStatus: 'usable' }, 200)
  for (const rules of [asGuided, { ...asGuided, deletedEntryMarkers: false }]) {
    // a compacted snapshot, then the events from an earlier offset (the guide: earlier ones are safe)
    const { consumer } = snapshotThenFollow(app, 0, true, rules)
    const leaked = consumer.everShown.filter((s) => s.includes(SECRET))
    assert.deepEqual(leaked.length > 0, !rules.deletedEntryMarkers, `markers ${rules.deletedEntryMarkers}: ${leaked.join('; ')}`)
    // without the marker it stays for good: the follow's ENTRY_DELETED is the snapshot's event, a duplicate
    assert.deepEqual([...consumer.shown].sort(), rules.deletedEntryMarkers ? ['live-3'] : ['live-3', 'live-3/e1'])
  }
})

test('a deleted entry is never pushed again after a redelivery of its earlier events', async (t) => {
  const { app, call } = await appForTest(t, KEY)
  await call('/v1/articles', 'POST', { id: 'live-2', language: 'en', headline: 'Live: vote count', summary: 'Latest', live: true }, 201)
  await call('/v1/articles/live-2/entries/e1', 'PUT', { headline: `Early call ${SECRET}`, body: ['x'], keyEvent: true }, 201)
  await call('/v1/articles/live-2/entries/e1', 'DELETE', { reason: 'called too early' }, 200)
  const events = eventRecords(codec, app.publisher.published)
  for (const rules of [asGuided, { ...asGuided, deletedEntryMarkers: false }]) {
    const consumer = new GuideConsumer(codec, 3, rules)
    for (const r of events) consumer.read(r)
    const before = consumer.pushes.length
    // it restarts from the offset it committed before the entry was created
    consumer.restart()
    for (const r of events.slice(1)) consumer.read(r)
    const pushed = consumer.pushes.slice(before)
    assert.deepEqual(pushed, rules.deletedEntryMarkers ? [] : ['entry:live-2/e1'], `markers ${rules.deletedEntryMarkers}`)
  }
})

test('held: killed and erased stories, held and embargoed entries, through every snapshot and follow, for readers of v1, v2 and v3', async (t) => {
  const { app, call } = await appForTest(t, KEY)
  const story = (id: string, extra: object = {}) => ({ id, language: 'en', headline: `Story ${id}`, summary: 's', live: true, ...extra })
  // never public: must never be shown
  const held = (id: string) => `${id} ${SECRET}`
  await call('/v1/articles', 'POST', story('killed'), 201)
  await call('/v1/articles', 'POST', story('erased'), 201)
  await call('/v1/articles', 'POST', story('open'), 201)
  await call('/v1/articles', 'POST', story('held-story', { headline: held('held-story'), pubStatus: 'withheld' }), 201)
  for (const id of ['killed', 'erased']) await call(`/v1/articles/${id}/entries/e1`, 'PUT', { headline: 'was public', body: ['x'] }, 201)
  await call('/v1/articles/held-story/entries/e1', 'PUT', { headline: held('held-story/e1'), body: ['x'] }, 201)
  await call('/v1/articles/open/entries/pub', 'PUT', { headline: 'public entry', body: ['x'] }, 201)
  await call('/v1/articles/open/entries/held', 'PUT', { headline: held('open/held'), body: ['x'], pubStatus: 'withheld' }, 201)
  const embargo = { headline: held('open/embargoed'), body: ['x'], embargoedUntil: '2099-01-01T00:00:00Z' }
  await call('/v1/articles/open/entries/embargoed', 'PUT', embargo, 201)
  // a public entry held again with new text; a story held with a new headline
  await call('/v1/articles/open/entries/rehold', 'PUT', { headline: 'was public', body: ['x'] }, 201)
  await call('/v1/articles/open/entries/rehold', 'PATCH', { pubStatus: 'withheld', headline: held('open/rehold') }, 200)
  await call('/v1/articles/killed', 'PATCH', { pubStatus: 'withheld', headline: held('killed') }, 200)
  await call('/v1/articles/killed/withdraw', 'POST', { reason: 'legal' }, 200)
  await call('/v1/articles/erased', 'PATCH', { pubStatus: 'withheld', headline: held('erased') }, 200)
  await call('/v1/articles/erased/erase', 'POST', { reason: 'court order' }, 200)
  const events = app.publisher.published.length
  for (let from = 0; from <= events; from++) {
    for (const compacted of [false, true]) {
      for (const reader of [1, 2, 3]) {
        const { consumer, followPushes } = snapshotThenFollow(app, from, compacted, asGuided, reader)
        const what = `from ${from}, compacted ${compacted}, reader v${reader}`
        const leaked = consumer.everShown.filter((s) => s.includes(SECRET))
        assert.deepEqual(leaked, [], `${what}: shown ${leaked.join('; ')}`)
        // the snapshot holds the kills: the follow brings nothing of them back
        const back = followPushes.filter((p) => /:(killed|erased)\b/.test(p))
        assert.deepEqual(back, [], what)
        // the erased story's text is gone from a compacted snapshot, and so from the follow
        if (compacted) assert.ok(!consumer.everShown.some((s) => s.includes('erased')), `${what}: ${consumer.everShown.join('; ')}`)
        // readers before v3 skip entry events (UNKNOWN): the story alone
        assert.deepEqual([...consumer.shown].sort(), reader === 3 ? ['open', 'open/pub'] : ['open'], what)
      }
    }
  }
})
