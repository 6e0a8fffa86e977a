// red16d attack run (2026-12-06): a correction note on a held story. The guide (schemas/README.md)
// said "Show the note to readers" of every UPDATED or ENTRY_UPDATED carrying `correction`; one
// update can correct and hold at once (the desk pulls a story while correcting it), so a consumer
// that shows corrections as they come (a corrections feed) published the note of a story, or an
// entry, the desk had just held, and with it what the held version says. Fixed in the guide: the
// note goes with what it corrects, only where that may be shown.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { isEntryEvent } from '@newswire/shared'
import { appForTest } from './support/in-process-app.ts'

const KEY = 'dev-ingest-key-1'
const guide = readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'README.md'), 'utf8').replace(/\s+/g, ' ')

test('the guide shows a correction note only where what it corrects may be shown', () => {
  assert.ok(guide.includes('with the article or entry it corrects, and only where that may be shown'))
})

test('ingest writes a correction and a hold in one event, of a story and of an entry', async (t) => {
  const { app, call } = await appForTest(t, KEY)
  await call('/v1/articles', 'POST', { id: 'toll', language: 'en', headline: 'Fire: 3 dead', body: ['x'], live: true })
  await call('/v1/articles/toll/entries/e1', 'PUT', { body: ['3 dead'] })
  const note = { note: 'An earlier version gave the wrong death toll.' }
  await call('/v1/articles/toll', 'PATCH', { headline: 'Fire: 30 dead', pubStatus: 'withheld', correction: note })
  await call('/v1/articles/toll/entries/e1', 'PATCH', { body: ['30 dead'], pubStatus: 'withheld', correction: note })
  const [story, entry] = app.publisher.published.slice(-2)
  assert.ok(story && !isEntryEvent(story) && entry && isEntryEvent(entry))
  assert.equal(story.correction?.note, note.note)
  assert.equal(story.article.pubStatus, 'withheld')
  assert.equal(entry.correction?.note, note.note)
  assert.equal(entry.entry.pubStatus, 'withheld')
})
