import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hasCode, ProblemError } from '@newswire/shared'
import { createAuthenticator } from '../src/auth.ts'
import { loadIngestConfig } from '../src/config.ts'
import { RateLimiter } from '../src/rate-limit.ts'

test('defaults run locally with the development key', () => {
  const c = loadIngestConfig({})
  assert.equal(c.port, 8081)
  assert.equal(c.host, '127.0.0.1')
  assert.deepEqual(c.kafka.brokers, ['127.0.0.1:9092'])
  assert.equal(c.apiKeys[0]?.key, 'dev-ingest-key')
  assert.equal(c.apiKeys[0]?.scopes.size, 4)
  assert.equal(c.lingerMs, 5)
  assert.equal(loadIngestConfig({ INGEST_LINGER_MS: '0' }).lingerMs, 0)
  for (const bad of ['-1', '101', '2.5', 'soon']) assert.throws(() => loadIngestConfig({ INGEST_LINGER_MS: bad }), /INGEST_LINGER_MS/)
})

test('production refuses the development key; all problems are reported together', () => {
  assert.throws(() => loadIngestConfig({ NODE_ENV: 'production' }), /refuses the development ingest key/)
  try {
    loadIngestConfig({ INGEST_PORT: 'eighty', KAFKA_BROKERS: 'nohost', INGEST_API_KEYS: 'cms:short:write+fly' })
    assert.fail('should throw')
  } catch (err) {
    assert.ok(hasCode(err, 'NEWSWIRE_ERR_CONFIG'))
    const msg = String(err)
    for (const part of ['INGEST_PORT', 'KAFKA_BROKERS', '1 unknown scope', 'shorter than 8']) assert.match(msg, new RegExp(part))
  }
  const prod = loadIngestConfig({ NODE_ENV: 'production', INGEST_API_KEYS: 'cms:k9Qx2LrT7vWm4YpZ8sNd3HfJ6bGc1EaU:write+withdraw' })
  assert.deepEqual([...(prod.apiKeys[0]?.scopes ?? [])], ['write', 'withdraw'])
})

test('authorization: 401 without or with an unknown key, 403 without the scope', () => {
  const auth = createAuthenticator(loadIngestConfig({ INGEST_API_KEYS: 'cms:cms-secret:write,ro:read-secret:read' }).apiKeys)
  assert.equal(auth.authorize('Bearer cms-secret', 'write').name, 'cms')
  const status = (f: () => unknown) => {
    try {
      f()
      return 0
    } catch (err) {
      return err instanceof ProblemError ? err.problem.status : -1
    }
  }
  assert.equal(
    status(() => auth.authorize(undefined, 'write')),
    401,
  )
  assert.equal(
    status(() => auth.authorize('Basic abc', 'write')),
    401,
  )
  assert.equal(
    status(() => auth.authorize('Bearer nope', 'write')),
    401,
  )
  assert.equal(
    status(() => auth.authorize('Bearer read-secret', 'write')),
    403,
  )
})

test('rate limiter: burst of 2x the rate, then waits', () => {
  const rl = new RateLimiter(10)
  let t = 0
  for (let i = 0; i < 20; i++) assert.equal(rl.take('k', 1, t), 0)
  assert.equal(rl.take('k', 1, t), 1)
  assert.equal(rl.take('other', 1, t), 0, 'keys are independent')
  t += 500 // half a second refills 5 tokens
  for (let i = 0; i < 5; i++) assert.equal(rl.take('k', 1, t), 0)
  assert.ok(rl.take('k', 1, t) > 0)
})
