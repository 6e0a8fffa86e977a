import { keyedMap, keyedSet, matchKey } from './text.ts'

// Gregorian month names: ICU bn-BD forms, spellings seen on Bangladeshi sites, English.
// Abbreviations are listed without a dot; the tokenizer drops dots before lookup.
const gregorianMonths: readonly (readonly string[])[] = [
  ['জানুয়ারি', 'জানুয়ারী', 'জানু', 'january', 'jan'],
  ['ফেব্রুয়ারি', 'ফেব্রুয়ারী', 'ফেব্রু', 'ফেব', 'february', 'feb'],
  ['মার্চ', 'march', 'mar'],
  ['এপ্রিল', 'april', 'apr'],
  ['মে', 'may'],
  ['জুন', 'june', 'jun'],
  ['জুলাই', 'july', 'jul'],
  ['আগস্ট', 'আগষ্ট', 'অগাস্ট', 'অগস্ট', 'august', 'aug'],
  ['সেপ্টেম্বর', 'সেপ্টেম্বার', 'সেপ্ট', 'সেপ্টে', 'september', 'sept', 'sep'],
  ['অক্টোবর', 'অক্টোবার', 'অক্টো', 'october', 'oct'],
  ['নভেম্বর', 'নভেম্বার', 'নভে', 'november', 'nov'],
  ['ডিসেম্বর', 'ডিসেম্বার', 'ডিসে', 'december', 'dec'],
]

const monthByKey = keyedMap(gregorianMonths.flatMap((names, i) => names.map((n) => [n, i + 1] as const)))

/** 1-12 for a whole-token Gregorian month name (Bengali or English), else null. */
export function monthNumber(token: string): number | null {
  return monthByKey.get(matchKey(token).replace(/\./g, '')) ?? null
}

const weekdays = keyedSet([
  'রবিবার',
  'রোববার',
  'সোমবার',
  'মঙ্গলবার',
  'বুধবার',
  'বৃহস্পতিবার',
  'বৃহষ্পতিবার',
  'শুক্রবার',
  'শনিবার',
  'রবি',
  'সোম',
  'মঙ্গল',
  'বুধ',
  'বৃহস্পতি',
  'শুক্র',
  'শনি',
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sun',
  'mon',
  'tue',
  'tues',
  'wed',
  'thu',
  'thur',
  'thurs',
  'fri',
  'sat',
])

export function isWeekday(token: string): boolean {
  return weekdays.has(matchKey(token))
}

// Bangla-calendar and Hijri months: a dateline may carry them next to the Gregorian
// date; they are recognised only so their day and year numbers can be skipped.
const otherCalendarMonths = keyedSet([
  'বৈশাখ',
  'জ্যৈষ্ঠ',
  'জৈষ্ঠ',
  'জৈষ্ঠ্য',
  'জ্যৈষ্ঠ্য',
  'আষাঢ়',
  'শ্রাবণ',
  'শ্রাবন',
  'ভাদ্র',
  'আশ্বিন',
  'কার্তিক',
  'কার্ত্তিক',
  'অগ্রহায়ণ',
  'অগ্রহায়ন',
  'পৌষ',
  'মাঘ',
  'ফাল্গুন',
  'চৈত্র',
  'মহররম',
  'মুহাররম',
  'মহরম',
  'সফর',
  'রবিউল',
  'রবিউস',
  'জমাদিউল',
  'জমাদিউস',
  'জুমাদাল',
  'জুমাদাস',
  'জমাদাল',
  'রজব',
  'শাবান',
  'রমজান',
  'রমযান',
  'শাওয়াল',
  'জিলকদ',
  'জিলক্বদ',
  'জিলকাদ',
  'জিলহজ',
  'জিলহজ্জ',
  'muharram',
  'safar',
  'rajab',
  'shaban',
  'ramadan',
  'ramzan',
  'shawwal',
])

// Second words of two-word Hijri months (রবিউল আউয়াল, জমাদিউস সানি …).
const hijriMonthTails = keyedSet(['আউয়াল', 'আখির', 'আখের', 'সানি', 'সানী', 'উলা', 'উখরা'])

export function isOtherCalendarMonth(token: string): boolean {
  return otherCalendarMonths.has(matchKey(token))
}

export function isHijriMonthTail(token: string): boolean {
  return hijriMonthTails.has(matchKey(token))
}

/** Days in a Gregorian month, leap years included. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}
