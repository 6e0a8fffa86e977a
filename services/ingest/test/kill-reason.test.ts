// The reason of a kill (withdraw, erase, entry DELETE) refused for what is wrong with it. A reason
// holding a lone surrogate was refused as `required`, "needs a reason of 1-1000 characters", a
// 9-character reason given (sixth mutation batch: js6, reasonOf without its shape check, answered
// better than the code: `not_encodable`); one past the bound was `required` too.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { REASON_MAX } from '../src/routing.ts'
import { assertRefused } from './support/answers.ts'
import { storyToRefuse } from './support/story-to-refuse.ts'

test('a kill reason with a lone surrogate is refused as invalid_unicode, one too long as too_big, on every kill route; nothing changes', async (t) => {
  const { send, snapshot } = await storyToRefuse(
    t,
    'k-1',
    '{"id":"k-1","language":"en","headline":"Verdict","body":["Text."],"live":true}',
    '{"body":["First."]}',
  )
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
