import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import avsc from 'avsc'
import { createCodec, HEADER_LENGTH, loadSchemas } from '../src/codec.ts'
import { peekEventId } from '../src/event-id.ts'

const fixturesDir = fileURLToPath(new URL('../../../schemas/fixtures/', import.meta.url))
const schemas = loadSchemas()
const codec = createCodec(schemas)

test('eventId is the first field, a string, in every schema version (what peekEventId relies on)', () => {
  for (const v of schemas.versions) {
    assert.ok(v.type instanceof avsc.types.RecordType, `v${v.version}`)
    const first = v.type.fields[0]
    assert.equal(first?.name, 'eventId', `v${v.version}`)
    assert.ok(first?.type instanceof avsc.types.StringType, `v${v.version}: ${first?.type.typeName}`)
  }
})

test('peekEventId reads the eventId of every golden sample without decoding, and refuses what it cannot read', () => {
  for (const v of schemas.versions) {
    const bin = readFileSync(path.join(fixturesDir, `article-event.v${v.version}.bin`))
    assert.equal(peekEventId(bin), codec.decode(bin).eventId, `v${v.version}`)
    assert.equal(peekEventId(bin.subarray(0, HEADER_LENGTH + 10)), null, 'truncated')
    const other = Buffer.from(bin)
    other[HEADER_LENGTH] = 10 // a 5-character string: not a UUID
    assert.equal(peekEventId(other), null, 'not 36 characters')
    assert.equal(peekEventId(Buffer.concat([Buffer.from([0, 1]), bin.subarray(2)])), null, 'no C3 01 header')
  }
})
