// The reason of a kill (withdraw, erase, entry DELETE) refused for what is wrong with it. A reason
// holding a lone surrogate was refused as `required`, "needs a reason of 1-1000 characters", a
// 9-character reason given (sixth mutation batch: js6, reasonOf without its shape check, answered
// better than the code: `not_encodable`); one past the bound was `required` too.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { REASON_MAX } from '../src/routing.ts'
import { ArticleState } from '../src/state.ts'
import { assertRefused } from './support/answers.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const KEY = 'dev-ingest-key-1'

test('a kill reason with a lone surrogate is refused as invalid_unicode, one too long as too_big, on every kill route; nothing changes', async (t) => {
  const state = new ArticleState()
  const app = await startInProcessApp(state, `dev:${KEY}:*`)
  t.after(() => app.close())
  const send = (path: string, body: string, method = 'POST') =>
    http(`${app.url}${path}`, { method, key: KEY, headers: { 'content-type': 'application/json' }, body })
  const created = await send('/v1/articles', '{"id":"k-1","language":"en","headline":"Verdict","body":["Text."],"live":true}')
  assert.equal(created.status, 201, created.text)
  const entry = await send('/v1/articles/k-1/entries/e1', '{"body":["First."]}', 'PUT')
  assert.equal(entry.status, 201, entry.text)
  const snapshot = async () => JSON.stringify([state.get('k-1'), (await http(`${app.url}/v1/articles/k-1/entries`, { key: KEY })).body])
  const before = await snapshot()

  const routes: [string, string][] = [
    ['/v1/articles/k-1/withdraw', 'POST'],
    ['/v1/articles/k-1/erase', 'POST'],
    ['/v1/articles/k-1/entries/e1', 'DELETE'],
  ]
  for (const [path, method] of routes) {
    assertRefused(await send(path, '{"reason":"legal \\ud800 x"}', method), 'reason', 'invalid_unicode', `${method} ${path}`)
    assertRefused(
      await send(path, JSON.stringify({ reason: 'r'.repeat(REASON_MAX + 1) }), method),
      'reason',
      'too_big',
      `${method} ${path}`,
    )
    assertRefused(await send(path, '{"reason":" "}', method), 'reason', 'required', `${method} ${path}`)
  }
  assert.equal(await snapshot(), before, 'nothing changed')
})
