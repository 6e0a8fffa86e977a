// The per-key rate limit (rate-limit.ts, checked in routing.ts before a body is read). config.test.ts
// holds the bucket's burst and refill; in the sixth mutation batch a bucket that filled past its
// burst while its key was idle (rl2) and a route that let a refusal of one second through (rl5)
// passed every ingest unit test: no test left a key idle, and none sent a request past its limit.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { RateLimiter } from '../src/rate-limit.ts'
import { ArticleState } from '../src/state.ts'
import { startInProcessApp } from './support/in-process-app.ts'

test('a key idle for a minute has its burst again, not a minute of tokens', () => {
  const rl = new RateLimiter(10)
  let t = 0
  assert.equal(rl.take('k', 1, t), 0)
  t += 60_000
  for (let i = 0; i < 20; i++) assert.equal(rl.take('k', 1, t), 0, `request ${i + 1} of the burst`)
  assert.equal(rl.take('k', 1, t), 1, 'the 21st waits')
})

test('a request past the burst of its key is refused 429 rate_limited with Retry-After, and writes nothing; other keys go on', async (t) => {
  const state = new ArticleState()
  // 1 request/s: bursts of 2
  const app = await startInProcessApp(state, 'one:dev-ingest-key-1:*,two:dev-ingest-key-2:*', '1')
  t.after(() => app.close())
  const post = (key: string, id: string) =>
    http(`${app.url}/v1/articles`, {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, language: 'en', headline: 'Headline', body: ['Text.'] }),
    })
  assert.equal((await post('dev-ingest-key-1', 'a-1')).status, 201)
  assert.equal((await post('dev-ingest-key-1', 'a-2')).status, 201)
  const refused = await post('dev-ingest-key-1', 'a-3')
  assert.equal(refused.status, 429, refused.text)
  assert.equal((refused.body as { code?: string }).code, 'rate_limited')
  assert.equal(refused.headers.get('retry-after'), '1')
  assert.equal(state.get('a-3'), undefined, 'nothing written')
  assert.equal((await post('dev-ingest-key-2', 'b-1')).status, 201, 'another key has its own bucket')
})
