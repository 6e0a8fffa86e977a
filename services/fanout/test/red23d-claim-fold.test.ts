// Property (red23d attack run): a limit claim's name in any spelling a person would read as it
// either is the claim the server reads, or makes the token invalid; never a token without the
// limit. Model: a name is what it reads as (case, width, look-alike letters, accents and unseen
// characters aside).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { ScopeClaimError, scopeFromClaims } from '../src/audience.ts'
import { foldClaimName } from '../src/claim-fold.ts'

const limits = [
  { name: 'desks', value: ['sports'] },
  { name: 'desk', value: ['sports'] },
  { name: 'languages', value: ['en'] },
  { name: 'lang', value: ['en'] },
  { name: 'categories', value: ['sports'] },
  { name: 'embargo', value: false },
] as const
const CYRILLIC: Record<string, string> = { a: '\u0430', e: '\u0435', o: '\u043e', c: '\u0441', s: '\u0455', i: '\u0456', p: '\u0440' }
type Way = 'as is' | 'upper' | 'full-width' | 'look-alike' | 'zwsp' | 'space' | 'nbsp' | 'vs16' | 'accent' | 'zwj'
const ways: Way[] = ['as is', 'upper', 'full-width', 'look-alike', 'zwsp', 'space', 'nbsp', 'vs16', 'accent', 'zwj']
const respell = (ch: string, w: Way): string => {
  switch (w) {
    case 'as is':
      return ch
    case 'upper':
      return ch.toUpperCase()
    case 'full-width':
      return String.fromCharCode(ch.charCodeAt(0) + 0xfee0)
    case 'look-alike':
      return CYRILLIC[ch] ?? ch
    case 'zwsp':
      return `${ch}\u200b`
    case 'space':
      return `${ch} `
    case 'nbsp':
      return `${ch}\u00a0`
    case 'vs16':
      return `${ch}\ufe0f`
    case 'accent':
      return `${ch}\u0301`
    case 'zwj':
      return `${ch}\u200d`
  }
}

test('property: a limit claim spelled any way a person reads as it limits the token or makes it invalid', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...limits),
      fc.array(fc.constantFrom(...ways), { minLength: 1, maxLength: 12 }),
      fc.constantFrom('', 'https://newswire.example/', 'newswire_'),
      (limit, how, prefix) => {
        const name = prefix + [...limit.name].map((ch, i) => respell(ch, how[i % how.length] as Way)).join('')
        assert.equal(
          foldClaimName(name)
            .replace(/^.*[/:.#]/, '')
            .replace(/[^a-z]/g, '')
            .replace(/^newswire/, ''),
          limit.name,
        )
        let scope: ReturnType<typeof scopeFromClaims>
        try {
          scope = scopeFromClaims({ [name]: limit.value })
        } catch (err) {
          assert.ok(err instanceof ScopeClaimError, String(err))
          assert.match(err.claim, /^[\x21-\x7e]{1,40}$/, 'a name fit for a close frame')
          return
        }
        // read: only under the exact name the server reads, and then as the limit it is
        assert.equal(name, limit.name, `${JSON.stringify(name)} was read as no limit`)
        assert.notDeepEqual(scope, { categories: null, languages: null, embargo: true })
      },
    ),
    { numRuns: 3000, examples: [[limits[0], ['as is', 'as is', 'as is', 'as is', 'space'], '']] },
  )
})
