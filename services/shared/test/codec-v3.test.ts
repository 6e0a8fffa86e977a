// Schema v3 (live-story entries and correction notes) against the readers already deployed:
// what a v1 or v2 consumer sees of a v3 event, what v3 sees of older ones, and that an entry
// event can never be taken for a version of its article, by our types or by an old reader.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, test } from 'node:test'
import avsc from 'avsc'
import { entryEventTypes, eventTypes, isEntryEvent } from '../src/article.ts'
import type { ArticleEvent, NewswireEvent } from '../src/article.ts'
import { createCodec, loadSchemas } from '../src/codec.ts'
import { entryEventToJson, eventToJson } from '../src/json.ts'
import { entryEvent, fixturesDir, fullEvent, rawSchema, schemasDir, shapeAs, throwsCode } from './support/events.ts'

const codec = createCodec(loadSchemas())

/** A reader built from nothing but the .avsc files, as a consumer outside this repo would. */
function outsideReader(readerVersion: number, bytes: Buffer): Record<string, unknown> {
  const load = (v: number) => avsc.Type.forSchema(JSON.parse(readFileSync(path.join(schemasDir, `article-event.v${v}.avsc`), 'utf8')))
  const reader = load(readerVersion)
  const resolver = reader.createResolver(load(3))
  return structuredClone(reader.fromBuffer(bytes.subarray(10), resolver)) as Record<string, unknown>
}

describe('old readers and v3 events', () => {
  for (const reader of [1, 2]) {
    test(`a v${reader} reader sees an entry event as UNKNOWN, with the story as it stands and nothing of the entry`, () => {
      const event = entryEvent()
      const buf = codec.encode(event)
      const seen = codec.decodeWith(reader, buf) as Record<string, unknown>
      // the enum default: the symbol ENTRY_UPDATED does not exist for this reader
      assert.equal(seen.type, 'UNKNOWN')
      assert.deepStrictEqual(seen, shapeAs(rawSchema(reader), { ...event, type: 'UNKNOWN' }))
      assert.ok(!('entry' in seen) && !('correction' in seen))
      // the article an old reader gets is the story unchanged: same id and version as its latest article event
      const article = seen.article as { id: string; version: number; headline: string }
      assert.deepEqual([article.id, article.version, article.headline], [event.article.id, event.article.version, event.article.headline])
      // and nothing the entry says (text, headline, its hold) reaches it
      const text = JSON.stringify(seen)
      for (const s of [event.entry.headline ?? '', ...event.entry.body, event.entry.id]) assert.ok(!text.includes(s), s)
      // a reader with only the .avsc files (plain avsc) resolves it the same way
      assert.deepStrictEqual(outsideReader(reader, buf), seen)
    })

    test(`a v${reader} reader sees a corrected UPDATED as an UPDATED, without the note`, () => {
      const event = fullEvent()
      const seen = codec.decodeWith(reader, codec.encode(event))
      assert.deepStrictEqual(seen, shapeAs(rawSchema(reader), event))
      assert.equal((seen as { type: string }).type, 'UPDATED')
    })
  }

  test('every entry event type, and only those, reads as UNKNOWN before v3', () => {
    for (const type of eventTypes) {
      if (type === 'UNKNOWN') continue
      const event: NewswireEvent = entryEventTypes.includes(type as never)
        ? { ...entryEvent(), type: type as (typeof entryEventTypes)[number] }
        : { ...fullEvent(), type: type as ArticleEvent['type'] }
      const seen = codec.decodeWith(2, codec.encode(event)) as { type: string }
      assert.equal(seen.type, isEntryEvent(event) ? 'UNKNOWN' : type, type)
    }
  })

  test('the v3 golden fixture, read by v1 and v2 readers', () => {
    const bin = readFileSync(path.join(fixturesDir, 'article-event.v3.bin'))
    for (const reader of [1, 2]) {
      const seen = codec.decodeWith(reader, bin) as { type: string; article: { id: string } }
      assert.deepEqual([seen.type, seen.article.id], ['UNKNOWN', 'bd-2024-0817-port-fire'])
    }
  })
})

describe('v3 reads older events', () => {
  for (const writer of [1, 2]) {
    test(`v${writer} data gets live false, no corrections, no correction, no entry`, () => {
      const written = shapeAs(rawSchema(writer), fullEvent())
      const decoded = codec.decode(codec.encodeWith(writer, written))
      assert.equal(isEntryEvent(decoded), false)
      assert.deepEqual([decoded.article.live, decoded.article.corrections, decoded.correction, decoded.entry], [false, [], null, null])
      assert.deepStrictEqual(decoded, shapeAs(rawSchema(3), written))
    })
  }
})

describe('entry events and article events cannot be mixed up', () => {
  test('isEntryEvent tells them apart by type', () => {
    assert.equal(isEntryEvent(entryEvent()), true)
    assert.equal(isEntryEvent(fullEvent()), false)
    const decoded = codec.decode(codec.encode(entryEvent()))
    assert.ok(isEntryEvent(decoded))
    // narrowed: the entry is there, typed
    assert.equal(decoded.entry.seq, 7)
  })

  test('encode refuses an entry event without an entry, and an article event with one', () => {
    const { entry: _entry, ...rest } = entryEvent()
    throwsCode(() => codec.encode({ ...rest, entry: null } as unknown as NewswireEvent), 'NEWSWIRE_ERR_CODEC_INVALID', /has no entry/)
    const mixed = { ...fullEvent(), entry: entryEvent().entry } as unknown as NewswireEvent
    throwsCode(() => codec.encode(mixed), 'NEWSWIRE_ERR_CODEC_INVALID', /carries an entry/)
  })

  test('decode refuses such a message as corrupt (no writer of ours produces one)', () => {
    const noEntry = codec.encodeWith(3, { ...entryEvent(), entry: null })
    throwsCode(() => codec.decode(noEntry), 'NEWSWIRE_ERR_CODEC_CORRUPT', /ENTRY_UPDATED event has no entry/)
    const withEntry = codec.encodeWith(3, { ...fullEvent(), type: 'CREATED', entry: entryEvent().entry })
    throwsCode(() => codec.decode(withEntry), 'NEWSWIRE_ERR_CODEC_CORRUPT', /CREATED event carries an entry/)
  })
})

describe('the JSON face', () => {
  test('instants of corrections and entries are ISO strings; an article event has no entry member', () => {
    const json = eventToJson(fullEvent())
    assert.deepEqual(json.correction, { note: 'An earlier version misspelt the minister’s name.', at: '2024-08-17T05:46:00.000Z' })
    assert.deepEqual(json.article.corrections, [json.correction])
    assert.ok(!('entry' in json))
    const entry = entryEventToJson(entryEvent())
    assert.equal(entry.entry.publishedAt, '2024-08-17T06:55:00.000Z')
    assert.equal(entry.entry.corrections[0]?.at, '2024-08-17T07:02:00.000Z')
    assert.equal(entry.correction?.note, 'আগের সংস্করণে নিহতের সংখ্যা ভুল ছিল।')
  })

  test('an article built without v3 fields keeps the JSON it had', () => {
    const { live: _live, corrections: _corrections, ...v2Article } = fullEvent().article
    const { correction: _correction, entry: _entry, ...v2Event } = fullEvent()
    const json = eventToJson({ ...v2Event, article: v2Article })
    assert.ok(!('corrections' in json.article) && !('live' in json.article) && !('correction' in json))
  })
})
