// Property (red23d attack run): the id an import gives a page is its identity's. Model: a file's
// name is its NFC form; a page's address is the page WHATWG URL reads (host case, default port,
// percent-encoding and fragment aside). Same identity, same id; another, another id; every id one
// ingest accepts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { importIdOf, scrapedIdOf } from '../src/import-id.ts'

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/
/** Pieces of names: Bengali (য় precomposed and not, a conjunct with its virama, ZWNJ), Latin with accents either way, ASCII. */
const piece = fc.constantFrom(
  '\u09a2\u09be\u0995\u09be',
  '\u09df',
  '\u09af\u09bc',
  '\u0995\u09cd\u09b7',
  '\u0995\u09cd\u200c\u09b7',
  'caf\u00e9',
  'cafe\u0301',
  '\u09e7',
  '1',
  '-',
  ' ',
  'News',
  'news',
  '.',
)
const name = fc.array(piece, { minLength: 1, maxLength: 6 }).map((p) => p.join(''))
const spell = (s: string, form: 'NFC' | 'NFD' | 'as is') => (form === 'as is' ? s : s.normalize(form))
const form = fc.constantFrom<'NFC' | 'NFD' | 'as is'>('NFC', 'NFD', 'as is')
const ascii = (s: string) => /^[\x20-\x7e]*$/.test(s.normalize('NFC'))

test('property: a file name in any normalization is one id; two names outside ASCII are two ids', () => {
  fc.assert(
    fc.property(name, name, form, form, (a, b, fa, fb) => {
      const ia = importIdOf(spell(a, fa))
      assert.match(ia, ID)
      assert.equal(ia, importIdOf(spell(a, fb)), `${JSON.stringify(a)} in ${fa} and ${fb}`)
      if (ascii(a) || ascii(b)) return
      assert.equal(
        ia === importIdOf(spell(b, fb)),
        a.normalize('NFC') === b.normalize('NFC'),
        `${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
      )
    }),
    {
      numRuns: 2000,
      examples: [
        ['\u0996\u09ac\u09b0-1', '\u0996\u09c7\u09b2\u09be-1', 'NFC', 'NFC'],
        ['\u09df', '\u09df', 'as is', 'NFC'],
      ],
    },
  )
})

test('an id-shaped or ASCII name keeps the id it always had', () => {
  assert.equal(importIdOf('bn-seed-russia-north-korea'), 'bn-seed-russia-north-korea')
  assert.equal(importIdOf('Dhaka flood (2)'), 'Dhaka-flood-2-')
  assert.match(importIdOf('\u09a2\u09be\u0995\u09be'), /^file-[0-9a-f]{16}$/)
  assert.match(importIdOf('dhaka-\u09a2\u09be\u0995\u09be'), /^dhaka-[0-9a-f]{16}$/)
})

const segment = fc.constantFrom('\u0996\u09ac\u09b0', 'news', '\u09df', '2024', 'a b')
const page = fc.record({ path: fc.array(segment, { minLength: 1, maxLength: 3 }), host: fc.constantFrom('bd.example', 'news.example') })
const encode = (p: string[], raw: boolean) => p.map((s) => (raw ? s.replace(/ /g, '%20') : encodeURIComponent(s))).join('/')

test('property: a page is one scraped id however its address is written; another page, another id', () => {
  fc.assert(
    fc.property(page, page, fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), (p, q, raw, upper, port, fragment) => {
      const canonical = `https://${p.host}/${encode(p.path, false)}`
      const other = `https://${upper ? p.host.toUpperCase() : p.host}${port ? ':443' : ''}/${encode(p.path, raw)}${fragment ? '#top' : ''}`
      const id = scrapedIdOf(canonical, 'h', null)
      assert.match(id, ID)
      assert.equal(scrapedIdOf(other, 'h', null), id, `${other} vs ${canonical}`)
      const same = p.host === q.host && p.path.join('/') === q.path.join('/')
      assert.equal(scrapedIdOf(`https://${q.host}/${encode(q.path, false)}`, 'h', null) === id, same)
    }),
    { numRuns: 1000 },
  )
})

test('a canonical address keeps the id it had before (ids already imported stay)', () => {
  // sha256("https://bd.example/news/1\nh\n") as the route derived it before red23d
  assert.equal(scrapedIdOf('https://bd.example/news/1', 'h', null), 'scraped-5cb4eb561972c1ca34f2')
})
