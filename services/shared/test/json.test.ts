// The JSON face of events (json.ts), field by field: every instant as an ISO string, the embargo
// times a newsroom reader is shown included, null kept as null and an empty list as a list, the
// rest as the record has it. codec-v3.test.ts held corrections and the entry member; the stop 44
// sweep found the embargo times, the update time and a null correction unheld.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { entryEventToJson, eventToJson } from '../src/json.ts'
import { entryEvent, fullEvent } from './support/events.ts'

const iso = (ms: number) => new Date(ms).toISOString()

test("an article event's JSON: its instants and the article's as ISO strings, the embargo time included, nothing else changed", () => {
  const e = fullEvent()
  const { entry: _entry, ...rest } = e
  const a = e.article
  assert.deepEqual(eventToJson(e), {
    ...rest,
    occurredAt: iso(e.occurredAt),
    ingestedAt: iso(e.ingestedAt),
    article: {
      ...a,
      publishedAt: iso(a.publishedAt as number),
      updatedAt: iso(a.updatedAt as number),
      embargoedUntil: '2024-08-17T06:00:00.000Z',
      corrections: [{ note: 'An earlier version misspelt the minister’s name.', at: '2024-08-17T05:46:00.000Z' }],
    },
    correction: { note: 'An earlier version misspelt the minister’s name.', at: '2024-08-17T05:46:00.000Z' },
  })
  assert.equal(eventToJson(e).article.updatedAt, '2024-08-17T05:46:00.000Z')
})

test('null instants stay null; a null correction and an empty corrections list are kept as such', () => {
  const e = fullEvent()
  const json = eventToJson({
    ...e,
    correction: null,
    article: { ...e.article, publishedAt: null, updatedAt: null, embargoedUntil: null, corrections: [] },
  })
  assert.equal(json.correction, null, 'a v3 event saying "no correction" says so in JSON too')
  assert.deepEqual(json.article.corrections, [])
  assert.equal(json.article.publishedAt, null)
  assert.equal(json.article.updatedAt, null)
  assert.equal(json.article.embargoedUntil, null)
})

test("an entry event's JSON: the entry's embargo time as an ISO string, its instants and the story's too", () => {
  const e = entryEvent()
  const held = { ...e, entry: { ...e.entry, embargoedUntil: Date.UTC(2024, 7, 17, 9, 0, 0) } }
  const json = entryEventToJson(held)
  assert.equal(json.entry.embargoedUntil, '2024-08-17T09:00:00.000Z', "the newsroom is shown when an entry's embargo ends")
  assert.equal(json.entry.updatedAt, iso(e.entry.updatedAt))
  assert.equal(json.article.publishedAt, iso(e.article.publishedAt as number))
  assert.equal(json.occurredAt, iso(e.occurredAt))
  assert.equal(entryEventToJson(e).entry.embargoedUntil, null)
  const { entry: _e, article: _a, correction: _c, occurredAt: _o, ingestedAt: _i, ...same } = json
  const { entry: _e2, article: _a2, correction: _c2, occurredAt: _o2, ingestedAt: _i2, ...asRecorded } = held
  assert.deepEqual(same, asRecorded)
})
