// red26a attack run, 2026-12-07: a story withdrawn by the desk (its kill keeps the content, as a
// withdrawal does) and erased later by a court order got no event from the erasure, only the
// tombstones in news.articles. A fan-out reads news.articles only at start: every instance that
// was running kept the withdrawn version with its text, the newsroom's snapshots showed it, and a
// newsroom dashboard resuming from before the erasure was replayed every version's text (the
// fan-out holds back an erased story's versions only once it reads the erasure's kill: red21b).
// The erasure now writes that kill again without the content, the next version; a story erased
// already answers `unchanged` as before.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { ArticleState } from '../src/state.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const KEY = 'dev-ingest-key-1'
const SECRET = 'Qz9secret'

test('erasing a story withdrawn with its content publishes its kill again without the content, once', async (t) => {
  const state = new ArticleState()
  const app = await startInProcessApp(state, `dev:${KEY}:*`)
  t.after(() => app.close())
  const call = (path: string, method = 'GET', json?: unknown) => http(`${app.url}${path}`, { method, key: KEY, json })
  const story = { id: 'w', language: 'en', headline: `Story ${SECRET}`, body: [`Body ${SECRET}`], live: true }
  assert.equal((await call('/v1/articles', 'POST', story)).status, 201)
  assert.equal((await call('/v1/articles/w/withdraw', 'POST', { reason: 'legal' })).status, 200)
  const withdrawn = app.publisher.published.at(-1)
  assert.ok(JSON.stringify(withdrawn).includes(SECRET), 'a withdrawal keeps the content')

  const erased = await call('/v1/articles/w/erase', 'POST', { reason: 'court order' })
  assert.equal(erased.status, 200, erased.text)
  assert.deepEqual({ ...(erased.body as object), eventId: 'x' }, { id: 'w', version: 3, eventId: 'x', type: 'WITHDRAWN' })
  const kill = app.publisher.published.at(-1)
  assert.deepEqual([kill?.type, kill?.article.version, kill?.article.pubStatus, kill?.article.headline], ['WITHDRAWN', 3, 'canceled', ''])
  assert.ok(!JSON.stringify(kill).includes(SECRET), `the erasure's kill holds the content: ${JSON.stringify(kill)}`)

  const again = await call('/v1/articles/w/erase', 'POST', { reason: 'court order' })
  assert.deepEqual([again.status, again.body], [200, { id: 'w', version: 3, unchanged: true }])
  assert.equal(app.publisher.published.at(-1), kill, 'no second kill')
  const shown = await call('/v1/articles/w')
  assert.ok(!shown.text.includes(SECRET), shown.text)
})
