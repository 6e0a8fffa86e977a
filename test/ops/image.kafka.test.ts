// What deploy/docker/Dockerfile does, without Docker (no engine here): lay out the build context
// the way its COPY lines do, run the same `tsc -b tsconfig.build.json` (`npm run build`), check
// that production dependencies cover every package the compiled code imports, then run
// `node services/<svc>/dist/main.js` from that layout with NODE_ENV=production, as the image's
// runtime stage does, and stop it with SIGTERM.
import assert from 'node:assert/strict'
import { builtinModules } from 'node:module'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { brokers, uniquePrefix } from '../helpers.ts'
import { filesUnder, freePort, repoRoot, run, startProcess } from './helpers.ts'

const workspaces = ['shared', 'client', 'ingest', 'fanout']

/** The build stage's /src: manifests, tsconfig files, services/<ws>/{package.json,tsconfig.json,src}, schemas. */
function layOut(dir: string): void {
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.base.json', 'tsconfig.build.json'])
    cpSync(join(repoRoot, f), join(dir, f))
  for (const ws of workspaces) {
    const from = join(repoRoot, 'services', ws)
    const to = join(dir, 'services', ws)
    mkdirSync(to, { recursive: true })
    for (const f of ['package.json', 'tsconfig.json']) cpSync(join(from, f), join(to, f))
    cpSync(join(from, 'src'), join(to, 'src'), { recursive: true })
  }
  cpSync(join(repoRoot, 'schemas'), join(dir, 'schemas'), { recursive: true, filter: (src) => !src.includes('/fixtures') })
  // node_modules as npm ci lays it out: workspaces link to services/*, the rest from the repo's install
  const nm = join(dir, 'node_modules')
  mkdirSync(join(nm, '@newswire'), { recursive: true })
  for (const ws of workspaces) symlinkSync(join('..', '..', 'services', ws), join(nm, '@newswire', ws))
  for (const name of readdirSync(join(repoRoot, 'node_modules'))) {
    if (name === '@newswire') continue
    symlinkSync(join(repoRoot, 'node_modules', name), join(nm, name))
  }
}

test('the image build and runtime layout, outside Docker', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'newswire-image-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  layOut(dir)

  await t.test('npm run build (tsc -b tsconfig.build.json) emits every dist', () => {
    const r = run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.build.json'], { cwd: dir })
    assert.equal(r.status, 0, `tsc -b failed:\n${r.stdout}${r.stderr}`)
    for (const f of [
      'shared/dist/index.js',
      'shared/dist/schemas.js',
      'ingest/dist/main.js',
      'fanout/dist/main.js',
      'client/dist/index.js',
    ]) {
      assert.ok(existsSync(join(dir, 'services', f)), `services/${f}`)
    }
  })

  // [file, package] for every bare import of the compiled services
  const imports: { ws: string; file: string; name: string }[] = []
  const declared = new Map<string, Set<string>>()
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)])
  const scan = () => {
    for (const ws of ['shared', 'ingest', 'fanout']) {
      const pkg = JSON.parse(readFileSync(join(dir, 'services', ws, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
      declared.set(ws, new Set(Object.keys(pkg.dependencies ?? {})))
      const distDir = join(dir, 'services', ws, 'dist')
      for (const f of filesUnder(distDir, ['.js'])) {
        const text = readFileSync(join(repoRoot, f), 'utf8')
        for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)) {
          const spec = (m[1] ?? m[2]) as string
          if (spec.startsWith('.') || builtins.has(spec)) continue
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string)
          imports.push({ ws, file: `services/${ws}/dist/${f.split('/dist/')[1]}`, name })
        }
      }
    }
  }

  await t.test('production dependencies (npm ci --omit=dev) provide every package the compiled code imports', () => {
    scan()
    assert.ok(imports.length > 0)
    // npm ci --omit=dev installs the dependencies of every workspace, hoisted to /app/node_modules
    const installed = new Set([...declared.values()].flatMap((s) => [...s]))
    for (const i of imports) assert.ok(installed.has(i.name), `${i.file} imports ${i.name}, which no workspace declares as a dependency`)
  })

  await t.test("each service declares the packages it imports (not only through another workspace's hoisted dependency)", () => {
    const undeclared = imports.filter((i) => !(declared.get(i.ws)?.has(i.name) ?? false)).map((i) => `${i.file}: ${i.name}`)
    assert.deepEqual(undeclared, [])
  })

  for (const [service, portVar, hostVar, secret] of [
    ['ingest', 'INGEST_PORT', 'INGEST_HOST', { INGEST_API_KEYS: 'ops:ops-image-test-key-0123456789abcdef:*' }],
    [
      'fanout',
      'FANOUT_PORT',
      'FANOUT_HOST',
      { NEWSROOM_JWT_SECRET: 'ops-image-test-secret-0123456789', FANOUT_POSITION_KEY: 'ops-image-test-position-key-0123456789' },
    ],
  ] as const) {
    await t.test(`node services/${service}/dist/main.js runs in production mode and stops on SIGTERM with 0`, async (t) => {
      const port = await freePort()
      // production serves /metrics on a port of its own (9081/9082 by default; a free one here)
      const metricsPort = await freePort()
      const env = {
        NODE_ENV: 'production',
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_TOPIC_PREFIX: uniquePrefix(),
        KAFKA_PARTITIONS: '1',
        KAFKA_REPLICATION_FACTOR: '1',
        LOG_LEVEL: 'info',
        [hostVar]: '127.0.0.1',
        [portVar]: String(port),
        [`${service.toUpperCase()}_METRICS_PORT`]: String(metricsPort),
        ...secret,
      }
      // No --conditions=development and no tsx: the `default` export conditions resolve to dist/
      const p = await startProcess(service, [`services/${service}/dist/main.js`], dir, env, port)
      t.after(() => {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL')
      })
      if (service === 'ingest') {
        // Publishing encodes with the Avro schemas loaded from schemas/ next to services/
        const res = await fetch(`${p.url}/v1/articles`, {
          method: 'POST',
          headers: { authorization: 'Bearer ops-image-test-key-0123456789abcdef', 'content-type': 'application/json' },
          body: JSON.stringify({ id: 'image-1', language: 'bn', headline: 'ঢাকায় পরীক্ষা', body: ['এক অনুচ্ছেদ।'] }),
        })
        assert.equal(res.status, 201, await res.text())
      }
      assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status, 200)
      assert.equal((await fetch(`${p.url}/metrics`)).status, 404, 'no /metrics on the port readers reach (red22a)')
      p.child.kill('SIGTERM')
      const exit = await p.exited
      assert.equal(exit.code, 0, p.stderr())
      assert.ok(p.logs.some((l) => l.msg === 'shutdown complete'))
    })

    await t.test(`${service} in production mode refuses the development credentials`, () => {
      const env = { ...process.env, NODE_ENV: 'production', [portVar]: '0', INGEST_API_KEYS: '', NEWSROOM_JWT_SECRET: '' }
      const r = run(process.execPath, [`services/${service}/dist/main.js`], { cwd: dir, env })
      assert.equal(r.status, 1)
      assert.match(r.stderr, /NODE_ENV=production refuses the development/)
    })
  }
})
