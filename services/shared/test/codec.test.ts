import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, test } from 'node:test'
import avsc from 'avsc'
import fc from 'fast-check'
import type { ArticleEvent } from '../src/article.ts'
import { articleEventTypes, entryEventTypes, pubStatuses } from '../src/article.ts'
import { HEADER_LENGTH, MAX_SAFE_AVRO_LONG, MIN_SAFE_AVRO_LONG, createCodec, defaultSchemasDir, loadSchemas } from '../src/codec.ts'
import { crc64Avro } from '../src/crc64.ts'
import { entryEvent, fixturesDir, fullEvent, rawSchema, repoRoot, schemasDir, shapeAs, throwsCode } from './support/events.ts'

const articlesDir = path.resolve(repoRoot, 'test', 'fixtures', 'articles')
// NEWSWIRE_UPDATE_FIXTURES=1 rewrites schemas/fixtures/ from the values below;
// only do that on purpose: those bytes are what consumers test against
const updateFixtures = process.env.NEWSWIRE_UPDATE_FIXTURES === '1'

const schemas = loadSchemas()
const codec = createCodec(schemas)

// Fingerprints in schemas/README.md. A published schema file must never change
// its canonical form, and a new version is published on purpose: add it here.
const published: Record<number, string> = {
  1: '46f5d335f9e19eb2',
  2: 'e93b7d0c6919341c',
  3: '92685ff8df53fa4a',
}

describe('schema set', () => {
  test('loads every version in order and knows the current one', () => {
    assert.equal(path.resolve(defaultSchemasDir()), path.resolve(schemasDir))
    assert.deepEqual(
      schemas.versions.map((v) => [v.version, v.fileName]),
      Object.keys(published).map((n) => [Number(n), `article-event.v${n}.avsc`]),
    )
    assert.equal(schemas.current, schemas.versions.at(-1))
    for (const v of schemas.versions) {
      assert.equal(v.fingerprint.length, 8)
      assert.deepEqual(v.fingerprint, crc64Avro(v.canonical))
      assert.equal(v.fingerprintHex, v.fingerprint.toString('hex'))
      assert.equal(schemas.byVersion(v.version), v)
      assert.equal(schemas.byFingerprint(v.fingerprint), v)
      assert.equal(schemas.byFingerprint(v.fingerprintHex.toUpperCase()), v)
    }
    assert.equal(schemas.byVersion(99), undefined)
    assert.equal(schemas.byFingerprint('0000000000000000'), undefined)
  })

  test('published fingerprints never change, and schemas/README.md lists them', () => {
    const readme = readFileSync(path.join(schemasDir, 'README.md'), 'utf8')
    for (const v of schemas.versions) {
      assert.equal(v.fingerprintHex, published[v.version], `fingerprint of ${v.fileName} changed`)
      assert.ok(readme.includes(v.fingerprintHex), `schemas/README.md does not list ${v.fingerprintHex} (v${v.version})`)
      assert.ok(
        readme.includes(BigInt.asIntN(64, v.fingerprint.readBigUInt64LE()).toString()),
        `README lacks the Java long of v${v.version}`,
      )
    }
  })

  test('a folder with other files, numeric ordering and a newer symbol', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'newswire-schemas-'))
    try {
      const v2 = rawSchema(2) as { fields: Record<string, unknown>[] }
      const event = shapeAs(v2, fullEvent()) as ArticleEvent
      writeFileSync(path.join(dir, 'article-event.v1.avsc'), JSON.stringify(rawSchema(1)))
      writeFileSync(path.join(dir, 'article-event.v2.avsc'), JSON.stringify(v2))
      // a hypothetical v10: a new EventType symbol and a new optional field
      const v10 = structuredClone(v2)
      const typeField = v10.fields.find((f) => f.name === 'type') as { type: { symbols: string[] } }
      typeField.type.symbols.push('MERGED')
      const article = v10.fields.find((f) => f.name === 'article') as { type: { fields: unknown[] } }
      article.type.fields.push({ name: 'imageUrl', type: ['null', 'string'], default: null })
      writeFileSync(path.join(dir, 'article-event.v10.avsc'), JSON.stringify(v10))
      writeFileSync(path.join(dir, 'article-event.v02.avsc'), 'not read: leading zero')
      writeFileSync(path.join(dir, 'notes.txt'), 'not a schema')

      const set = loadSchemas(dir)
      assert.deepEqual(
        set.versions.map((v) => v.version),
        [1, 2, 10],
      )
      assert.equal(set.current.version, 10)
      const c = createCodec(set)
      const buf = c.encodeWith(10, { ...event, type: 'MERGED', article: { ...event.article, imageUrl: 'https://example.com/a.jpg' } })
      // an older reader maps the unknown symbol to the enum default and drops the new field
      assert.deepStrictEqual(c.decodeWith(2, buf), { ...event, type: 'UNKNOWN' })
      // services that do not have v10 yet cannot read it at all
      throwsCode(() => codec.decode(buf), 'NEWSWIRE_ERR_CODEC_UNKNOWN_SCHEMA', /unknown writer schema fingerprint/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('bad folders are config errors', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'newswire-schemas-'))
    try {
      throwsCode(() => loadSchemas(path.join(dir, 'missing')), 'NEWSWIRE_ERR_CONFIG')
      throwsCode(() => loadSchemas(dir), 'NEWSWIRE_ERR_CONFIG', /no article-event/)
      writeFileSync(path.join(dir, 'article-event.v1.avsc'), '{"type": "record", "name": ')
      throwsCode(() => loadSchemas(dir), 'NEWSWIRE_ERR_CONFIG', /article-event\.v1\.avsc/)
      // a union avsc could not keep unwrapped would change the decoded shape: refused
      const ambiguous = { type: 'record', name: 'E', fields: [{ name: 'n', type: ['null', 'int', 'long'] }] }
      writeFileSync(path.join(dir, 'article-event.v1.avsc'), JSON.stringify(ambiguous))
      throwsCode(() => loadSchemas(dir), 'NEWSWIRE_ERR_CONFIG', /ambiguous/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('encode and decode', () => {
  test('round trip of a full event gives plain objects', () => {
    const event = fullEvent()
    const decoded = codec.decode(codec.encode(event))
    assert.deepStrictEqual(decoded, event)
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype)
    assert.equal(Object.getPrototypeOf(decoded.article), Object.prototype)
    assert.equal(Object.getPrototypeOf(decoded.article.related[0]), Object.prototype)
    assert.deepEqual(event, fullEvent(), 'encode must not touch its input')
  })

  test('byte layout: C3 01, the current fingerprint, then the Avro body', () => {
    const buf = codec.encode(fullEvent())
    assert.equal(HEADER_LENGTH, 10)
    assert.deepEqual([...buf.subarray(0, 2)], [0xc3, 0x01])
    assert.deepEqual(buf.subarray(2, 10), schemas.current.fingerprint)
    assert.deepEqual(buf.subarray(10), schemas.current.type.toBuffer(fullEvent()))
    assert.equal(codec.fingerprintOf(buf), schemas.current.fingerprintHex)
    assert.equal(codec.writerOf(buf), schemas.current)
    assert.deepEqual(codec.encode(fullEvent()), buf, 'encoding is deterministic')
  })

  test('encode equals header + avsc toBuffer at every size: small, past 1 KiB, past the scratch buffer, in any order', () => {
    // encodeWith writes into a scratch buffer that grows (16 KiB first): its bytes must not depend
    // on what was encoded before, nor leak from a larger earlier event into a smaller one
    const own = createCodec(schemas)
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40_000 }), fc.string({ unit: 'grapheme', maxLength: 20 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (sizes) => {
          for (const [n, tail] of sizes) {
            const event = fullEvent()
            event.article.body = ['এ'.repeat(n), tail]
            const buf = own.encode(event)
            assert.deepEqual(buf.subarray(0, HEADER_LENGTH), codec.encode(fullEvent()).subarray(0, HEADER_LENGTH))
            assert.ok(buf.subarray(HEADER_LENGTH).equals(schemas.current.type.toBuffer(event)))
            assert.equal(buf.length, HEADER_LENGTH + schemas.current.type.toBuffer(event).length)
          }
        },
      ),
      { numRuns: 60 },
    )
  })

  test('a standard Avro reader holding only the .avsc file decodes it', () => {
    const buf = codec.encode(fullEvent())
    // nothing from our code: parse the file afresh, fingerprint it, read the body
    const type = avsc.Type.forSchema(JSON.parse(readFileSync(path.join(schemasDir, schemas.current.fileName), 'utf8')))
    assert.deepEqual(buf.subarray(0, 2), Buffer.from('c301', 'hex'))
    assert.deepEqual(buf.subarray(2, 10), crc64Avro(JSON.stringify(type.schema())))
    assert.deepStrictEqual(structuredClone(type.fromBuffer(buf.subarray(10))), fullEvent())
  })

  test('accepts Uint8Array views at any offset', () => {
    const buf = codec.encode(fullEvent())
    const backing = new Uint8Array(buf.length + 11)
    backing.set(buf, 5)
    const view = backing.subarray(5, 5 + buf.length)
    assert.deepStrictEqual(codec.decode(view), fullEvent())
    assert.equal(codec.fingerprintOf(view), schemas.current.fingerprintHex)
  })

  test('v1 bytes read as the current version get the v2 and v3 defaults', () => {
    const { breaking, dateline, timeZone, related, live, corrections, ...v1Article } = fullEvent().article
    const { correction, entry, ...v1Envelope } = fullEvent()
    const buf = codec.encodeWith(1, { ...v1Envelope, article: v1Article })
    assert.equal(codec.writerOf(buf).version, 1)
    assert.deepStrictEqual(codec.decode(buf), {
      ...v1Envelope,
      article: { ...v1Article, breaking: false, dateline: null, timeZone: null, related: [], live: false, corrections: [] },
      correction: null,
      entry: null,
    })
    assert.ok(breaking && dateline && timeZone && related.length > 0, 'the fixture sets every v2 field')
    assert.ok(live === false && corrections?.length === 1 && correction && entry === null, 'and the v3 fields of an article event')
  })

  // FULL_TRANSITIVE: every version reads every other, older and newer
  for (const writer of schemas.versions) {
    for (const reader of schemas.versions) {
      test(`v${writer.version} bytes decode with the v${reader.version} reader`, () => {
        const written = shapeAs(rawSchema(writer.version), fullEvent())
        const buf = codec.encodeWith(writer.version, written)
        assert.deepEqual(buf.subarray(2, 10), writer.fingerprint)
        assert.deepStrictEqual(codec.decodeWith(reader.version, buf), shapeAs(rawSchema(reader.version), written))
        // again, through the cached resolver
        assert.deepStrictEqual(codec.decodeWith(reader.version, buf), shapeAs(rawSchema(reader.version), written))
      })
    }
  }

  test('longs round-trip across the whole range the codec accepts', () => {
    for (const n of [MIN_SAFE_AVRO_LONG, MIN_SAFE_AVRO_LONG + 1, -1, 0, 2 ** 52 + 1, MAX_SAFE_AVRO_LONG]) {
      const event = fullEvent()
      event.article.updatedAt = n
      event.article.version = n
      assert.deepStrictEqual(codec.decode(codec.encode(event)), event, String(n))
    }
  })

  test('text is stored as given: no normalization inside the codec', () => {
    const event = fullEvent()
    event.article.summary = 'Cafe\u0301 (NFD) and ক\u09BC'
    assert.equal(codec.decode(codec.encode(event)).article.summary, 'Cafe\u0301 (NFD) and ক\u09BC')
  })

  test('any well-formed event round-trips (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 })
    const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null })
    const long = fc.bigInt({ min: BigInt(MIN_SAFE_AVRO_LONG), max: BigInt(MAX_SAFE_AVRO_LONG) }).map(Number)
    const correction = fc.record({ note: text, at: long })
    const article = fc.record({
      id: text,
      version: long,
      url: nullable(text),
      language: text,
      headline: text,
      summary: nullable(text),
      body: fc.array(text, { maxLength: 5 }),
      category: nullable(text),
      categoryLabel: nullable(text),
      subjects: fc.array(text, { maxLength: 3 }),
      authors: fc.array(text, { maxLength: 3 }),
      publishedAt: nullable(long),
      updatedAt: nullable(long),
      urgency: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      pubStatus: fc.constantFrom(...pubStatuses),
      embargoedUntil: nullable(long),
      breaking: fc.boolean(),
      dateline: nullable(text),
      timeZone: nullable(text),
      related: fc.array(fc.record({ headline: text, url: nullable(text) }), { maxLength: 3 }),
      live: fc.boolean(),
      corrections: fc.array(correction, { maxLength: 2 }),
    })
    const entry = fc.record({
      id: text,
      seq: long,
      version: long,
      headline: nullable(text),
      body: fc.array(text, { maxLength: 3 }),
      authors: fc.array(text, { maxLength: 2 }),
      pinned: fc.boolean(),
      keyEvent: fc.boolean(),
      publishedAt: long,
      updatedAt: long,
      pubStatus: fc.constantFrom(...pubStatuses),
      embargoedUntil: nullable(long),
      corrections: fc.array(correction, { maxLength: 2 }),
    })
    const envelope = {
      eventId: text,
      occurredAt: long,
      ingestedAt: long,
      source: text,
      traceId: text,
      changedFields: fc.array(text, { maxLength: 3 }),
      reason: nullable(text),
      article,
      correction: nullable(correction),
    }
    const event = fc.oneof(
      fc.record({ ...envelope, type: fc.constantFrom(...articleEventTypes), entry: fc.constant(null) }),
      fc.record({ ...envelope, type: fc.constantFrom(...entryEventTypes), entry }),
    )
    fc.assert(
      fc.property(event, (e) => {
        // fc.record builds null-prototype objects; decode returns plain ones
        assert.deepStrictEqual(codec.decode(codec.encode(e)), structuredClone(e))
      }),
      { numRuns: 300 },
    )
  })
})

describe('Bengali sample article', () => {
  test('every character survives exactly and stays NFC', () => {
    const text = readFileSync(path.join(articlesDir, 'bn-seed-russia-north-korea.txt'), 'utf8')
    const lines = text.split('\n')
    const [headline = '', dateline = ''] = lines
    const more = lines.indexOf('আরও পড়ুন')
    assert.ok(more > 0, 'the sample has a "read more" list')
    const event = fullEvent()
    event.article = {
      ...event.article,
      headline,
      body: lines.slice(1),
      dateline,
      related: lines.slice(more + 1).map((h) => ({ headline: h, url: null })),
    }
    const buf = codec.encode(event)
    // each line's UTF-8 is in the message verbatim (Avro strings are raw UTF-8)
    for (const line of lines) assert.ok(buf.includes(Buffer.from(line, 'utf8')), line)

    const decoded = codec.decode(buf)
    assert.deepStrictEqual(decoded, event)
    assert.equal([decoded.article.headline, ...decoded.article.body].join('\n'), text)
    assert.deepEqual(
      Array.from(decoded.article.headline, (c) => c.codePointAt(0)),
      Array.from(headline, (c) => c.codePointAt(0)),
    )
    const strings = [
      decoded.article.headline,
      decoded.article.dateline ?? '',
      ...decoded.article.body,
      ...decoded.article.related.map((r) => r.headline),
    ]
    for (const s of strings) assert.equal(s, s.normalize('NFC'), `not NFC: ${s}`)
    // khanda ta (U+09CE) is one of the characters most often mangled on the way
    assert.ok(decoded.article.body.join('').includes('\u09CE'))
  })
})

describe('golden fixtures (schemas/fixtures)', () => {
  // v1: a kill, as an older producer wrote it; v2: a breaking Bengali story; v3: a correction of
  // an entry of a live Bengali story
  const goldens: Record<number, unknown> = {
    1: shapeAs(rawSchema(1), {
      ...fullEvent(),
      eventId: '0b6f1c52-3c1d-4f59-9a5e-2f8f8f0d7a11',
      type: 'WITHDRAWN',
      changedFields: [],
      reason: 'Legal request',
      article: { ...fullEvent().article, version: 4, pubStatus: 'canceled', embargoedUntil: null },
    }),
    2: shapeAs(rawSchema(2), fullEvent()),
    3: entryEvent(),
  }

  if (updateFixtures) {
    mkdirSync(fixturesDir, { recursive: true })
    for (const [version, value] of Object.entries(goldens)) {
      const base = path.join(fixturesDir, `article-event.v${version}`)
      writeFileSync(`${base}.json`, `${JSON.stringify(value, null, 2)}\n`)
      writeFileSync(`${base}.bin`, codec.encodeWith(Number(version), value))
    }
  }

  for (const [key, value] of Object.entries(goldens)) {
    const version = Number(key)
    test(`article-event.v${version}.bin still decodes and encodes byte for byte`, () => {
      const base = path.join(fixturesDir, `article-event.v${version}`)
      const bin = readFileSync(`${base}.bin`)
      const json: unknown = JSON.parse(readFileSync(`${base}.json`, 'utf8'))
      assert.deepStrictEqual(json, value, `${base}.json differs from the test's value`)
      assert.equal(bin.subarray(2, 10).toString('hex'), published[version])
      assert.deepStrictEqual(codec.decodeWith(version, bin), json)
      assert.deepStrictEqual(codec.decode(bin), shapeAs(rawSchema(schemas.current.version), json))
      assert.ok(codec.encodeWith(version, json).equals(bin), 'encoding changed: the bytes on the wire would differ')
    })
  }
})
