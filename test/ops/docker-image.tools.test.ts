// The image itself, built by a Docker engine: it runs production's Node, and each service in it
// refuses the development credentials (NODE_ENV=production, no secrets given). No engine runs on
// the project's machines, so there this is a deliberate skip: image.kafka.test.ts builds the same
// layout without Docker and runs it on the Node the tests run on (production's Node in .ci/run).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { majorOf, productionNode } from '../../deploy/local/node-runtime.ts'
import { dockerEngine } from '../../deploy/local/system.ts'
import { deliberate } from '../runner/skips.ts'
import { run } from './helpers.ts'

test('docker build: the image runs production Node and refuses the development credentials', {
  skip: dockerEngine() ? false : deliberate.dockerEngine,
  timeout: 20 * 60_000,
}, (t) => {
  const tag = `newswire-test:${process.pid}`
  t.after(() => run('docker', ['rmi', '-f', tag]))
  const build = run('docker', ['build', '-f', 'deploy/docker/Dockerfile', '-t', tag, '.'])
  assert.equal(build.status, 0, build.stderr)
  const version = run('docker', ['run', '--rm', tag, 'node', '--version'])
  assert.equal(version.status, 0, version.stderr)
  assert.equal(majorOf(version.stdout.trim()), majorOf(productionNode.version))
  for (const service of ['ingest', 'fanout']) {
    const r = run('docker', ['run', '--rm', '-e', `NEWSWIRE_SERVICE=${service}`, tag])
    assert.equal(r.status, 1, `${service}: ${r.stdout}${r.stderr}`)
    assert.match(r.stderr, /NODE_ENV=production refuses the development/)
  }
})
