// red22b attack run (2026-12-07), a traffic spike against a kill: the per-key rate limit was one
// bucket for every route, so a key's writes (a CMS re-syncing its archive, a wire's burst, a loop
// gone wrong) took every token, and the desk's kill through the same key, seconds before the
// story's embargo, was refused 429 with Retry-After; its retries met the same empty bucket, the
// embargo passed and the fan-out released the story to the public. Kills (withdraw, erase, an
// entry's DELETE: the routes of the `withdraw` scope) have a bucket of their own per key now: no
// amount of writing delays one. They are limited too, on their own.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { ArticleState } from '../src/state.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const KEY = 'dev-ingest-key-1'

test("a key's writes past its rate limit do not hold back its kills; kills have a limit of their own", async (t) => {
  const state = new ArticleState()
  // 1 request/s: bursts of 2
  const app = await startInProcessApp(state, `cms:${KEY}:*`, '1')
  t.after(() => app.close())
  const embargo = new Date(Date.now() + 5000).toISOString()
  const post = (id: string, extra: Record<string, unknown> = {}) =>
    http(`${app.url}/v1/articles`, {
      method: 'POST',
      key: KEY,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, language: 'en', headline: 'Headline', body: ['Text.'], ...extra }),
    })
  const kill = (path: string) =>
    http(`${app.url}${path}`, {
      method: 'POST',
      key: KEY,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'legal' }),
    })
  assert.equal((await post('draft', { embargoedUntil: embargo })).status, 201)
  assert.equal((await post('other', { embargoedUntil: embargo })).status, 201)
  // the key's writes have used its burst: the next write waits
  const write = await post('more')
  assert.equal(write.status, 429, `the writes used the key's tokens, as the case needs: ${write.text}`)
  const withdrawn = await kill('/v1/articles/draft/withdraw')
  assert.equal(withdrawn.status, 200, `the kill waited behind the key's writes: ${withdrawn.status} ${withdrawn.text}`)
  assert.equal(state.get('draft')?.article.pubStatus, 'canceled')
  assert.equal((await kill('/v1/articles/other/erase')).status, 200, 'an erasure too')
  // kills have their own limit: a third within the second waits, and writes still wait too
  const third = await kill('/v1/articles/more/withdraw')
  assert.equal(third.status, 429, third.text)
  assert.equal((third.body as { code?: string }).code, 'rate_limited')
  assert.equal((await post('later')).status, 429, 'kills gave the writes no tokens')
})
