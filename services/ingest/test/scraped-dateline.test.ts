import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ScrapedParseError, parseDateline } from '../src/scraped/index.ts'

// Month spellings from the research notes (ICU bn-BD, site variants, short forms) and English.
const monthVariants: readonly (readonly string[])[] = [
  ['জানুয়ারি', 'জানুয়ারী', 'জানু', 'January', 'Jan', 'Jan.'],
  ['ফেব্রুয়ারি', 'ফেব্রুয়ারী', 'ফেব্রু', 'ফেব', 'February', 'Feb'],
  ['মার্চ', 'March', 'Mar'],
  ['এপ্রিল', 'April', 'Apr'],
  ['মে', 'May'],
  ['জুন', 'June', 'Jun'],
  ['জুলাই', 'July', 'Jul'],
  ['আগস্ট', 'আগষ্ট', 'অগাস্ট', 'অগস্ট', 'August', 'Aug'],
  ['সেপ্টেম্বর', 'সেপ্টেম্বার', 'সেপ্ট', 'সেপ্টে', 'September', 'Sept', 'Sep'],
  ['অক্টোবর', 'অক্টোবার', 'অক্টো', 'October', 'Oct'],
  ['নভেম্বর', 'নভেম্বার', 'নভে', 'November', 'Nov'],
  ['ডিসেম্বর', 'ডিসেম্বার', 'ডিসে', 'December', 'Dec'],
]

function both(instant: string | null): { publishedAt: string | null; updatedAt: string | null } {
  return { publishedAt: instant, updatedAt: instant }
}

describe('parseDateline', () => {
  it('reads the sample dateline', () => {
    assert.deepEqual(parseDateline('১৭ আগস্ট ২০২৪, ১১:৪৬ এএম | আপডেট: ১৭ আগস্ট ২০২৪, ১১:৪৬ এএম'), both('2024-08-17T05:46:00.000Z'))
  })

  it('accepts every month spelling, Bengali and English', () => {
    monthVariants.forEach((names, i) => {
      const mm = String(i + 1).padStart(2, '0')
      for (const name of names) {
        assert.deepEqual(parseDateline(`১৫ ${name} ২০২৪, ১০:০০ এএম`), both(`2024-${mm}-15T04:00:00.000Z`), name)
        assert.deepEqual(parseDateline(`${name} 15, 2024 10:00 AM`), both(`2024-${mm}-15T04:00:00.000Z`), name)
      }
    })
  })

  it('matches months on NFC forms of both sides (precomposed or decomposed য়)', () => {
    for (const jan of ['জানু\u09dfারি', 'জানু\u09af\u09bcারি', 'জানু\u09dfারী']) {
      assert.deepEqual(parseDateline(`১৫ ${jan} ২০২৫, ১০:০০ এএম`), both('2025-01-15T04:00:00.000Z'))
    }
    assert.deepEqual(parseDateline('১৫ ফেব্রু\u09dfারি ২০২৫, ১০:০০ এএম'), both('2025-02-15T04:00:00.000Z'))
  })

  it('matches মে only as a whole token, never inside মেয়র', () => {
    assert.deepEqual(parseDateline('১৭ মে ২০২৪, ১০:০০ এএম'), both('2024-05-17T04:00:00.000Z'))
    assert.deepEqual(parseDateline('১৭ মেয়র ২০২৪, ১০:০০ এএম'), both(null))
    assert.deepEqual(parseDateline('১৭ মে\u09dfর ২০২৪, ১০:০০ এএম'), both(null))
    assert.deepEqual(parseDateline('Mayor 17, 2024 10:00 AM'), both(null))
  })

  it('reads Bengali, ASCII and mixed digits alike', () => {
    const expected = both('2024-08-17T05:46:00.000Z')
    assert.deepEqual(parseDateline('১৭ আগস্ট ২০২৪, ১১:৪৬ এএম'), expected)
    assert.deepEqual(parseDateline('17 আগস্ট 2024, 11:46 এএম'), expected)
    assert.deepEqual(parseDateline('১৭ আগস্ট 2024, 11:৪৬ এএম'), expected)
  })

  it('reads time-first datelines', () => {
    assert.deepEqual(parseDateline('০৮:৫২ এএম, ০১ ফেব্রুয়ারি ২০২৬'), both('2026-02-01T02:52:00.000Z'))
    assert.deepEqual(parseDateline('11:46 AM, 17 August 2024'), both('2024-08-17T05:46:00.000Z'))
  })

  it('reads prefixes, weekdays and spaced colons', () => {
    const expected = both('2024-08-17T05:46:00.000Z')
    assert.deepEqual(parseDateline('প্রকাশ: ১৭ আগস্ট ২০২৪, ১১:৪৬ এএম'), expected)
    assert.deepEqual(parseDateline('প্রকাশিত : শনিবার, ১৭ আগস্ট ২০২৪, ১১:৪৬ এএম'), expected)
    assert.deepEqual(parseDateline('প্রকাশঃ ১৭ই আগস্ট ২০২৪ ইং, ১১:৪৬ এএম'), expected)
    assert.deepEqual(parseDateline('Published: Saturday, 17 August 2024, 11:46 AM'), expected)
    assert.deepEqual(parseDateline('Saturday, 17th August 2024 11:46 am'), expected)
  })

  it('reads an update part after | or after হালনাগাদ without a bar', () => {
    assert.deepEqual(parseDateline('১৭ আগস্ট ২০২৪, ১১:৪৬ এএম | আপডেট: ১৭ আগস্ট ২০২৪, ১২:১০ পিএম'), {
      publishedAt: '2024-08-17T05:46:00.000Z',
      updatedAt: '2024-08-17T06:10:00.000Z',
    })
    assert.deepEqual(parseDateline('প্রকাশিত: ১৭ আগস্ট ২০২৪, ১১:৪৬ এএম হালনাগাদ: ১৮ আগস্ট ২০২৪, ০৯:০০ এএম'), {
      publishedAt: '2024-08-17T05:46:00.000Z',
      updatedAt: '2024-08-18T03:00:00.000Z',
    })
    assert.deepEqual(parseDateline('17 August 2024, 11:46 AM | Updated: 17 August 2024, 12:10 PM'), {
      publishedAt: '2024-08-17T05:46:00.000Z',
      updatedAt: '2024-08-17T06:10:00.000Z',
    })
  })

  it('takes the published date for a time-only update, rolling over midnight', () => {
    assert.deepEqual(parseDateline('১৭ আগস্ট ২০২৪, ১১:৪৬ এএম | আপডেট: ১২:১০ পিএম'), {
      publishedAt: '2024-08-17T05:46:00.000Z',
      updatedAt: '2024-08-17T06:10:00.000Z',
    })
    assert.deepEqual(parseDateline('১৭ আগস্ট ২০২৪, ১১:৪৬ পিএম | আপডেট: ১২:১০ এএম'), {
      publishedAt: '2024-08-17T17:46:00.000Z',
      updatedAt: '2024-08-17T18:10:00.000Z',
    })
  })

  it('applies the 12-hour rules: 12 AM is 00:xx and 12 PM is 12:xx', () => {
    const at = (clock: string): string | null => parseDateline(`17 August 2024, ${clock}`).publishedAt
    assert.equal(at('12:00 AM'), '2024-08-16T18:00:00.000Z')
    assert.equal(at('12:30 AM'), '2024-08-16T18:30:00.000Z')
    assert.equal(at('12:00 PM'), '2024-08-17T06:00:00.000Z')
    assert.equal(at('12:59 PM'), '2024-08-17T06:59:00.000Z')
    assert.equal(at('1:00 PM'), '2024-08-17T07:00:00.000Z')
    assert.equal(at('11:59 PM'), '2024-08-17T17:59:00.000Z')
    assert.equal(at('11 PM'), '2024-08-17T17:00:00.000Z')
    assert.equal(at('11pm'), '2024-08-17T17:00:00.000Z')
    assert.equal(at('12:00 এএম'), '2024-08-16T18:00:00.000Z')
    assert.equal(at('১২:০০ পিএম'), '2024-08-17T06:00:00.000Z')
    assert.equal(at('১২:১৫ এ.এম.'), '2024-08-16T18:15:00.000Z')
    assert.equal(at('০৩:১৫ পি.এম.'), '2024-08-17T09:15:00.000Z')
    assert.equal(at('০৩:১৫ পি. এম.'), '2024-08-17T09:15:00.000Z')
    assert.equal(at('3:15 p.m.'), '2024-08-17T09:15:00.000Z')
    assert.equal(at('১০:০০ পূর্বাহ্ণ'), '2024-08-17T04:00:00.000Z')
    assert.equal(at('১০:০০ পূর্বাহ্ন'), '2024-08-17T04:00:00.000Z')
    assert.equal(at('১০:০০ অপরাহ্ণ'), '2024-08-17T16:00:00.000Z')
    assert.equal(at('১২:০০ অপরাহ্ণ'), '2024-08-17T06:00:00.000Z')
    assert.equal(at('17:30'), '2024-08-17T11:30:00.000Z') // 24-hour, no marker
    assert.equal(at('11:46:30 AM'), '2024-08-17T05:46:30.000Z')
  })

  it('returns null for impossible clock readings', () => {
    const at = (clock: string): string | null => parseDateline(`17 August 2024, ${clock}`).publishedAt
    assert.equal(at('13:00 AM'), null)
    assert.equal(at('24:00'), null)
    assert.equal(at('10:60 AM'), null)
  })

  it('reads day-period words (CLDR bn ranges)', () => {
    const cases: readonly (readonly [string, string])[] = [
      ['ভোর ৫টা', '05:00'],
      ['সকাল ১০টা', '10:00'],
      ['দুপুর ১২টা', '12:00'],
      ['দুপুর ১টা', '13:00'],
      ['বিকেল ৪টা', '16:00'],
      ['বিকাল ৪টা', '16:00'],
      ['সন্ধ্যা ৭টা', '19:00'],
      ['সন্ধ্যায় ৭টায়', '19:00'],
      ['রাত ৯টা', '21:00'],
      ['রাত ১২টা', '00:00'],
      ['রাত ২টা', '02:00'],
      ['রাতে ২টায়', '02:00'],
      ['রাত সাড়ে ১০টা', '22:30'],
      ['সকাল সোয়া ৯টা', '09:15'],
      ['দুপুর পৌনে ১টা', '12:45'],
      ['বিকেল ৪টা ২০ মিনিটে', '16:20'],
      ['সন্ধ্যা ৬:৩০', '18:30'],
    ]
    for (const [words, hhmm] of cases) {
      const [hh, mm] = hhmm.split(':').map(Number) as [number, number]
      const expected = new Date(Date.UTC(2024, 7, 17, hh - 6, mm)).toISOString()
      assert.equal(parseDateline(`১৭ আগস্ট ২০২৪, ${words}`).publishedAt, expected, words)
    }
  })

  it('resolves Asia/Dhaka through tzdata, including the 2009 DST', () => {
    const at = (line: string): string | null => parseDateline(line).publishedAt
    assert.equal(at('১ জুলাই ২০০৯, ১০:০০ এএম'), '2009-07-01T03:00:00.000Z') // +07
    assert.equal(at('১৯ জুন ২০০৯, ১০:৫৯ পিএম'), '2009-06-19T16:59:00.000Z') // last +06 minute
    assert.equal(at('২০ জুন ২০০৯, ১২:০০ এএম'), '2009-06-19T17:00:00.000Z') // first +07 minute
    // 23:30 on 19 June 2009 never happened in Dhaka; it is moved forward by the gap.
    assert.equal(at('১৯ জুন ২০০৯, ১১:৩০ পিএম'), '2009-06-19T17:30:00.000Z')
    // 23:30 on 31 December 2009 happened twice; the earlier instant is taken.
    assert.equal(at('৩১ ডিসেম্বর ২০০৯, ১১:৩০ পিএম'), '2009-12-31T16:30:00.000Z')
    assert.equal(at('১ জানুয়ারি ২০১০, ১০:০০ এএম'), '2010-01-01T04:00:00.000Z') // back to +06
  })

  it('uses the given time zone', () => {
    assert.equal(parseDateline('Aug 17, 2024 11:46 AM', 'UTC').publishedAt, '2024-08-17T11:46:00.000Z')
    assert.equal(parseDateline('Aug 17, 2024 11:46 AM', 'Europe/London').publishedAt, '2024-08-17T10:46:00.000Z')
    assert.equal(parseDateline('Jan 17, 2024 11:46 AM', 'Europe/London').publishedAt, '2024-01-17T11:46:00.000Z')
    assert.throws(
      () => parseDateline('Aug 17, 2024 11:46 AM', 'Nowhere/City'),
      (err: unknown) => err instanceof ScrapedParseError && err.code === 'NEWSWIRE_ERR_SCRAPED_TIME_ZONE',
    )
  })

  it('skips Bangla-calendar and Hijri segments', () => {
    const expected = both('2024-08-17T05:46:00.000Z')
    assert.deepEqual(parseDateline('শনিবার, ১৭ আগস্ট ২০২৪, ২ ভাদ্র ১৪৩১, ১১ সফর ১৪৪৬, ১১:৪৬ এএম'), expected)
    assert.deepEqual(parseDateline('২ ভাদ্র ১৪৩১ বঙ্গাব্দ, ১১ সফর ১৪৪৬ হিজরি, ১৭ আগস্ট ২০২৪, ১১:৪৬ এএম'), expected)
    assert.deepEqual(parseDateline('১৭ আগস্ট ২০২৪ (১২ রবিউল আউয়াল ১৪৪৬) ১১:৪৬ এএম'), expected)
  })

  it('reads numeric dates day-first', () => {
    assert.deepEqual(parseDateline('Published: 17/08/2024 11:46 AM'), both('2024-08-17T05:46:00.000Z'))
    assert.deepEqual(parseDateline('১৭-০৮-২০২৪ ১১:৪৬ এএম'), both('2024-08-17T05:46:00.000Z'))
    assert.deepEqual(parseDateline('2024-08-17 11:46'), both('2024-08-17T05:46:00.000Z'))
  })

  it('returns null rather than a wrong instant for impossible or incomplete dates', () => {
    assert.deepEqual(parseDateline('৩১ ফেব্রুয়ারি ২০২৪, ১০:০০ এএম'), both(null))
    assert.deepEqual(parseDateline('২৯ ফেব্রুয়ারি ২০২৩, ১০:০০ এএম'), both(null))
    assert.deepEqual(parseDateline('২৯ ফেব্রুয়ারি ২০২৪, ১০:০০ এএম'), both('2024-02-29T04:00:00.000Z'))
    assert.deepEqual(parseDateline('৩১ এপ্রিল ২০২৪'), both(null))
    assert.deepEqual(parseDateline('১৭ আগস্ট, ১১:৪৬ এএম'), both(null)) // no year
    assert.deepEqual(parseDateline('১১:৪৬ এএম'), both(null)) // no date
    assert.deepEqual(parseDateline(''), both(null))
    assert.deepEqual(parseDateline('১৭ আগস্ট ২০২৪, ১১:৪৬ এএম | আপডেট: ৩১ ফেব্রুয়ারি ২০২৪'), {
      publishedAt: '2024-08-17T05:46:00.000Z',
      updatedAt: null,
    })
  })
})
