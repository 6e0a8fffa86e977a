// Where /metrics is served (red22a attack run, 2026-12-07): production puts it on a port of its
// own by default, which no Service or edge routes to readers; development keeps the one port.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadFanoutConfig } from '@newswire/fanout'
import { loadIngestConfig } from '@newswire/ingest'

const production = {
  NODE_ENV: 'production',
  INGEST_API_KEYS: 'cms:Zq3v9LrT0xW7pK2mN8bY4cH6aJ5sD1fG:*',
  NEWSROOM_JWT_SECRET: 'f8Kd02LmQv7Xr1Tz9Wb4Nc6Hy3Js5Pa0',
  FANOUT_POSITION_KEY: 'u4Gt7Rk1Ze9Wq2Lp6Xm0Vb3Nh8Jc5Sd1',
}

test('production serves /metrics on a port of its own unless told otherwise; development on the service port', () => {
  assert.deepEqual([loadIngestConfig(production).port, loadIngestConfig(production).metricsPort], [8081, 9081])
  assert.deepEqual([loadFanoutConfig(production).port, loadFanoutConfig(production).metricsPort], [8082, 9082])
  assert.equal(loadFanoutConfig({ ...production, FANOUT_PORT: '80' }).metricsPort, 9082)
  // a deployment on a private network may put them back on the service port, by naming it
  assert.equal(loadIngestConfig({ ...production, INGEST_METRICS_PORT: '8081' }).metricsPort, 8081)
  assert.equal(loadFanoutConfig({ ...production, FANOUT_METRICS_PORT: '9464' }).metricsPort, 9464)
  assert.equal(loadIngestConfig({ INGEST_PORT: '8181' }).metricsPort, 8181)
  assert.equal(loadFanoutConfig({}).metricsPort, 8082)
  assert.throws(() => loadFanoutConfig({ FANOUT_METRICS_PORT: '70000' }), /FANOUT_METRICS_PORT must be an integer/)
})
