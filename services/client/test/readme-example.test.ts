// The README's Node example, run as written outside the repository: the package made with
// `npm pack -w services/client` (which builds dist/ first), installed with `ws` in a fresh
// directory under the system temp dir, against a real WebSocket server. Offline: both tarballs
// are local.
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import type { ArticleEvent } from '../src/index.ts'
import { FakeNewsServer, waitFor } from './fake-server.ts'

const run = promisify(execFile)
const repoRoot = join(import.meta.dirname, '..', '..', '..')
const marker = '<!-- services/client/test/readme-example.test.ts runs this block as written -->'

/** The fenced block right after the marker in services/client/README.md. */
function readmeExample(): string {
  const readme = readFileSync(join(repoRoot, 'services', 'client', 'README.md'), 'utf8')
  const at = readme.indexOf(marker)
  assert.ok(at >= 0, 'the README marks its tested example')
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(at))
  assert.ok(block?.[1], 'a ```js block follows the marker')
  return block[1]
}

const event = (id: string, version: number, headline: string, pubStatus = 'usable'): ArticleEvent => ({
  eventId: `${id}-v${version}`,
  type: version === 1 ? 'CREATED' : 'UPDATED',
  article: { id, version, headline, language: 'en', pubStatus: pubStatus as 'usable' },
})

test('the README Node example works outside the repo, from the packed package', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'newswire-client-example-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const npm = (args: string[], cwd: string) =>
    run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' })
  await npm(['pack', '-w', 'services/client', '--pack-destination', dir], repoRoot)
  await npm(['pack', join(repoRoot, 'node_modules', 'ws'), '--pack-destination', dir], repoRoot)
  const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'))
  assert.equal(tarballs.length, 2, tarballs.join(' '))
  const app = join(dir, 'app')
  await run('mkdir', [app])
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  await npm(['install', '--offline', ...tarballs.map((f) => join(dir, f))], app)
  writeFileSync(join(app, 'newsroom.mjs'), readmeExample())

  const server = await FakeNewsServer.start(t)
  server.publish('all', event('a', 1, 'Budget passes'))
  server.publish('all', event('b', 1, 'Minister resigns', 'withheld'))
  const env: Record<string, string | undefined> = { ...process.env, NEWSWIRE_URL: server.url, NEWSROOM_JWT: 'newsroom.jwt.token' }
  delete env.NODE_OPTIONS // a plain `node`, as a user runs it
  const child = spawn(process.execPath, ['newsroom.mjs'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => child.kill('SIGKILL'))
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))

  await waitFor(() => out.includes('withheld b Minister resigns'), `the snapshot in the output (stdout: ${out}, stderr: ${err})`, 15_000)
  assert.match(out, /^\[connected\] \n/m)
  assert.match(out, /^live a Budget passes$/m)
  server.publish('all', event('c', 1, 'Port closed'))
  await waitFor(() => out.includes('live c Port closed'), `a live event in the output: ${out}`)
  assert.deepEqual(
    server.subscribes.map((s) => [s.transport, s.channels, s.token]),
    [['websocket', ['all'], 'newsroom.jwt.token']],
  )
  child.kill('SIGINT')
  assert.equal(await exited, 0, 'Ctrl-C closes the client and the process ends by itself')
  assert.equal(err, '')
})
