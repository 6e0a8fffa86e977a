import { isHijriMonthTail, isOtherCalendarMonth, isWeekday, monthNumber } from './months.ts'
import { keyedMap, keyedSet, matchKey } from './text.ts'

export type DayPeriod = 'dawn' | 'morning' | 'midday' | 'afternoon' | 'evening' | 'night'
export type DatelineRole = 'published' | 'updated'

/** What one word of a dateline means. */
export type WordClass =
  | { kind: 'month'; month: number }
  | { kind: 'weekday' }
  | { kind: 'meridiem'; pm: boolean }
  | { kind: 'period'; period: DayPeriod }
  | { kind: 'modifier'; minutes: number }
  | { kind: 'minuteWord' }
  | { kind: 'label'; role: DatelineRole }
  | { kind: 'otherMonth' }
  | { kind: 'otherEra' }
  | { kind: 'filler' }
  | { kind: 'word' }

const meridiems = keyedMap<boolean>([
  ['এএম', false],
  ['পিএম', true],
  ['am', false],
  ['pm', true],
  ['পূর্বাহ্ণ', false],
  ['পূর্বাহ্ন', false],
  ['অপরাহ্ণ', true],
  ['অপরাহ্ন', true],
])

const periodBases: readonly (readonly [string, DayPeriod])[] = [
  ['ভোর', 'dawn'],
  ['সকাল', 'morning'],
  ['দুপুর', 'midday'],
  ['বিকাল', 'afternoon'],
  ['বিকেল', 'afternoon'],
  ['সন্ধ্যা', 'evening'],
  ['রাত', 'night'],
  ['রাত্রি', 'night'],
  ['রাত্র', 'night'],
]
// Locative and "-বেলা" forms: সকালে, সন্ধ্যায়, রাতে, দুপুরবেলায় …
const periodSuffixes = ['', 'ে', 'য়', 'বেলা', 'বেলায়']
const periods = keyedMap<DayPeriod>(periodBases.flatMap(([base, p]) => periodSuffixes.map((s) => [base + s, p] as const)))

// সাড়ে = half past, সোয়া = quarter past, পৌনে = quarter to.
const modifiers = keyedMap<number>([
  ['সাড়ে', 30],
  ['সোয়া', 15],
  ['পৌনে', -15],
])
const minuteWords = keyedSet(['মিনিট', 'মিনিটে', 'মিনিটের'])

const labels = keyedMap<DatelineRole>([
  ['প্রকাশ', 'published'],
  ['প্রকাশিত', 'published'],
  ['প্রকাশের', 'published'],
  ['প্রকাশকাল', 'published'],
  ['published', 'published'],
  ['posted', 'published'],
  ['publish', 'published'],
  ['আপডেট', 'updated'],
  ['আপডেটেড', 'updated'],
  ['হালনাগাদ', 'updated'],
  ['হালনাগাদকৃত', 'updated'],
  ['updated', 'updated'],
  ['update', 'updated'],
  ['modified', 'updated'],
  ['edited', 'updated'],
])

// Eras of the calendars we skip; a number right before them is a skipped year.
const otherEras = keyedSet(['বঙ্গাব্দ', 'বাংলা', 'হিজরি', 'হিজরী', 'হি', 'hijri', 'ah'])

// Dateline vocabulary that carries no value: Gregorian era marks, "at", "time", BST.
const fillers = keyedSet([
  'ইং',
  'ইংরেজি',
  'খ্রিস্টাব্দ',
  'খ্রিষ্টাব্দ',
  'খ্রি',
  'সাল',
  'সালের',
  'তারিখ',
  'সময়',
  'সর্বশেষ',
  'at',
  'on',
  'date',
  'time',
  'last',
  'bst',
  'ad',
])

/** Classifies one dateline word (already a token: no spaces, dots allowed). */
export function classifyWord(word: string): WordClass {
  // Visarga ঃ is often typed for a colon (প্রকাশঃ); dots belong to abbreviations (এ.এম.).
  const key = matchKey(word).replace(/[.\u0983]+/g, '')
  const month = monthNumber(key)
  if (month !== null) return { kind: 'month', month }
  const pm = meridiems.get(key)
  if (pm !== undefined) return { kind: 'meridiem', pm }
  const period = periods.get(key)
  if (period !== undefined) return { kind: 'period', period }
  const role = labels.get(key)
  if (role !== undefined) return { kind: 'label', role }
  const minutes = modifiers.get(key)
  if (minutes !== undefined) return { kind: 'modifier', minutes }
  if (minuteWords.has(key)) return { kind: 'minuteWord' }
  if (isWeekday(key)) return { kind: 'weekday' }
  if (isOtherCalendarMonth(key) || isHijriMonthTail(key)) return { kind: 'otherMonth' }
  if (otherEras.has(key)) return { kind: 'otherEra' }
  if (fillers.has(key)) return { kind: 'filler' }
  return { kind: 'word' }
}

/**
 * 24-hour clock from a 12-hour reading and a Bengali day period (CLDR bn ranges).
 * রাত ১২টা = 00:00 and রাত ২টা = 02:00: small night hours are after midnight.
 */
export function hourForPeriod(hour12: number, period: DayPeriod): number | null {
  if (hour12 < 0 || hour12 > 23) return null
  if (hour12 > 12) return hour12 // already a 24-hour reading
  switch (period) {
    case 'dawn':
    case 'morning':
      return hour12
    case 'midday':
      // দুপুর ১২টা = noon, দুপুর ১টা = 13:00; দুপুর ১১টা is still late morning.
      return hour12 >= 11 ? hour12 : hour12 + 12
    case 'afternoon':
    case 'evening':
      return hour12 === 12 ? 12 : hour12 + 12
    case 'night':
      if (hour12 === 12) return 0
      return hour12 < 6 ? hour12 : hour12 + 12
  }
}
