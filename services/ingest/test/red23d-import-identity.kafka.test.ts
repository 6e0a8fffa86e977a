// An imported page is one article however its name is spelled (red23d attack run). `newswire
// import` named a Bengali file `file-<now>`, a new article on every run; files differing only in
// their Bengali letters one article; a name in NFD (macOS) another than in NFC. A scraped page
// without an `id` was another article when its address was written otherwise (its Bengali path raw
// or percent-encoded, its host in capitals, a fragment). Each such duplicate stayed live when the
// desk killed the article it had: its readers never heard of the kill. Real ingest and Kafka.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { DEV_INGEST_KEY } from '@newswire/shared'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { importFiles } from '../src/cli.ts'

const repoRoot = join(import.meta.dirname, '..', '..', '..')
const sample = readFileSync(join(repoRoot, 'test', 'fixtures', 'articles', 'bn-seed-russia-north-korea.txt'), 'utf8')
const other = 'Port reopens after storm\n17 August 2024, 9:15 AM\nShips moved again on Saturday.\nCategory : National\n'

test('newswire import: a file is one article whatever its name’s script or normalization; two files two articles', async (t) => {
  const ingest = await startTestIngest(t, uniquePrefix())
  const dir = mkdtempSync(join(tmpdir(), 'newswire-red23d-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const run = async (names: string[]) =>
    (
      await importFiles(
        names.map((n) => join(dir, n)),
        { url: ingest.url, key: DEV_INGEST_KEY, concurrency: 1 },
      )
    ).map((r) => r.outcome)
  const dhaka = '\u09a2\u09be\u0995\u09be.txt' // ঢাকা
  writeFileSync(join(dir, dhaka), sample)
  assert.deepEqual(await run([dhaka]), ['created'])
  assert.deepEqual(await run([dhaka]), ['unchanged'], 'a re-import of the same file is a new article')
  // the same name in two spellings: য় as one code point (U+09DF), and as NFC writes it (য + nukta)
  const nfd = '\u09df\u09c1\u0995\u09cd\u09a4-1.txt'
  writeFileSync(join(dir, nfd), sample)
  assert.deepEqual(await run([nfd]), ['created'])
  writeFileSync(join(dir, nfd.normalize('NFC')), sample)
  assert.notEqual(nfd, nfd.normalize('NFC'))
  assert.deepEqual(await run([nfd.normalize('NFC')]), ['unchanged'], 'two spellings of one name are two articles')
  // and a Latin name as macOS writes it (NFD), then in NFC
  const cafe = 'cafe\u0301-3.txt'
  writeFileSync(join(dir, cafe), other)
  writeFileSync(join(dir, cafe.normalize('NFC')), other)
  assert.deepEqual(await run([cafe, cafe.normalize('NFC')]), ['created', 'unchanged'], 'NFD and NFC names are two articles')
  // two names that differ only in Bengali letters are two files, two articles
  writeFileSync(join(dir, '\u0996\u09ac\u09b0-2.txt'), sample)
  writeFileSync(join(dir, '\u0996\u09c7\u09b2\u09be-2.txt'), other)
  assert.deepEqual(
    await run(['\u0996\u09ac\u09b0-2.txt', '\u0996\u09c7\u09b2\u09be-2.txt']),
    ['created', 'created'],
    'one file replaced the other’s text',
  )
})

test('a scraped page without an id is one article whatever spelling of its address', async (t) => {
  const ingest = await startTestIngest(t, uniquePrefix())
  const post = async (url: string) => {
    const res = await fetch(`${ingest.url}/v1/import/scraped?${new URLSearchParams({ url })}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEV_INGEST_KEY}`, 'content-type': 'text/plain; charset=utf-8' },
      body: sample,
    })
    const body = (await res.json()) as { id?: string; unchanged?: boolean; type?: string }
    assert.ok(res.status < 300, JSON.stringify(body))
    return body
  }
  const first = await post('https://bd.example/\u0996\u09ac\u09b0/1')
  for (const spelling of [
    'https://bd.example/%E0%A6%96%E0%A6%AC%E0%A6%B0/1',
    'https://BD.Example/\u0996\u09ac\u09b0/1',
    'https://bd.example:443/\u0996\u09ac\u09b0/1',
    'https://bd.example/\u0996\u09ac\u09b0/1#comments',
  ]) {
    const again = await post(spelling)
    assert.equal(again.id, first.id, `${spelling} made another article`)
  }
  const elsewhere = await post('https://bd.example/\u0996\u09ac\u09b0/2')
  assert.notEqual(elsewhere.id, first.id, 'another page is another article')
})
