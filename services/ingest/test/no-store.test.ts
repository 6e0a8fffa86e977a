// Ingest answers carry newsroom data: an embargoed or withheld story's text, its entries, the
// version a desk just wrote. Shared caches do not store answers to requests with Authorization
// unless told they may, but a CDN or proxy rule that caches everything (or strips the header on
// the way) would keep them and hand them to whoever asks next. Every answer says `no-store`; only
// the published schemas and the API description, the same for everyone, may be cached.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { ArticleState } from '../src/state.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const KEY = 'dev-ingest-key-1'
const HELD = { id: 'held-1', language: 'en', headline: 'Verdict', body: ['Text.'], pubStatus: 'withheld', live: true }

test('every answer with newsroom data, and every refusal, is no-store', async (t) => {
  const app = await startInProcessApp(new ArticleState(), `dev:${KEY}:*`)
  t.after(() => app.close())
  const call = (path: string, init: Parameters<typeof http>[1] = {}) => http(`${app.url}${path}`, { key: KEY, ...init })
  const answers: [string, Awaited<ReturnType<typeof http>>, number][] = [
    ['POST /v1/articles', await call('/v1/articles', { method: 'POST', json: HELD }), 201],
    ['PUT an entry', await call('/v1/articles/held-1/entries/e1', { method: 'PUT', json: { body: ['First.'] } }), 201],
    ['GET /v1/articles/held-1', await call('/v1/articles/held-1'), 200],
    ['GET its entries', await call('/v1/articles/held-1/entries'), 200],
    ['GET an unknown article', await call('/v1/articles/nobody'), 404],
    ['no key', await call('/v1/articles/held-1', { key: null }), 401],
    ['a bad body', await call('/v1/articles', { method: 'POST', json: { id: 'x' } }), 422],
    ['an unknown route', await call('/v1/nothing'), 404],
  ]
  for (const [what, r, status] of answers) {
    assert.equal(r.status, status, `${what}: ${r.text}`)
    assert.equal(r.headers.get('cache-control'), 'no-store', `${what}: cache-control`)
  }
  // the same for everyone: may be cached
  for (const path of ['/v1/schemas', '/openapi.json']) {
    const r = await call(path, { key: null })
    assert.equal(r.status, 200, `${path}: ${r.text}`)
    assert.notEqual(r.headers.get('cache-control'), 'no-store', path)
  }
})
