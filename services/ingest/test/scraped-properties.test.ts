import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { ScrapedParseError, asciiToBengaliDigits, bengaliToAsciiDigits, parseDateline, parseScraped } from '../src/scraped/index.ts'
import type { ScrapedArticle } from '../src/scraped/index.ts'

const monthNames: readonly (readonly string[])[] = [
  ['জানুয়ারি', 'জানুয়ারী', 'January'],
  ['ফেব্রুয়ারি', 'ফেব্রুয়ারী', 'Feb'],
  ['মার্চ', 'March'],
  ['এপ্রিল', 'Apr'],
  ['মে', 'May'],
  ['জুন', 'Jun'],
  ['জুলাই', 'July'],
  ['আগস্ট', 'আগষ্ট', 'Aug'],
  ['সেপ্টেম্বর', 'Sept'],
  ['অক্টোবর', 'Oct'],
  ['নভেম্বর', 'Nov'],
  ['ডিসেম্বর', 'ডিসে', 'December'],
]
const meridiems = { am: ['এএম', 'AM', 'am', 'এ.এম.', 'পূর্বাহ্ণ'], pm: ['পিএম', 'PM', 'pm', 'পি.এম.', 'অপরাহ্ণ'] }

const digitString = fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 30 }).map((d) => d.join(''))
// Render a number in Bengali or ASCII digits, zero-padded or not.
const rendered = (n: number, bengali: boolean, pad: boolean): string => {
  const s = pad ? String(n).padStart(2, '0') : String(n)
  return bengali ? asciiToBengaliDigits(s) : s
}

describe('properties', () => {
  it('digits round-trip between ASCII and Bengali', () => {
    fc.assert(
      fc.property(digitString, (ascii) => {
        const bengali = asciiToBengaliDigits(ascii)
        assert.match(bengali, /^[০-৯]*$/)
        assert.equal(bengaliToAsciiDigits(bengali), ascii)
      }),
    )
  })

  it('bengaliToAsciiDigits changes nothing but Bengali digits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const converted = bengaliToAsciiDigits(s)
        assert.equal(converted.length, s.length)
        if (!/[০-৯]/.test(s)) assert.equal(converted, s)
        assert.ok(!/[০-৯]/.test(converted))
      }),
    )
  })

  it('any well-formed 12-hour dateline resolves to its +06:00 instant (years without DST)', () => {
    fc.assert(
      fc.property(
        fc.record({
          year: fc.integer({ min: 2010, max: 2035 }),
          month: fc.integer({ min: 1, max: 12 }),
          day: fc.integer({ min: 1, max: 28 }),
          hour12: fc.integer({ min: 1, max: 12 }),
          minute: fc.integer({ min: 0, max: 59 }),
          pm: fc.boolean(),
          bengali: fc.boolean(),
          pad: fc.boolean(),
          timeFirst: fc.boolean(),
          nameIndex: fc.nat(),
          meridiemIndex: fc.nat(),
        }),
        (r) => {
          const names = monthNames[r.month - 1] as readonly string[]
          const name = names[r.nameIndex % names.length] as string
          const marks = r.pm ? meridiems.pm : meridiems.am
          const mark = marks[r.meridiemIndex % marks.length] as string
          const date = `${rendered(r.day, r.bengali, r.pad)} ${name} ${rendered(r.year, r.bengali, false)}`
          const time = `${rendered(r.hour12, r.bengali, r.pad)}:${rendered(r.minute, r.bengali, true)} ${mark}`
          const line = r.timeFirst ? `${time}, ${date}` : `${date}, ${time}`
          const hour24 = (r.hour12 % 12) + (r.pm ? 12 : 0)
          const expected = new Date(Date.UTC(r.year, r.month - 1, r.day, hour24 - 6, r.minute)).toISOString()
          assert.deepEqual(parseDateline(line), { publishedAt: expected, updatedAt: expected }, line)
        },
      ),
    )
  })

  it('parseScraped either parses into NFC output with a body or throws a ScrapedParseError', () => {
    const piece = fc.constantFrom(
      'শিরোনাম',
      'খবর।',
      '১৭ আগস্ট ২০২৪, ১১:৪৬ এএম',
      ' | আপডেট: ',
      'বিভাগ : আন্তর্জাতিক',
      'মন্তব্য করুন',
      'আরও পড়ুন',
      'Read more',
      'Category: Sports',
      'রাশি\u09dfা',
      'র\u200d্যাব',
      '\n',
      '\r\n',
      ' ',
      '\u200b',
      'https://example.com/x',
      'মেয়র',
      'মে',
      '৩১ ফেব্রুয়ারি',
      'রাত ১২টা',
      'Comment',
      'সর্বশেষ',
    )
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        let article: ScrapedArticle
        try {
          article = parseScraped(pieces.join(''))
        } catch (err) {
          assert.ok(err instanceof ScrapedParseError, String(err))
          return
        }
        assert.ok(article.body.length > 0)
        assert.ok(article.headline !== '')
        const strings = [article.headline, ...article.body, ...article.related.map((r) => r.headline)]
        for (const s of strings) {
          assert.equal(s, s.normalize('NFC'))
          assert.equal(s, s.trim())
          assert.ok(!s.includes('\n'))
        }
      }),
    )
  })
})
