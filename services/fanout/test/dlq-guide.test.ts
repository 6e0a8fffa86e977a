// What schemas/README.md tells a reader of news.article-events.dlq matches what the fan-out writes
// there. red16d attack run (2026-12-06): the guide said `dlq-reason` was one of the codec's codes
// (NEWSWIRE_ERR_CODEC_MAGIC, …) and named no header; the fan-out writes the short poison reasons
// (not_avro, unknown_schema, …), so a reader matching the documented codes matched nothing.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { deadLetterHeaders } from '@newswire/shared'
import { poisonReason, poisonReasons } from '../src/poison.ts'

const guide = readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'README.md'), 'utf8')

test('the guide lists every dlq-reason the fan-out writes, and only those', () => {
  const table = guide.slice(guide.indexOf('| `dlq-reason` '), guide.indexOf('## Wire format'))
  const listed = [...table.matchAll(/^\| `([a-z_]+)` +\|/gm)].map((m) => m[1])
  assert.deepEqual(listed, [...poisonReasons])
  // what a decode error becomes is one of them
  assert.ok(poisonReasons.includes(poisonReason(new Error('x'))))
})

test('the guide names every header a DLQ copy adds', () => {
  const record = { topic: 'news.article-events', partition: 0, offset: '1', key: null, value: null, headers: {} }
  const added = Object.keys(deadLetterHeaders(record, 'not_avro', 'detail', 0))
  assert.ok(added.length >= 6)
  for (const name of added) assert.match(guide, new RegExp(`\`${name}\``), name)
})
