// red13b: readingErrors finds exactly the members named again in the same object, against a
// reference that builds the JSON text from a tree whose duplicates it knows: names with quotes,
// backslashes and Bengali, spelled plain or \u-escaped; strings full of braces, commas and quotes;
// arrays of objects; random whitespace. And exactly the numbers JSON.parse reads as a whole number
// the literal does not write, or as one past 2^53 - 1 (inexact-numbers.test.ts): whole numbers and
// fractions near 2^52, 2^53 and beyond, spelled with fractions, trailing zeros and exponents, whose
// value the reference knows by construction and compares with what Number() makes of them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { MAX_READING_ERRORS, readingErrors } from '../src/json-duplicates.ts'
import { pathOf } from '../src/json-shape.ts'

/** A number literal and whether JSON.parse misreads it (read as a whole number not written, or past 2^53 - 1). */
type Num = { literal: string; misread: boolean }
type Tree = { obj: [string, Tree][] } | { arr: Tree[] } | { leaf: string | number | boolean | null } | { num: Num }

/** `whole` (+ `.fraction`, digits) spelled as `form` says; the value written is the same. */
function spell(whole: bigint, fraction: string, form: number): string {
  const sign = whole < 0n ? '-' : ''
  const int = (whole < 0n ? -whole : whole).toString()
  if (form === 0 || int === '0') return `${sign}${int}${fraction === '' ? '' : `.${fraction}`}`
  if (form === 1) return `${sign}${int}.${fraction}000`
  // d.ddd × 10^k (form 2: e+k, form 3: E+k), or (form 4) the digits moved past the point: ddd0 × 10^-m
  const digits = `${int}${fraction}`
  if (form === 4) return `${sign}${digits}0e-${fraction.length + 1}`
  // (form 5) a whole number's trailing zeros as its exponent: 999999999999999e1
  const zeros = int.length - int.replace(/0+$/, '').length
  if (form === 5 && fraction === '') return `${sign}${int.slice(0, int.length - zeros)}e${zeros}`
  const e = form === 2 ? 'e' : 'E+'
  return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}${e}${int.length - 1}`
}

/**
 * The reference: what Number() reads, against the value the literal was built to write; a whole
 * number past 2^53 - 1 is in doubt even when it happens to be the one written.
 */
function misread(whole: bigint, fraction: string, literal: string): boolean {
  const read = Number(literal)
  if (!Number.isInteger(read)) return false
  return /[1-9]/.test(fraction) || BigInt(read) !== whole || !Number.isSafeInteger(read)
}

const near = (n: bigint) => fc.bigInt({ min: n - 40n, max: n + 40n })
const whole = fc.oneof(
  fc.bigInt({ min: -1000n, max: 1000n }),
  near(2n ** 52n),
  near(2n ** 53n),
  near(-(2n ** 53n)),
  fc.bigInt({ min: 0n, max: 2n ** 70n }),
  // up to 15 digits and some zeros: 2^53 is passed with a short mantissa
  fc.tuple(fc.bigInt({ min: 1n, max: 999_999_999_999_999n }), fc.integer({ min: 1, max: 8 })).map(([n, z]) => n * 10n ** BigInt(z)),
)
// none, any, or just off a whole number (.99…9, .00…01), which rounds to it from 17 digits on
const fraction = fc.oneof(
  fc.constant(''),
  fc.stringMatching(/^[0-9]{1,24}$/),
  fc.integer({ min: 12, max: 20 }).map((n) => '9'.repeat(n)),
  fc.integer({ min: 12, max: 20 }).map((n) => `${'0'.repeat(n)}1`),
)
const num: fc.Arbitrary<Num> = fc.oneof(
  fc.tuple(whole, fraction, fc.integer({ min: 0, max: 5 })).map(([w, f, form]) => {
    const literal = spell(w, f, form)
    return { literal, misread: misread(w, f, literal) }
  }),
  fc.constantFrom<Num>(
    { literal: '1e-400', misread: true },
    { literal: '-0.0', misread: false },
    { literal: '0e5', misread: false },
    { literal: '1e400', misread: false },
    { literal: '9007199254740992', misread: true },
    { literal: '9007199254740991.0', misread: false },
    { literal: '0.00000000000000000e-5', misread: false },
    { literal: '5.9999999999999999', misread: true },
    { literal: '-999.99999999999999', misread: true },
    { literal: '-0.0000000000000000000E-20', misread: false },
    { literal: '0.1', misread: false },
    // 15 digits whose exponent makes a whole number past 2^53 - 1 (read exactly, in doubt all the same),
    // and an underflow spelled with a capital E and no point (sixth mutation batch, jn2 and jn7)
    { literal: '900719925474100e1', misread: true },
    { literal: '1E-400', misread: true },
  ),
)

const name = fc.constantFrom('pubStatus', 'a', 'a"b', 'a\\', 'বিভাগ', '', '__proto__', 'x,y}')
const leaf = fc.oneof(fc.constantFrom('{"a":1}', '\\"', '"', ',', '}', ']', 'প্রকাশ'), fc.integer(), fc.boolean(), fc.constant(null))
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf.map((v) => ({ leaf: v })),
    num.map((n) => ({ num: n })),
    fc.array(fc.tuple(name, tie('tree')), { maxLength: 4 }).map((obj) => ({ obj })),
    fc.array(tie('tree'), { maxLength: 3 }).map((arr) => ({ arr })),
  ),
}))

const escaped = (s: string) => `"${[...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`

function write(t: Tree, spell: () => boolean, space: () => string): string {
  if ('leaf' in t) return JSON.stringify(t.leaf)
  if ('num' in t) return t.num.literal
  if ('arr' in t) return `[${t.arr.map((x) => space() + write(x, spell, space)).join(',')}${space()}]`
  const members = t.obj.map(
    ([n, v]) => `${space()}${spell() ? escaped(n) : JSON.stringify(n)}${space()}:${space()}${write(v, spell, space)}`,
  )
  return `{${members.join(',')}${space()}}`
}

function expected(t: Tree, path: (string | number)[] = [], out: string[] = []): string[] {
  if ('num' in t && t.num.misread) out.push(`${path.length === 0 ? '(body)' : pathOf(path)} inexact_number`)
  if ('arr' in t) for (const [i, x] of t.arr.entries()) expected(x, [...path, i], out)
  if ('obj' in t) {
    const seen = new Set<string>()
    for (const [n, v] of t.obj) {
      if (seen.has(n)) out.push(`${pathOf([...path, n])} duplicate_member`)
      seen.add(n)
      expected(v, [...path, n], out)
    }
  }
  return out
}

test('property: readingErrors names every member given twice in one object, every number misread, and nothing else', () => {
  fc.assert(
    fc.property(
      tree,
      fc.array(fc.boolean(), { minLength: 1 }),
      fc.array(fc.constantFrom('', ' ', '\n', '\t '), { minLength: 1 }),
      (t, spells, spaces) => {
        let i = 0
        let j = 0
        const text = write(
          t,
          () => spells[i++ % spells.length] as boolean,
          () => spaces[j++ % spaces.length] as string,
        )
        JSON.parse(text)
        assert.deepEqual(
          readingErrors(text)
            .map((e) => `${e.field} ${e.code}`)
            .sort(),
          expected(t).sort(),
          text,
        )
      },
    ),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 2000) },
  )
})

test('readingErrors lists the first 100: a 1 MiB body of 174,761 repeated members was answered with 17 MB of errors', () => {
  const members = `{${Array.from({ length: 1000 }, () => '"a":1').join(',')}}`
  assert.deepEqual(
    readingErrors(members).map((e) => `${e.field} ${e.code}`),
    Array.from({ length: MAX_READING_ERRORS }, () => 'a duplicate_member'),
  )
  const numbers = `[${Array.from({ length: 1000 }, () => '1.00000000000000001').join(',')}]`
  assert.deepEqual(
    readingErrors(numbers).map((e) => e.field),
    Array.from({ length: MAX_READING_ERRORS }, (_, i) => `[${i}]`),
  )
  assert.equal(MAX_READING_ERRORS, 100)
})
