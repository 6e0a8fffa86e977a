// `newswire import`'s own numbers: `--concurrency` went through Number(), so `abc` (NaN) started no
// worker and the summary crashed on the files never sent ("Cannot read properties of undefined",
// exit 1), and `1e8` allocated a hundred million workers until the process died (V8 out of
// memory, exit 134); `--urgency 1.0000000000000001` was sent as 1. Now a bad `--concurrency` is a
// usage error (exit 2) before anything is sent, and `--urgency` goes to the service as written,
// which judges it as any import's `?urgency=` (import-query.test.ts).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

const run = promisify(execFile)
const repoRoot = join(import.meta.dirname, '..', '..', '..')
const cli = ['--conditions=development', '--import', 'tsx', join(repoRoot, 'services/ingest/src/cli.ts'), 'import']

test('newswire import refuses a --concurrency that is not a whole number from 1 to 64, before sending anything', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'newswire-cli-args-'))
  writeFileSync(join(dir, 'a.txt'), 'Port reopens\n17 August 2024, 9:15 AM\nShips moved.\n')
  // nothing listens there: a usage error must come before any request
  for (const concurrency of ['abc', '0', '1e8', '65', '2.5', '-1', '']) {
    const r = await run(process.execPath, [...cli, '--url', 'http://127.0.0.1:9', `--concurrency=${concurrency}`, dir], {
      timeout: 30_000,
    }).catch((err: { stdout: string; stderr: string; code: number }) => err)
    assert.equal('code' in r ? r.code : 0, 2, `--concurrency '${concurrency}': ${r.stderr}`)
    assert.match(r.stderr, /--concurrency must be a whole number from 1 to 64/, concurrency)
  }
})

test('newswire import sends --urgency as written, for the service to judge', async (t) => {
  const seen: string[] = []
  const server = createServer((req, res) => {
    seen.push(new URL(req.url ?? '/', 'http://x').searchParams.get('urgency') ?? '(none)')
    res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"a","version":1,"type":"CREATED"}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  const dir = mkdtempSync(join(tmpdir(), 'newswire-cli-args-'))
  writeFileSync(join(dir, 'a.txt'), 'Port reopens\n17 August 2024, 9:15 AM\nShips moved.\n')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  await run(process.execPath, [...cli, '--url', url, '--urgency', '1.0000000000000001', dir], { timeout: 30_000 })
  assert.deepEqual(seen, ['1.0000000000000001'])
})
