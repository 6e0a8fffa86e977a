// The field rules articles and entries share (fields.ts), at their bounds: ids, revisions,
// correction notes, paragraphs, read-only members, the 422's detail, the instant parser's cache
// and the memo's bound. The seventh mutation batch's fields mutants that passed every unit file
// are killed here.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_REVISION } from '@newswire/shared'
import {
  correctionSchema,
  idSchema,
  instant,
  invalid,
  limits,
  memo,
  paragraphErrors,
  paragraphs,
  parseObject,
  readOnlyErrors,
  revisionSchema,
} from '../src/fields.ts'
import { z } from 'zod'

test('ids: 1 to 200 characters, no slash; revisions: whole numbers from 1 to MAX_REVISION', () => {
  assert.equal(idSchema.safeParse('a'.repeat(limits.id)).success, true)
  assert.equal(idSchema.safeParse('a'.repeat(limits.id + 1)).success, false)
  assert.equal(idSchema.safeParse('story/entries/x').success, false, "a slash would name another key's state")
  for (const ok of [1, MAX_REVISION]) assert.equal(revisionSchema.safeParse(ok).success, true, String(ok))
  for (const bad of [0, -1, MAX_REVISION + 1, 1.5]) assert.equal(revisionSchema.safeParse(bad).success, false, String(bad))
})

test('a correction is {note, at?} and nothing else; its note is cleaned text of 1-1000 characters', () => {
  assert.deepEqual(correctionSchema.parse({ note: ' fixed\u0007 ' }), { note: 'fixed', at: null })
  const extra = parseObject(z.object({ correction: correctionSchema }).strict(), { correction: { note: 'n', by: 'me' } }, 'the article')
  assert.equal(extra.ok, false)
  if (!extra.ok)
    assert.deepEqual(extra.errors, [{ field: 'correction.by', code: 'unknown_field', message: 'is not a field of the article' }])
  assert.equal(correctionSchema.safeParse({ note: ' \u0007 ' }).success, false, 'empty once cleaned')
  assert.equal(correctionSchema.safeParse({ note: 'x'.repeat(limits.note + 1) }).success, false)
})

test('paragraphs: a string splits on blank lines, empty ones go; each and their count at their limits', () => {
  assert.deepEqual(paragraphs('one\n \t\ntwo\n\n\n'), ['one', 'two'])
  assert.deepEqual(paragraphs(['', ' a ', '\u0007']), ['a'])
  assert.deepEqual(paragraphs(null), [])
  assert.deepEqual(paragraphErrors(['x'.repeat(limits.paragraph)]), [])
  assert.deepEqual(
    paragraphErrors(['ok', 'x'.repeat(limits.paragraph + 1)]).map((e) => [e.field, e.code]),
    [['body[1]', 'too_big']],
  )
  assert.deepEqual(paragraphErrors(Array(limits.paragraphs).fill('p')), [])
  assert.deepEqual(
    paragraphErrors(Array(limits.paragraphs + 1).fill('p'), 'entry.body').map((e) => [e.field, e.code]),
    [['entry.body', 'too_big']],
  )
})

test('corrections are read-only; a 422 names every failing field once', () => {
  assert.deepEqual(
    readOnlyErrors({ corrections: [] }).map((e) => [e.field, e.code]),
    [['corrections', 'read_only']],
  )
  assert.deepEqual(readOnlyErrors({ headline: 'h' }), [])
  const p = invalid([
    { field: 'headline', code: 'too_big', message: 'm' },
    { field: 'urgency', code: 'too_big', message: 'm' },
    { field: 'headline', code: 'required', message: 'm' },
  ]).problem
  assert.equal(p.status, 422)
  assert.equal(p.detail, '3 field(s) failed validation: headline, urgency')
})

test('one instant schema reads each value it is given, not the first again', () => {
  const at = instant('at')
  assert.equal(at.parse('2024-08-17T05:46:00Z'), Date.parse('2024-08-17T05:46:00Z'))
  assert.equal(at.parse('2024-08-18T05:46:00+06:00'), Date.parse('2024-08-17T23:46:00Z'))
  assert.equal(at.safeParse('2024-02-30T00:00:00Z').success, false)
  assert.equal(at.parse('2024-08-17T05:46:00Z'), Date.parse('2024-08-17T05:46:00Z'))
})

test('memo: answers again from its cache, and holds at most max answers', () => {
  const calls: string[] = []
  const m = memo((k) => {
    calls.push(k)
    return k.length
  }, 2)
  assert.deepEqual([m('a'), m('bb'), m('a')], [1, 2, 1])
  assert.deepEqual(calls, ['a', 'bb'])
  m('ccc') // past the bound: the cache starts over
  m('a')
  assert.deepEqual(calls, ['a', 'bb', 'ccc', 'a'])
})
