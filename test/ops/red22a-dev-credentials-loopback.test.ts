// The development credentials beyond this machine (red22a attack run, 2026-12-07). They are
// published (the README prints them) and only production refused them, so a service started
// without NODE_ENV=production (the built `node services/fanout/dist/main.js` run on a host of its
// own, a unit file or a container whose environment lost the variable) listened on 0.0.0.0 with
// `dev-newsroom-secret`: anyone who could reach it made a newsroom token and read every embargoed
// story; `dev-ingest-key` wrote and killed stories. A development credential now keeps the service
// on the loopback, whatever NODE_ENV says.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { loadFanoutConfig } from '@newswire/fanout'
import { loadIngestConfig } from '@newswire/ingest'
import { repoRoot } from './helpers.ts'

const real = {
  INGEST_API_KEYS: 'cms:Zq3v9LrT0xW7pK2mN8bY4cH6aJ5sD1fG:*',
  NEWSROOM_JWT_SECRET: 'f8Kd02LmQv7Xr1Tz9Wb4Nc6Hy3Js5Pa0',
  FANOUT_POSITION_KEY: 'u4Gt7Rk1Ze9Wq2Lp6Xm0Vb3Nh8Jc5Sd1',
}

test('without NODE_ENV, a development credential on a host beyond the loopback is refused (red22a)', () => {
  for (const host of ['0.0.0.0', '::', '10.1.2.3', 'fanout.internal']) {
    assert.throws(() => loadFanoutConfig({ FANOUT_HOST: host, FANOUT_POSITION_KEY: real.FANOUT_POSITION_KEY }), /NEWSROOM_JWT_SECRET/, host)
    assert.throws(() => loadFanoutConfig({ FANOUT_HOST: host, NEWSROOM_JWT_SECRET: real.NEWSROOM_JWT_SECRET }), /FANOUT_POSITION_KEY/, host)
    assert.throws(() => loadIngestConfig({ INGEST_HOST: host }), /INGEST_API_KEYS/, host)
    assert.throws(
      () => loadIngestConfig({ INGEST_HOST: host, INGEST_API_KEYS: `${real.INGEST_API_KEYS},dev:dev-ingest-key:read` }),
      /INGEST_API_KEYS/,
      host,
    )
    // real secrets there are fine, in development too
    assert.equal(loadFanoutConfig({ FANOUT_HOST: host, ...real }).host, host)
    assert.equal(loadIngestConfig({ INGEST_HOST: host, ...real }).host, host)
  }
  // the loopback keeps every development default (npm start, the tests)
  for (const host of ['127.0.0.1', '127.0.0.53', 'localhost', '::1']) {
    assert.equal(loadFanoutConfig({ FANOUT_HOST: host }).host, host)
    assert.equal(loadIngestConfig({ INGEST_HOST: host }).host, host)
  }
})

test('the fan-out run as the image runs it but without NODE_ENV refuses to start on 0.0.0.0 (red22a)', () => {
  const r = spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', 'services/fanout/src/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, FANOUT_HOST: '0.0.0.0', FANOUT_PORT: '0', KAFKA_BROKERS: '127.0.0.1:1' },
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
  })
  assert.equal(r.signal, null, 'the fan-out started on 0.0.0.0 with the development credentials')
  assert.equal(r.status, 1, r.stderr)
  assert.match(r.stderr, /FANOUT_HOST=0\.0\.0\.0 .*NEWSROOM_JWT_SECRET/)
})
