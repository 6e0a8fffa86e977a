// red22c attack run (2026-12-07): production's checks of the secrets ran only when NODE_ENV was
// exactly `production`. `NODE_ENV=prod`, `Production` or `staging` (an operator's own manifests,
// another team's convention) ran both services in development mode, where every secret has a
// published default: the fan-out, its NEWSROOM_JWT_SECRET forgotten, took tokens signed with
// `dev-newsroom-secret` and sent them the embargoed drafts; ingest took `dev-ingest-key`. A
// NODE_ENV the services do not know now stops them at start, naming it.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { repoRoot } from '../../deploy/local/paths.ts'
import { loadFanoutConfig } from '../../services/fanout/src/config.ts'
import { loadIngestConfig } from '../../services/ingest/src/config.ts'

const misspelt = ['prod', 'Production', 'PRODUCTION', 'staging', 'live', 'productin']

test('a NODE_ENV the services do not know is refused at start, by both services', () => {
  for (const NODE_ENV of misspelt) {
    assert.throws(() => loadFanoutConfig({ NODE_ENV }), /NODE_ENV must be one of production, development, test/, NODE_ENV)
    assert.throws(() => loadIngestConfig({ NODE_ENV }), /NODE_ENV must be one of production, development, test/, NODE_ENV)
  }
  // the three it knows, and none, as before
  assert.equal(loadFanoutConfig({}).production, false)
  assert.equal(loadFanoutConfig({ NODE_ENV: 'development' }).production, false)
  assert.equal(loadIngestConfig({ NODE_ENV: 'test' }).production, false)
  assert.equal(loadIngestConfig({ NODE_ENV: ' production ', INGEST_API_KEYS: 'cms:k9Qx2LrT7vWm4YpZ8sNd3HfJ6bGc1EaU:*' }).production, true)
})

test('a real fan-out with NODE_ENV=prod and no secret set does not start on the development secret', async () => {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'services/fanout/src/main.ts'], {
    cwd: repoRoot,
    // a broker nobody listens on: a process that started must not reach the shared one
    env: {
      ...process.env,
      NODE_ENV: 'prod',
      NEWSROOM_JWT_SECRET: '',
      FANOUT_POSITION_KEY: '',
      FANOUT_PORT: '0',
      KAFKA_BROKERS: '127.0.0.1:9',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString('utf8')
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  clearTimeout(timer)
  assert.equal(code, 1, `the fan-out ran with NODE_ENV=prod on the development secret: ${stderr}`)
  assert.match(stderr, /NODE_ENV must be one of production, development, test, got 'prod'/)
})
