// The codec's errors: what it refuses to encode or decode, each with its stable code (the rest: codec.test.ts).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import avsc from 'avsc'
import fc from 'fast-check'
import type { ArticleEvent } from '../src/article.ts'
import { HEADER_LENGTH, MAX_SAFE_AVRO_LONG, MIN_SAFE_AVRO_LONG, createCodec, loadSchemas } from '../src/codec.ts'
import { NewswireError } from '../src/errors.ts'
import { fullEvent, rawSchema, shapeAs, throwsCode } from './support/events.ts'

const schemas = loadSchemas()
const codec = createCodec(schemas)

describe('errors', () => {
  const good = () => codec.encode(fullEvent())

  test('missing or wrong magic', () => {
    throwsCode(() => codec.decode(Buffer.alloc(0)), 'NEWSWIRE_ERR_CODEC_MAGIC', /empty/)
    throwsCode(() => codec.decode(Buffer.from('7b2274797065223a22435245415445227d', 'hex')), 'NEWSWIRE_ERR_CODEC_MAGIC', /starts with 7b22/)
    // Confluent framing: 00 + 4-byte schema id
    throwsCode(
      () => codec.decode(Buffer.concat([Buffer.from('0000000007', 'hex'), good().subarray(10)])),
      'NEWSWIRE_ERR_CODEC_MAGIC',
      /Confluent/,
    )
    const secondByte = good()
    secondByte[1] = 0x02
    throwsCode(() => codec.decode(secondByte), 'NEWSWIRE_ERR_CODEC_MAGIC')
    throwsCode(() => codec.fingerprintOf(Buffer.from([0x01])), 'NEWSWIRE_ERR_CODEC_MAGIC')
  })

  test('every cut-short message is TRUNCATED', () => {
    const buf = good()
    for (let n = 1; n < buf.length; n++) {
      throwsCode(() => codec.decode(buf.subarray(0, n)), 'NEWSWIRE_ERR_CODEC_TRUNCATED')
    }
    throwsCode(() => codec.fingerprintOf(buf.subarray(0, 9)), 'NEWSWIRE_ERR_CODEC_TRUNCATED')
  })

  test('unknown fingerprint', () => {
    const buf = good()
    buf[9] = (buf[9] as number) ^ 0xff
    const hex = buf.subarray(2, 10).toString('hex')
    throwsCode(() => codec.decode(buf), 'NEWSWIRE_ERR_CODEC_UNKNOWN_SCHEMA', new RegExp(hex))
    // still readable for DLQ headers
    assert.equal(codec.fingerprintOf(buf), hex)
    throwsCode(() => codec.writerOf(buf), 'NEWSWIRE_ERR_CODEC_UNKNOWN_SCHEMA')
    throwsCode(() => codec.encodeWith(99, fullEvent()), 'NEWSWIRE_ERR_CODEC_UNKNOWN_SCHEMA', /version 99/)
    throwsCode(() => codec.decodeWith(99, good()), 'NEWSWIRE_ERR_CODEC_UNKNOWN_SCHEMA', /version 99/)
  })

  test('trailing bytes are CORRUPT', () => {
    throwsCode(() => codec.decode(Buffer.concat([good(), Buffer.from([0x00])])), 'NEWSWIRE_ERR_CODEC_CORRUPT', /1 trailing bytes/)
  })

  test('impossible values are CORRUPT', () => {
    const buf = good()
    // body: eventId (1-byte length + 36 ASCII bytes), then the EventType index
    const enumAt = HEADER_LENGTH + 1 + fullEvent().eventId.length
    assert.equal(buf[enumAt], 2, 'UPDATED is index 1, zigzag 2')
    buf[enumAt] = 0x0e
    throwsCode(() => codec.decode(buf), 'NEWSWIRE_ERR_CODEC_CORRUPT', /enum index 7 of 7/)

    // urgency written as a long past the int range: avsc alone would read it without complaint
    const wide = rawSchema(2) as { fields: { name: string; type: { fields?: { name: string; type: unknown }[] } }[] }
    const urgency = wide.fields.find((f) => f.name === 'article')?.type.fields?.find((f) => f.name === 'urgency')
    assert.ok(urgency)
    urgency.type = 'long'
    const v2Event = shapeAs(rawSchema(2), fullEvent()) as ArticleEvent
    const body = avsc.Type.forSchema(wide as never).toBuffer({ ...v2Event, article: { ...v2Event.article, urgency: 2 ** 40 } })
    const framed = Buffer.concat([buf.subarray(0, HEADER_LENGTH), body])
    throwsCode(() => codec.decode(framed), 'NEWSWIRE_ERR_CODEC_CORRUPT', /varint longer than 5 bytes/)

    // invalid UTF-8 would come out as U+FFFD without an error
    const badUtf8 = good()
    badUtf8[HEADER_LENGTH + 1] = 0xff // first byte of eventId
    throwsCode(() => codec.decode(badUtf8), 'NEWSWIRE_ERR_CODEC_CORRUPT', /not valid UTF-8/)
  })

  // Fields of the current version in order, so bytes can be placed exactly
  const avroLong = avsc.Type.forSchema('long')
  const avroString = avsc.Type.forSchema('string')
  const prefixUpTo = (tail: Buffer) =>
    Buffer.concat([
      Buffer.from([0xc3, 0x01]),
      schemas.current.fingerprint,
      avroString.toBuffer('e'), // eventId
      Buffer.from([0x00]), // type CREATED
      avroLong.toBuffer(0), // occurredAt
      avroLong.toBuffer(0), // ingestedAt
      avroString.toBuffer(''), // source
      avroString.toBuffer(''), // traceId
      tail,
    ])

  test('a huge array count fails fast instead of exhausting memory', () => {
    // changedFields claiming 2^31 - 1 items in a few bytes: avsc alone allocates and loops until the process dies
    const started = Date.now()
    throwsCode(() => codec.decode(prefixUpTo(avroLong.toBuffer(2 ** 31 - 1))), 'NEWSWIRE_ERR_CODEC_TRUNCATED', /cannot fit/)
    throwsCode(
      () => codec.decode(prefixUpTo(Buffer.concat([avroLong.toBuffer(-(2 ** 40)), avroLong.toBuffer(3)]))),
      'NEWSWIRE_ERR_CODEC_TRUNCATED',
      /cannot fit/,
    )
    assert.ok(Date.now() - started < 1000)
  })

  test('a boolean byte other than 0 or 1 is CORRUPT', () => {
    const event = fullEvent()
    const article = [
      avroString.toBuffer(event.article.id),
      avroLong.toBuffer(1), // version
      Buffer.from([0x00]), // url null
      avroString.toBuffer('bn'),
      avroString.toBuffer('h'),
      Buffer.from([0x00, 0x00, 0x00, 0x00, 0x00, 0x00]), // summary null, body [], category null, categoryLabel null, subjects [], authors []
      Buffer.from([0x00, 0x00]), // publishedAt, updatedAt null
      avroLong.toBuffer(5), // urgency
      Buffer.from([0x00, 0x00]), // pubStatus usable, embargoedUntil null
    ]
    // changedFields [], reason null, the article (..., breaking, dateline, timeZone, related, live, corrections), correction, entry
    const tail = (breaking: number) =>
      Buffer.concat([
        Buffer.from([0x00, 0x00]),
        ...article,
        Buffer.from([breaking, 0x00, 0x00, 0x00, 0x00, 0x00]),
        Buffer.from([0x00, 0x00]),
      ])
    assert.equal(codec.decode(prefixUpTo(tail(1))).article.breaking, true)
    throwsCode(() => codec.decode(prefixUpTo(tail(2))), 'NEWSWIRE_ERR_CODEC_CORRUPT', /boolean byte 2/)
  })

  test('garbage only ever fails with a codec error (property)', () => {
    const codecCodes = new Set([
      'NEWSWIRE_ERR_CODEC_TRUNCATED',
      'NEWSWIRE_ERR_CODEC_CORRUPT',
      'NEWSWIRE_ERR_CODEC_MAGIC',
      'NEWSWIRE_ERR_CODEC_UNKNOWN_SCHEMA',
    ])
    const check = (bytes: Uint8Array) => {
      try {
        codec.decode(bytes)
      } catch (err) {
        assert.ok(err instanceof NewswireError && codecCodes.has(err.code), String(err))
      }
    }
    const header = good().subarray(0, HEADER_LENGTH)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (body) => check(Buffer.concat([header, body]))),
      { numRuns: 500 },
    )
    const base = good()
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const copy = Buffer.from(base)
        copy[at] = byte
        check(copy)
      }),
      { numRuns: 500 },
    )
  })

  test('invalid values are rejected before encoding, naming every bad path', () => {
    const event = fullEvent()
    const bad = {
      ...event,
      type: 'DELETED',
      extra: true,
      article: {
        ...event.article,
        urgency: 1.5,
        headline: undefined,
        body: ['ok', 3],
        summary: 'cut in the middle of an emoji \uD83C',
        related: [{ headline: 'x', url: 5, rank: 1 }],
      },
    }
    assert.throws(
      () => codec.encode(bad as unknown as ArticleEvent),
      (err: unknown) => {
        assert.ok(err instanceof NewswireError)
        assert.equal(err.code, 'NEWSWIRE_ERR_CODEC_INVALID')
        const paths = err.details.paths as string[]
        assert.deepEqual([...paths].sort(), [
          'article.body[1]',
          'article.headline',
          'article.related[0].rank',
          'article.related[0].url',
          'article.summary',
          'article.urgency',
          'extra',
          'type',
        ])
        for (const p of paths) assert.ok(err.message.includes(p), `message names ${p}`)
        return true
      },
    )
    throwsCode(() => codec.encode(null as unknown as ArticleEvent), 'NEWSWIRE_ERR_CODEC_INVALID', /\(root\)/)
    // avsc would write -(2^52)-1 as +2^52 (mtth/avsc#455): refused instead
    const tooSmall = fullEvent()
    tooSmall.article.updatedAt = MIN_SAFE_AVRO_LONG - 1
    throwsCode(() => codec.encode(tooSmall), 'NEWSWIRE_ERR_CODEC_INVALID', /article\.updatedAt: expected long >= -4503599627370496/)
    const tooBig = fullEvent()
    tooBig.article.version = MAX_SAFE_AVRO_LONG + 1
    throwsCode(() => codec.encode(tooBig), 'NEWSWIRE_ERR_CODEC_INVALID', /article\.version: expected long/)
    // a current event has fields v1 does not: encoding it as v1 would lose them
    throwsCode(() => codec.encodeWith(1, fullEvent()), 'NEWSWIRE_ERR_CODEC_INVALID', /article\.breaking/)
  })
})
