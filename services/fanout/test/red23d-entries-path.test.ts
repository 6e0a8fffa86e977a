// Property (red23d attack run): the entries route's path names the story its segment decodes to,
// whichever characters of the id are percent-encoded, and no story when it decodes to no id.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { storyOfPath } from '../src/http/entries.ts'

const idChar = fc.constantFrom(...'aZ09._:-'.split(''))
const id = fc.tuple(fc.constantFrom('a', 'Z', '0'), fc.array(idChar, { maxLength: 12 })).map(([h, t]) => h + t.join(''))
/** Each character raw, or percent-encoded in upper or lower case hex. */
const spelled = (s: string, how: number[]) =>
  [...s]
    .map((c, i) => {
      const hex = c.charCodeAt(0).toString(16).padStart(2, '0')
      const k = how[i % how.length] ?? 0
      return k === 0 ? c : k === 1 ? `%${hex.toUpperCase()}` : `%${hex}`
    })
    .join('')

test('property: every spelling of an id in the path names that story', () => {
  fc.assert(
    fc.property(id, fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 8 }), (s, how) => {
      assert.equal(storyOfPath(`/v1/stories/${spelled(s, how)}/entries`), s)
    }),
    { numRuns: 1000 },
  )
})

test('a path whose segment decodes to no id names no story', () => {
  for (const seg of ['a%2Fb', '%2E%2E', '.', 'a%00', '%E0%A6', 'a%253Ab', 'a%20', '%E0%A6%96', 'x'.repeat(201), '', 'a b'])
    assert.equal(storyOfPath(`/v1/stories/${seg}/entries`), null, seg)
  assert.equal(storyOfPath('/v1/stories/a/b/entries'), null)
  assert.equal(storyOfPath('/v1/stories/a:b/entries'), 'a:b')
})
