// Shape checks before anything walks a body (json-shape.ts). Nesting: a body nested thousands of levels deep overflowed the stack of a recursive walk and was
// answered 500 (docs/reliability.md, "Deep nesting"); json-shape.ts now refuses nesting past
// MAX_DEPTH with 422 `too_deep` before anything walks the value. No test sent such a body: in the
// sixth mutation batch the bound one level off (js1) and the bound dropped (js7) passed every
// ingest unit test, though with it dropped a deep merge patch overflows applyMergePatch again.
// Lone surrogates in member names: only values were tested (js2 passed every test).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_DEPTH, shapeErrors } from '../src/json-shape.ts'
import { validateArticle } from '../src/validate.ts'
import { assertRefused, batchLines } from './support/answers.ts'
import { storyToRefuse } from './support/story-to-refuse.ts'

const STORY = '"id":"deep-1","language":"en","headline":"Verdict","body":["Text."],"live":true,"pubStatus":"withheld"'

/** `levels` objects, each the one member `a` of the one around it, around a 0. */
const nested = (levels: number): string => `${'{"a":'.repeat(levels)}0${'}'.repeat(levels)}`

test('a value nested MAX_DEPTH levels deep is walked; one level more is refused as too_deep, naming where', () => {
  assert.equal(MAX_DEPTH, 64)
  // the body is the first level
  const at = (levels: number) => shapeErrors(JSON.parse(`{"related":${nested(levels - 1)}}`)).map((e) => `${e.field} ${e.code}`)
  assert.deepEqual(at(MAX_DEPTH), [])
  assert.deepEqual(at(MAX_DEPTH + 1), [`related${'.a'.repeat(MAX_DEPTH - 1)} too_deep`])
  const arrays = (levels: number) => shapeErrors(JSON.parse(`${'['.repeat(levels)}0${']'.repeat(levels)}`)).map((e) => e.code)
  assert.deepEqual(arrays(MAX_DEPTH), [])
  assert.deepEqual(arrays(MAX_DEPTH + 1), ['too_deep'])
})

test('a lone surrogate in a member name is refused as invalid_unicode, as in a value, at any depth', () => {
  const codes = (v: unknown) => shapeErrors(v).map((e) => `${e.field} ${e.code}`)
  assert.deepEqual(codes({ 'x\ud800': 1 }), ['x\ud800 invalid_unicode'])
  assert.deepEqual(codes({ related: [{ headline: 'a', '\udc00': null }] }), ['related[0].\udc00 invalid_unicode'])
  const article = validateArticle({ id: 'x-1', language: 'bn', headline: 'শিরোনাম', body: ['অনুচ্ছেদ'], 'pubStatus\ud800': 'usable' })
  assert.deepEqual(article.ok ? [] : article.errors.map((e) => [e.field, e.code]), [['pubStatus\ud800', 'invalid_unicode']])
})

test('a body nested 100,000 levels deep is refused with 422 too_deep on every route, and changes nothing', async (t) => {
  const { send, snapshot } = await storyToRefuse(t, 'deep-1', `{${STORY}}`, '{"body":["First."],"pubStatus":"withheld"}')
  const before = await snapshot()

  const deep = nested(100_000)
  const where = `related${'.a'.repeat(MAX_DEPTH - 1)}`
  assertRefused(await send('/v1/articles', `{${STORY},"related":${deep}}`), where, 'too_deep', 'POST')
  assertRefused(
    await send('/v1/articles/deep-1', `{"pubStatus":"usable","related":${deep}}`, 'PATCH', 'application/merge-patch+json'),
    where,
    'too_deep',
    'PATCH',
  )
  assertRefused(
    await send('/v1/articles/deep-1/entries/e1', `{"body":["First."],"pubStatus":"usable","related":${deep}}`, 'PUT'),
    where,
    'too_deep',
    'entry PUT',
  )
  const batch = await send(
    '/v1/articles/batch',
    `{${STORY},"related":${deep}}\n{"id":"other-1","language":"en","headline":"Other","body":["x"]}\n`,
    'POST',
    'application/x-ndjson',
  )
  assert.equal(batch.status, 200, batch.text)
  assert.deepEqual(batchLines(batch), [
    [422, [`${where} too_deep`]],
    [201, []],
  ])
  assert.equal(await snapshot(), before, 'nothing changed: the story and its entry are still held')
})
