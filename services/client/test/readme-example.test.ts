// The README's Node examples, run as written outside the repository: the package made with
// `npm pack -w services/client` (which builds dist/ first), installed with `ws` in a fresh
// directory under the system temp dir, against a real WebSocket server. Offline: both tarballs
// are local.
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test, type TestContext } from 'node:test'
import { promisify } from 'node:util'
import type { ArticleEvent } from '../src/index.ts'
import { FakeNewsServer, waitFor } from './fake-server.ts'
import { storyEntry } from './story-fakes.ts'

const run = promisify(execFile)
const repoRoot = join(import.meta.dirname, '..', '..', '..')
const marker = (which: string) => `<!-- services/client/test/readme-example.test.ts runs this ${which}block as written -->`

/** The fenced block right after the marker in services/client/README.md. */
function readmeExample(which = ''): string {
  const readme = readFileSync(join(repoRoot, 'services', 'client', 'README.md'), 'utf8')
  const at = readme.indexOf(marker(which))
  assert.ok(at >= 0, 'the README marks its tested example')
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(at))
  assert.ok(block?.[1], 'a ```js block follows the marker')
  return block[1]
}

/** The app directory with the packed SDK and ws installed (once for every example). */
let app = ''
let tmp = ''
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'newswire-client-example-'))
  const npm = (args: string[], cwd: string) =>
    run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' })
  await npm(['pack', '-w', 'services/client', '--pack-destination', tmp], repoRoot)
  await npm(['pack', join(repoRoot, 'node_modules', 'ws'), '--pack-destination', tmp], repoRoot)
  const tarballs = readdirSync(tmp).filter((f) => f.endsWith('.tgz'))
  assert.equal(tarballs.length, 2, tarballs.join(' '))
  app = join(tmp, 'app')
  await run('mkdir', [app])
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  await npm(['install', '--offline', ...tarballs.map((f) => join(tmp, f))], app)
})
after(() => rmSync(tmp, { recursive: true, force: true }))

/** Runs `script` (written to `name` in the app) with plain `node`, collecting its output. */
function runExample(t: TestContext, name: string, script: string, args: string[], env: Record<string, string>) {
  writeFileSync(join(app, name), script)
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env }
  delete childEnv.NODE_OPTIONS // a plain `node`, as a user runs it
  const child = spawn(process.execPath, [name, ...args], { cwd: app, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => child.kill('SIGKILL'))
  const out = { stdout: '', stderr: '' }
  child.stdout.on('data', (d: Buffer) => {
    out.stdout += d.toString()
  })
  child.stderr.on('data', (d: Buffer) => {
    out.stderr += d.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, out, exited }
}

const event = (id: string, version: number, headline: string, pubStatus = 'usable'): ArticleEvent => ({
  eventId: `${id}-v${version}`,
  type: version === 1 ? 'CREATED' : 'UPDATED',
  article: { id, version, headline, language: 'en', pubStatus: pubStatus as 'usable' },
})

test('the README Node example works outside the repo, from the packed package', { timeout: 120_000 }, async (t) => {
  const server = await FakeNewsServer.start(t)
  server.publish('all', event('a', 1, 'Budget passes'))
  server.publish('all', event('b', 1, 'Minister resigns', 'withheld'))
  const { child, out, exited } = runExample(t, 'newsroom.mjs', readmeExample(), [], {
    NEWSWIRE_URL: server.url,
    NEWSROOM_JWT: 'newsroom.jwt.token',
  })
  await waitFor(() => out.stdout.includes('withheld b Minister resigns'), `the snapshot in the output (${JSON.stringify(out)})`, 15_000)
  assert.match(out.stdout, /^\[connected\] \n/m)
  assert.match(out.stdout, /^live a Budget passes$/m)
  server.publish('all', event('c', 1, 'Port closed'))
  await waitFor(() => out.stdout.includes('live c Port closed'), `a live event in the output: ${out.stdout}`)
  assert.deepEqual(
    server.subscribes.map((s) => [s.transport, s.channels, s.token]),
    [['websocket', ['all'], 'newsroom.jwt.token']],
  )
  child.kill('SIGINT')
  assert.equal(await exited, 0, 'Ctrl-C closes the client and the process ends by itself')
  assert.equal(out.stderr, '')
})

test('the README live-story example: a story page and a live blog, older entries paged in', { timeout: 120_000 }, async (t) => {
  const server = await FakeNewsServer.start(t)
  const id = 'bd-port-fire'
  server.publish(`article:${id}`, event(id, 1, 'Fire at the port'))
  server.publish(`story:${id}`, event(id, 1, 'Fire at the port'))
  for (let seq = 1; seq <= 30; seq++)
    server.publishEntry(id, storyEntry(`e${seq}`, seq, 1, { pinned: seq === 1, headline: `Entry ${seq}` }))
  const { child, out, exited } = runExample(t, 'story.mjs', readmeExample('live-story '), [id], { NEWSWIRE_URL: server.url })
  const lines = () => out.stdout.split('\n')
  await waitFor(() => out.stdout.includes('held '), `the snapshot and every page (${JSON.stringify(out)})`, 15_000)
  assert.ok(lines().includes('current v1  '), out.stdout)
  assert.ok(lines().includes('snapshot #1 pinned Entry 1'), out.stdout)
  assert.deepEqual(
    lines()
      .filter((l) => l.startsWith('snapshot #'))
      .map((l) => l.split(' ')[1]),
    ['#1', '#30', '#29', '#28', '#27', '#26'],
    'the pinned entry and the latest five',
  )
  assert.equal(lines().filter((l) => l.startsWith('page #')).length, 24)
  assert.ok(lines().includes(`held ${Array.from({ length: 30 }, (_, i) => i + 1).join(',')}`), out.stdout)
  // live: an update with its correction, a new entry, a deletion, the kill
  server.publish(`article:${id}`, {
    ...event(id, 2, 'Fire at the port: 3 dead'),
    changedFields: ['headline', 'body'],
    correction: { note: 'The toll was wrong.', at: '2026-01-01T10:00:00.000Z' },
  })
  server.publishEntry(id, storyEntry('e31', 31, 1, { headline: 'Entry 31' }))
  server.withdrawEntry(id, 'e7', 2)
  server.publishFrame(`article:${id}`, { type: 'withdrawn', articleId: id, reason: 'legal', cause: 'withdrawn' })
  await waitFor(
    () => ['gone withdrawn', 'removed e7', 'live #31'].every((l) => out.stdout.includes(l)),
    `the live part (${JSON.stringify(out)})`,
  )
  assert.ok(lines().includes('updated v2 headline+body The toll was wrong.'), out.stdout)
  assert.ok(lines().includes('live #31  Entry 31'), out.stdout)
  assert.ok(lines().includes('removed e7 deleted'), out.stdout)
  child.kill('SIGINT')
  assert.equal(await exited, 0, 'Ctrl-C closes both clients and the process ends by itself')
  assert.equal(out.stderr, '')
})
