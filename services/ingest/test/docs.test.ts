// What services/ingest/README.md and schemas/README.md promise matches the code: every example
// path exists in a fresh clone, the version bound is the same everywhere, every Kafka header
// ingest writes is documented, every problem code in the errors table exists.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { MAX_REVISION, problemCodes, streamProblemCodes } from '@newswire/shared'
import { openApiDocument } from '../src/openapi.ts'
import { recordHeaderNames, tombstoneRecord } from '../src/records.ts'
import { validateArticle } from '../src/validate.ts'

const repoRoot = join(import.meta.dirname, '..', '..', '..')
const readmePath = join(repoRoot, 'services', 'ingest', 'README.md')
const readme = readFileSync(readmePath, 'utf8')
const schemasReadme = readFileSync(join(repoRoot, 'schemas', 'README.md'), 'utf8')

test('every path in the ingest README exists in the repository (examples run from its root)', () => {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')
  assert.ok(blocks.length >= 5)
  const paths = new Set<string>()
  for (const block of blocks)
    for (const m of block.matchAll(/(?:^|[\s@])((?:test|services|schemas|deploy)\/[^\s'"`]+)/g)) paths.add(m[1] ?? '')
  for (const m of readme.matchAll(/`((?:test|services|schemas)\/[^`\s]+)`/g)) paths.add(m[1] ?? '')
  assert.ok(paths.has('test/fixtures/articles/bn-seed-russia-north-korea.txt'), [...paths].join(', '))
  for (const p of paths) {
    if (p.endsWith('*.txt')) {
      const dir = join(repoRoot, dirname(p))
      assert.ok(
        readdirSync(dir).some((f) => f.endsWith('.txt')),
        `${p}: no .txt files`,
      )
    } else {
      assert.ok(existsSync(join(repoRoot, p)) || existsSync(join(repoRoot, 'services', 'ingest', p)), `${p} does not exist`)
    }
  }
  for (const m of readme.matchAll(/\]\((\.\.?\/[^)#]+)/g)) {
    assert.ok(existsSync(join(dirname(readmePath), m[1] ?? '')), `link ${m[1]} does not exist`)
  }
  assert.doesNotMatch(readme, /shared\/fixtures/, 'the fixtures live in test/fixtures/')
})

test('the version bound is the same in validation, OpenAPI and both READMEs', () => {
  assert.equal(MAX_REVISION, 4503599627370496)
  const version = openApiDocument.components.schemas.ArticleInput.properties.version
  assert.equal(version.maximum, MAX_REVISION)
  assert.equal(version.minimum, 1)
  const ok = (v: number) => validateArticle({ id: 'a', language: 'en', headline: 'h', body: ['b'], version: v }).ok
  assert.ok(ok(MAX_REVISION) && !ok(MAX_REVISION + 1) && !ok(0))
  for (const doc of [readme, schemasReadme]) assert.match(doc, new RegExp(String(MAX_REVISION)))
})

test('every Kafka header ingest writes has a row in the schemas README', () => {
  for (const name of recordHeaderNames) assert.match(schemasReadme, new RegExp(`^\\| \`${name}\` +\\|`, 'm'), name)
})

test('the schemas README says which headers a tombstone carries, as ingest writes them', () => {
  const tombstone = tombstoneRecord({ fingerprintHex: '00', instanceId: 'w' }, 'a-1', 't'.repeat(32), 0)
  const names = Object.keys(tombstone.headers).sort()
  assert.deepEqual(names, ['trace-id', 'writer'])
  assert.match(schemasReadme.replace(/\s+/g, ' '), /A tombstone \(an erasure, in `news.articles`\) carries only `trace-id` and `writer`/)
})

test('every problem code in the ingest README errors table is in the catalogue, and the other way round for ingest’s', () => {
  const table = readme.slice(readme.indexOf('## Errors'), readme.indexOf('### What a 503 means'))
  const rows = table.split('\n').filter((line) => /^\| [45]\d\d/.test(line))
  const documented = new Set(rows.flatMap((row) => [...(row.split('|')[2] ?? '').matchAll(/`([a-z0-9_]+)`/g)].map((c) => c[1])))
  assert.ok(documented.size >= 10, [...documented].join(', '))
  for (const code of documented) assert.ok((problemCodes as readonly string[]).includes(code ?? ''), `${code} is not a problem code`)
  const streamOnly: readonly string[] = streamProblemCodes
  for (const code of problemCodes)
    if (code !== 'method_not_allowed' && code !== 'internal' && !streamOnly.includes(code))
      assert.ok(documented.has(code), `${code} is not documented`)
})

test('every route ingest mounts is in the OpenAPI document, with its method, and the other way round', () => {
  const mounted = new Set<string>()
  for (const file of ['app.ts', 'entry-routes.ts']) {
    const src = readFileSync(join(repoRoot, 'services', 'ingest', 'src', file), 'utf8')
    for (const m of src.matchAll(/app\.(get|post|put|patch|delete)\(\s*'([^']+)'/g))
      mounted.add(`${m[1]} ${(m[2] ?? '').replace(/:(\w+)/g, '{$1}')}`)
  }
  assert.ok(mounted.has('post /v1/articles/{id}/erase'), [...mounted].join(', '))
  mounted.delete('get /openapi.json') // the document itself
  const documented = new Set(
    Object.entries(openApiDocument.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    ),
  )
  assert.deepEqual(
    [...mounted].filter((r) => !documented.has(r)),
    [],
    'mounted, not in OpenAPI',
  )
  assert.deepEqual(
    [...documented].filter((r) => !mounted.has(r)),
    [],
    'in OpenAPI, not mounted',
  )
})

// red17c attack run (2026-12-06): an entry's deletion reason reaches every reader who saw the entry,
// the public included (the fan-out's entryWithdrawn.reason), as a withdrawal's does; the README said
// so for withdraw and erase only, and the OpenAPI document for none, so a desk tool built from them
// put notes meant for the desk ("names of minors, legal asked") in front of public readers.
test("every kill's reason says that readers see it: in OpenAPI (withdraw, erase, an entry's DELETE) and the README's entries table", () => {
  type Op = { requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, { description?: string }> } }> } }
  const paths = openApiDocument.paths as Record<string, Record<string, Op>>
  for (const [path, method] of [
    ['/v1/articles/{id}/withdraw', 'post'],
    ['/v1/articles/{id}/erase', 'post'],
    ['/v1/articles/{id}/entries/{entryId}', 'delete'],
  ] as const) {
    const reason = paths[path]?.[method]?.requestBody?.content?.['application/json']?.schema?.properties?.reason
    assert.match(reason?.description ?? '', /the public included/, `${method} ${path}`)
  }
  const row = readme.split('\n').find((l) => l.startsWith('| `DELETE /v1/articles/{id}/entries/{entryId}`'))
  assert.match(row ?? '', /the public included/, 'the entries table')
})
