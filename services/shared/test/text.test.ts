import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { cleanText } from '../src/text.ts'

// The definition cleanText must keep, written the slow way
const WHITESPACE = /[\s\u0085\u00a0\u2028\u2029\ufeff]+/gu
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u202a-\u202e\u2066-\u2069]/g
const reference = (s: string) => s.replace(CONTROLS, '').normalize('NFC').replace(WHITESPACE, ' ').trim()

// Spaces of every kind, controls, Bengali with its joiners and marks, and plain letters
const pieces = fc.constantFrom(
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u3000',
  '\ufeff',
  '\u0000',
  '\u202e',
  '\u200c',
  '\u200d',
  'রাশিয়া',
  '\u09af\u09bc',
  '\u09df',
  'e\u0301',
  // A letter and a mark NFC composes (ে + া = ো, e + ◌́ = é) that may come apart, a control between
  '\u09c7',
  '\u09be',
  '\u0301',
  'e',
  'a',
  'Z',
)

test('cleanText: controls out, NFC, every whitespace run one space, trimmed (fast path equals the definition)', () => {
  fc.assert(
    fc.property(fc.array(pieces, { maxLength: 40 }), (parts) => {
      const s = parts.join('')
      assert.equal(cleanText(s), reference(s))
    }),
    { numRuns: 2000 },
  )
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => assert.equal(cleanText(s), reference(s))),
    { numRuns: 1000 },
  )
  assert.equal(cleanText(' রাশিয়ার  সঙ্গে\nউত্তর\u00a0কোরিয়ার '), 'রাশিয়ার সঙ্গে উত্তর কোরিয়ার')
  assert.equal(cleanText('a\u0085b'), 'a b')
  // Controls go before NFC: a control between a letter and its mark must not keep them apart
  // (stop 42 mutation sweep, ht2: NFC then the controls out left ে + া, not ো)
  assert.equal(cleanText('কে\u0000া'), 'কো')
  assert.equal(cleanText('e\u202e\u0301'), '\u00e9')
  assert.equal(cleanText('one two'), 'one two')
})
