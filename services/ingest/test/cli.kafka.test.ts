// `newswire import` as a user runs it: a real process, a folder of pages, a summary line.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { topicNames } from '@newswire/shared'
import { readTopic, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'

const run = promisify(execFile)
const repoRoot = join(import.meta.dirname, '..', '..', '..')
const sample = readFileSync(join(repoRoot, 'test', 'fixtures', 'articles', 'bn-seed-russia-north-korea.txt'), 'utf8')

test('newswire import sends a folder of pages and prints a summary; re-import is unchanged', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const dir = mkdtempSync(join(tmpdir(), 'newswire-import-'))
  writeFileSync(join(dir, 'bn-one.txt'), sample)
  writeFileSync(
    join(dir, 'en-two.txt'),
    'Port reopens after storm\n17 August 2024, 9:15 AM\nShips moved again on Saturday.\nCategory : National\n',
  )
  writeFileSync(join(dir, 'empty.txt'), '\n\n')
  const cli = [
    '--conditions=development',
    '--import',
    'tsx',
    join(repoRoot, 'services/ingest/src/cli.ts'),
    'import',
    '--url',
    ingest.url,
    dir,
  ]
  const first = await run(process.execPath, cli).catch((err: { stdout: string; stderr: string; code: number }) => err)
  assert.equal('code' in first ? first.code : 0, 1, 'a failed file makes the exit code 1')
  assert.match(first.stdout, /imported 3 file\(s\): 2 created, 0 updated, 0 unchanged, 1 failed/)
  // the file, the status and what the server said about it, not only a problem URL
  assert.match(first.stderr, /empty\.txt: 400 invalid_body: scraped text is empty/)
  assert.doesNotMatch(first.stderr, /https:\/\/newswire.dev\/problems/)

  const events = await readTopic(topicNames(prefix).events, (all) => all.length >= 2)
  assert.deepEqual(events.map((e) => e.event.article.id).sort(), ['bn-one', 'en-two'])
  const en = events.find((e) => e.event.article.id === 'en-two')?.event.article
  assert.equal(en?.category, 'national')
  assert.equal(en?.publishedAt, Date.parse('2024-08-17T03:15:00Z'))

  const second = await run(process.execPath, [...cli.slice(0, -1), join(dir, 'bn-one.txt')])
  assert.match(second.stdout, /imported 1 file\(s\): 0 created, 0 updated, 1 unchanged, 0 failed/)
})
