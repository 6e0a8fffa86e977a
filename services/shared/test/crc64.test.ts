import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, test } from 'node:test'
import avsc from 'avsc'
import { CRC64_AVRO_EMPTY, crc64Avro, crc64AvroBigInt } from '../src/crc64.ts'
import { canonicalForm, defaultSchemasDir, loadSchemas } from '../src/schemas.ts'

// From apache/avro share/test/data/schema-tests.txt (the numbers are Java's
// signed longs). `avsc: false` marks inputs avsc refuses to parse: an empty
// union, and a boolean field whose default is the string "true".
const vectors: { id: string; input: string; canonical: string; fingerprint: string; avsc?: false }[] = [
  { id: '000', input: '"null"', canonical: '"null"', fingerprint: '7195948357588979594' },
  { id: '001', input: '{"type":"null"}', canonical: '"null"', fingerprint: '7195948357588979594' },
  { id: '002', input: '"boolean"', canonical: '"boolean"', fingerprint: '-6970731678124411036' },
  { id: '004', input: '"int"', canonical: '"int"', fingerprint: '8247732601305521295' },
  { id: '006', input: '"long"', canonical: '"long"', fingerprint: '-3434872931120570953' },
  { id: '008', input: '"float"', canonical: '"float"', fingerprint: '5583340709985441680' },
  { id: '010', input: '"double"', canonical: '"double"', fingerprint: '-8181574048448539266' },
  { id: '012', input: '"bytes"', canonical: '"bytes"', fingerprint: '5746618253357095269' },
  { id: '015', input: '{"type":"string"}', canonical: '"string"', fingerprint: '-8142146995180207161' },
  { id: '016', input: '[  ]', canonical: '[]', fingerprint: '-1241056759729112623', avsc: false },
  { id: '017', input: '[ "int"  ]', canonical: '["int"]', fingerprint: '-5232228896498058493' },
  { id: '018', input: '[ "int" , {"type":"boolean"} ]', canonical: '["int","boolean"]', fingerprint: '5392556393470105090' },
  {
    id: '019',
    input: '{"fields":[], "type":"record", "name":"foo"}',
    canonical: '{"name":"foo","type":"record","fields":[]}',
    fingerprint: '-4824392279771201922',
  },
  {
    id: '020',
    input: '{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}',
    canonical: '{"name":"x.y.foo","type":"record","fields":[]}',
    fingerprint: '5916914534497305771',
  },
  {
    id: '021',
    input: '{"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"}',
    canonical: '{"name":"a.b.foo","type":"record","fields":[]}',
    fingerprint: '-4616218487480524110',
  },
  {
    id: '024',
    input: '{"fields":[], "type":"record", "name":"foo", "doc":"foo", "aliases":["foo","bar"]}',
    canonical: '{"name":"foo","type":"record","fields":[]}',
    fingerprint: '-4824392279771201922',
  },
  {
    id: '025',
    input: '{"fields":[{"type":{"type":"boolean"}, "name":"f1"}], "type":"record", "name":"foo"}',
    canonical: '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}',
    fingerprint: '7843277075252814651',
  },
  {
    id: '026',
    input:
      '{ "fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":"true"},\n' +
      '            {"order":"descending","name":"f2","doc":"Hello","type":"int"}],\n' +
      '  "type":"record", "name":"foo"\n}',
    canonical: '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    fingerprint: '-4860222112080293046',
    avsc: false,
  },
  {
    // 026 with a default avsc accepts: doc, aliases, default and order are all stripped, same canonical form
    id: '026 (valid default)',
    input:
      '{"fields":[{"type":"boolean","aliases":[],"name":"f1","default":true},' +
      '{"order":"descending","name":"f2","doc":"Hello","type":"int"}],"type":"record","name":"foo"}',
    canonical: '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    fingerprint: '-4860222112080293046',
  },
  {
    id: '027',
    input: '{"type":"enum", "name":"foo", "symbols":["A1"]}',
    canonical: '{"name":"foo","type":"enum","symbols":["A1"]}',
    fingerprint: '-6342190197741309591',
  },
  {
    id: '028',
    input: '{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar", "symbols":["A1", "A2"]}',
    canonical: '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}',
    fingerprint: '-4448647247586288245',
  },
  {
    id: '029',
    input: '{"name":"foo","type":"fixed","size":15}',
    canonical: '{"name":"foo","type":"fixed","size":15}',
    fingerprint: '1756455273707447556',
  },
  {
    id: '030',
    input: '{"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32}',
    canonical: '{"name":"x.y.z.foo","type":"fixed","size":32}',
    fingerprint: '-3064184465700546786',
  },
  {
    id: '031',
    input: '{ "items":{"type":"null"}, "type":"array"}',
    canonical: '{"type":"array","items":"null"}',
    fingerprint: '-589620603366471059',
  },
  {
    id: '032',
    input: '{ "values":"string", "type":"map"}',
    canonical: '{"type":"map","values":"string"}',
    fingerprint: '-8732877298790414990',
  },
  {
    id: '033',
    input: '{"name":"PigValue","type":"record",\n   "fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]}',
    canonical: '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    fingerprint: '-1759257747318642341',
  },
]

// Parsing Canonical Form written straight from the spec's rules
// (PRIMITIVES, FULLNAMES, STRIP, ORDER; JSON.stringify covers STRINGS,
// INTEGERS and WHITESPACE), to check avsc's schema() independently.
const primitives = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'])
const keyOrder = ['name', 'type', 'fields', 'symbols', 'items', 'values', 'size'] as const

function fullName(name: string, namespace: string | undefined): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`
}

function specCanonical(schema: unknown, namespace?: string): unknown {
  if (typeof schema === 'string') return primitives.has(schema) ? schema : fullName(schema, namespace)
  if (Array.isArray(schema)) return schema.map((branch) => specCanonical(branch, namespace))
  const obj = schema as Record<string, unknown>
  const type = obj.type as string | Record<string, unknown>
  if (typeof type === 'string' && primitives.has(type)) return type
  if (typeof type !== 'string') return specCanonical(type, namespace)
  const out: Record<string, unknown> = {}
  let ns = namespace
  if (typeof obj.name === 'string') {
    const name = fullName(obj.name, typeof obj.namespace === 'string' ? obj.namespace : namespace)
    ns = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined
    out.name = name
  }
  for (const key of keyOrder) {
    if (key === 'name' || !(key in obj)) continue
    const value = obj[key]
    if (key === 'fields') {
      out.fields = (value as Record<string, unknown>[]).map((f) => ({ name: f.name, type: specCanonical(f.type, ns) }))
    } else if (key === 'items' || key === 'values') {
      out[key] = specCanonical(value, ns)
    } else {
      out[key] = value
    }
  }
  return out
}

describe('crc64Avro', () => {
  test('empty input gives the spec constant', () => {
    assert.equal(crc64AvroBigInt(''), CRC64_AVRO_EMPTY)
  })

  for (const v of vectors) {
    test(`schema-tests.txt ${v.id}: ${v.canonical}`, () => {
      const fp = crc64AvroBigInt(v.canonical)
      assert.equal(BigInt.asIntN(64, fp).toString(), v.fingerprint)
      // the wire bytes are the same 64 bits, little-endian
      assert.deepEqual(
        crc64Avro(v.canonical),
        Buffer.from(BigInt.asUintN(64, BigInt(v.fingerprint)).toString(16).padStart(16, '0'), 'hex').reverse(),
      )
      assert.equal(JSON.stringify(specCanonical(JSON.parse(v.input))), v.canonical)
      if (v.avsc !== false) {
        assert.equal(canonicalForm(avsc.Type.forSchema(JSON.parse(v.input))), v.canonical)
      }
    })
  }

  test('"null" on the wire is 8a8f25cce724dd63', () => {
    assert.equal(crc64Avro('"null"').toString('hex'), '8a8f25cce724dd63')
  })

  test('strings are hashed as UTF-8', () => {
    const text = '{"name":"বাংলা","type":"fixed","size":1}'
    assert.deepEqual(crc64Avro(text), crc64Avro(Buffer.from(text, 'utf8')))
    assert.notDeepEqual(crc64Avro(text), crc64Avro(Buffer.from(text, 'latin1')))
  })
})

describe('canonical form of our schemas', () => {
  for (const version of loadSchemas().versions) {
    test(`avsc and the spec rules agree on ${version.fileName}`, () => {
      const raw: unknown = JSON.parse(readFileSync(path.join(defaultSchemasDir(), version.fileName), 'utf8'))
      assert.equal(version.canonical, JSON.stringify(specCanonical(raw)))
      assert.deepEqual(version.fingerprint, crc64Avro(JSON.stringify(specCanonical(raw))))
      // docs, defaults and logical types never reach the fingerprint
      assert.doesNotMatch(version.canonical, /"doc"|"default"|logicalType|\s/)
    })
  }
})
