// NEWSROOM_REVOKED_FILE (revocation-file.ts) on a real file system: read at start (a missing or
// bad file refuses the start), a change seen by polling (an edit in place, and a ConfigMap's
// update: a new directory swapped in under a symlink), a bad edit told once with the list in
// force kept, the next good one taking over.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { watchRevocationFile } from '../src/revocation-file.ts'
import type { Revocations } from '../src/revocations.ts'
import { RevocationsError } from '../src/revocations.ts'

async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10))
  assert.ok(done(), what)
}

test('a missing or bad list refuses the start; edits in place and symlink swaps are seen; a bad edit keeps the list', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'newswire-revoked-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const deps = { pollMs: 20, changed: () => undefined, failed: () => undefined }
  assert.throws(() => watchRevocationFile({ ...deps, path: join(dir, 'none') }), /ENOENT/)
  writeFileSync(join(dir, 'bad'), 'sub alice\n')
  assert.throws(() => watchRevocationFile({ ...deps, path: join(dir, 'bad') }), RevocationsError)

  // a ConfigMap volume: ..data -> ..2026_12_07_1, and the file a link through it
  const version = (n: number, text: string) => {
    mkdirSync(join(dir, `..v${n}`))
    writeFileSync(join(dir, `..v${n}`, 'revoked'), text)
    symlinkSync(`..v${n}`, join(dir, '..data_tmp'))
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'))
  }
  version(1, '# none yet\n')
  symlinkSync(join('..data', 'revoked'), join(dir, 'revoked'))
  const changed: Revocations[] = []
  const failed: unknown[] = []
  const file = watchRevocationFile({
    path: join(dir, 'revoked'),
    pollMs: 20,
    changed: (r) => changed.push(r),
    failed: (e) => failed.push(e),
  })
  t.after(() => file.stop())
  assert.equal(file.current().size, 0)

  version(2, 'sub alice 2026-12-07T05:00:00Z\n')
  await until(() => changed.length === 1, 'a swapped ConfigMap version was not seen')
  assert.equal(file.current().subjects.get('alice'), Date.parse('2026-12-07T05:00:00Z'))

  version(3, 'sub alice 2026-12-07T05:00:00Z\njti leaked-one\nsub bob yesterday\n')
  await until(() => failed.length > 0, 'a bad edit was not told')
  await new Promise((r) => setTimeout(r, 100))
  assert.equal(failed.length, 1, 'a bad edit is told once, not at every poll')
  assert.ok(failed[0] instanceof RevocationsError && failed[0].line === 3)
  assert.equal(file.current().size, 1, 'the list in force stays')
  assert.equal(changed.length, 1)

  version(4, 'sub alice 2026-12-07T05:00:00Z\njti leaked-one\n')
  await until(() => changed.length === 2, 'the good edit after a bad one was not taken')
  assert.deepEqual([...file.current().ids], ['leaked-one'])
})
