// Which files of a schema folder are versions (schemas.ts), and which version a fingerprint
// names when two share it. codec.test.ts holds the ordering, leading zeros and bad folders; these
// are the cases the stop 44 sweep found unheld.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'
import { test } from 'node:test'
import { loadSchemas } from '../src/schemas.ts'
import { rawSchema } from './support/events.ts'

/** A folder holding `files` (JSON unless a string), removed when the test ends. */
function folder(t: TestContext, files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'newswire-schemas-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  for (const [name, content] of Object.entries(files))
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content))
  return dir
}

test('only article-event.v<N>.avsc is a version: a backup or an editor copy beside it is not', (t) => {
  const dir = folder(t, {
    'article-event.v1.avsc': rawSchema(1),
    'article-event.v2.avsc.bak': rawSchema(2),
    'article-event.v3.avsc~': 'an editor copy',
    'old-article-event.v4.avsc': rawSchema(2),
  })
  const set = loadSchemas(dir)
  assert.deepEqual(
    set.versions.map((v) => v.fileName),
    ['article-event.v1.avsc'],
  )
  assert.equal(set.current.version, 1)
})

test('two versions with one fingerprint (a doc-only change): the later is the one a fingerprint names', (t) => {
  const v1 = rawSchema(1) as Record<string, unknown>
  const dir = folder(t, { 'article-event.v1.avsc': v1, 'article-event.v2.avsc': { ...v1, doc: 'the same bytes, documented' } })
  const set = loadSchemas(dir)
  const [first, second] = set.versions
  assert.equal(first?.fingerprintHex, second?.fingerprintHex, 'a doc is not part of the canonical form')
  assert.equal(set.byFingerprint(first?.fingerprint ?? new Uint8Array()), second)
  assert.equal(set.byFingerprint(first?.fingerprintHex ?? ''), second)
  assert.equal(set.byVersion(1), first)
})
