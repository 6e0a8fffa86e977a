import { hourForPeriod } from './dateline-words.ts'
import type { DatelineRole } from './dateline-words.ts'
import { tokenizeDateline } from './dateline-tokens.ts'
import type { Token } from './dateline-tokens.ts'
import { daysInMonth } from './months.ts'
import { DEFAULT_TIME_ZONE, localToInstant, resolveTimeZone } from './zone.ts'

export interface DatelineTimes {
  publishedAt: string | null
  updatedAt: string | null
}

export type DatelineShape = 'none' | 'weak' | 'strong'

interface Segment {
  role: DatelineRole | null
  tokens: Token[]
}

interface CalendarDate {
  year: number | undefined
  month: number
  day: number
}

interface ClockTime {
  hour: number
  minute: number
  second: number
}

// undefined = absent, 'invalid' = present but impossible (৩১ ফেব্রুয়ারি, 13:00 AM).
interface Reading {
  date: CalendarDate | 'invalid' | undefined
  time: ClockTime | 'invalid' | undefined
}

const DAY_MS = 86_400_000
const VALUE_KINDS = new Set<Token['kind']>(['num', 'time', 'date', 'month', 'period'])

/**
 * Published and updated instants of a dateline such as
 * `১৭ আগস্ট ২০২৪, ১১:৪৬ এএম | আপডেট: ১৭ আগস্ট ২০২৪, ১১:৪৬ এএম`, read as wall-clock
 * time in `timeZone`. A date without a time gives local midnight; a time without a
 * date, an impossible date or a missing year gives null. `updatedAt` equals
 * `publishedAt` when the line has no separate update part.
 */
export function parseDateline(line: string, timeZone: string = DEFAULT_TIME_ZONE): DatelineTimes {
  return readDatelineTimes(line, resolveTimeZone(timeZone))
}

/** parseDateline for a zone already checked by resolveTimeZone. */
export function readDatelineTimes(line: string, timeZone: string): DatelineTimes {
  const segments = splitSegments(dropOtherCalendars(tokenizeDateline(line)))

  let published: Segment | undefined
  let updated: Segment | undefined
  for (const seg of segments) {
    if (seg.role === 'published') published ??= seg
    else if (seg.role === 'updated') updated ??= seg
    else if (!hasValue(seg)) continue
    else if (published === undefined) published = seg
    else updated ??= seg
  }

  const pub = readSegment(published?.tokens ?? [])
  const upd = updated !== undefined && hasValue(updated) ? readSegment(updated.tokens) : undefined
  let borrowedDate = false
  if (upd !== undefined) {
    if (isDate(pub.date) && isDate(upd.date)) {
      pub.date.year ??= upd.date.year
      upd.date.year ??= pub.date.year
    }
    // "আপডেট: ১২:১০ পিএম" (time only) happens on the published day.
    if (upd.date === undefined && upd.time !== undefined && isDate(pub.date)) {
      upd.date = { ...pub.date }
      borrowedDate = true
    }
    if (pub.date === undefined && pub.time !== undefined && isDate(upd.date)) pub.date = { ...upd.date }
  }

  const publishedMs = toInstant(pub, timeZone)
  let updatedMs = upd === undefined ? publishedMs : toInstant(upd, timeZone)
  // A borrowed date that puts the update before publication means it crossed midnight.
  if (borrowedDate && updatedMs !== null && publishedMs !== null && updatedMs < publishedMs && upd) {
    updatedMs = toInstant({ ...upd, date: nextDay(upd.date) }, timeZone)
  }
  return { publishedAt: iso(publishedMs), updatedAt: iso(updatedMs) }
}

/**
 * How much `line` looks like a dateline: 'none' for text; 'weak' for short date-ish text
 * (a time or a day without year); 'strong' for a full date, date + time or a প্রকাশ/Updated label.
 */
export function datelineShapeOf(line: string): DatelineShape {
  return datelineShape(tokenizeDateline(line))
}

// Date vocabulary; a bare number only counts once it reads as a day or a year.
const DATE_WORD_KINDS = new Set<Token['kind']>([
  'date',
  'time',
  'month',
  'weekday',
  'meridiem',
  'period',
  'modifier',
  'minuteWord',
  'label',
  'filler',
])

function datelineShape(all: readonly Token[]): DatelineShape {
  const tokens = dropOtherCalendars(all)
  const has = (kind: Token['kind']): boolean => tokens.some((t) => t.kind === kind)
  const hourMarks = tokens.filter((t) => t.kind === 'num' && t.hourMark).length
  const date = readDate(tokens)
  const day = date !== undefined && date.dayIndex !== -1
  const year = date !== undefined && date.yearIndex !== -1
  const labelled = has('label') && has('num')
  // "May 2024 inflation" names a month but no day: not a date.
  const signal = has('date') || has('time') || hourMarks > 0 || day || labelled
  const words = all.filter((t) => t.kind === 'word').length
  const dropped = all.length - tokens.length // Bangla/Hijri calendar parts are date vocabulary too
  const vocabulary = tokens.filter((t) => DATE_WORD_KINDS.has(t.kind)).length + hourMarks + (day ? 1 : 0) + (year ? 1 : 0) + dropped
  // Bylines and place names (নিজস্ব প্রতিবেদক, Dhaka) are tolerated; sentences are not.
  if (!signal || words > 4 || words > vocabulary) return 'none'
  // "সকাল ১০টায় ভোটগ্রহণ শুরু" or "২১ ফেব্রুয়ারি: শহীদ দিবস" could be a headline; a dated,
  // timed or labelled line cannot.
  const full = has('date') || labelled || (day && (year || has('time')))
  return full ? 'strong' : 'weak'
}

// Bangla-calendar and Hijri parts (২ ভাদ্র ১৪৩১, ১১ সফর ১৪৪৬ হিজরি) share the line with the
// Gregorian date; drop the month word with its day before and its year after.
function dropOtherCalendars(tokens: readonly Token[]): Token[] {
  const drop = new Set<number>()
  const isNum = (i: number, digits: (d: number) => boolean): boolean => {
    const t = tokens[i]
    return t !== undefined && t.kind === 'num' && digits(t.digits)
  }
  tokens.forEach((t, i) => {
    if (t.kind === 'otherEra') {
      drop.add(i)
      if (isNum(i - 1, () => true)) drop.add(i - 1)
    }
    if (t.kind !== 'otherMonth') return
    drop.add(i)
    if (isNum(i - 1, (d) => d <= 2)) drop.add(i - 1)
    let k = i + 1
    while (tokens[k]?.kind === 'otherMonth') drop.add(k++) // রবিউল আউয়াল
    if (tokens[k]?.kind === 'punct') k++
    if (isNum(k, (d) => d === 4)) drop.add(k)
  })
  return tokens.filter((_, i) => !drop.has(i))
}

// `|` and the labels প্রকাশ/আপডেট/Updated start a new part of the line.
function splitSegments(tokens: readonly Token[]): Segment[] {
  const segments: Segment[] = [{ role: null, tokens: [] }]
  for (const t of tokens) {
    const current = segments[segments.length - 1] as Segment
    if (t.kind === 'bar') segments.push({ role: null, tokens: [] })
    else if (t.kind !== 'label') current.tokens.push(t)
    else if (hasValue(current)) segments.push({ role: t.role, tokens: [] })
    else current.role = t.role
  }
  return segments
}

function hasValue(seg: Segment): boolean {
  return seg.tokens.some((t) => VALUE_KINDS.has(t.kind))
}

function readSegment(tokens: readonly Token[]): Reading {
  const date = readDate(tokens)
  return { date: date?.value, time: readTime(tokens, date?.dayIndex ?? -1) }
}

interface DateReading {
  value: CalendarDate | 'invalid'
  /** token indexes of the day and year numbers, -1 when absent or not separate tokens */
  dayIndex: number
  yearIndex: number
}

function readDate(tokens: readonly Token[]): DateReading | undefined {
  const numeric = tokens.find((t) => t.kind === 'date')
  if (numeric !== undefined) {
    const { year, month, day } = numeric
    // 08/17/2024 can only be month-first; otherwise the Bangladeshi day-first order holds.
    const swap = month > 12 && day <= 12
    return { value: checkDate({ year, month: swap ? day : month, day: swap ? month : day }), dayIndex: -1, yearIndex: -1 }
  }
  const mi = tokens.findIndex((t) => t.kind === 'month')
  const monthToken = tokens[mi]
  if (monthToken === undefined || monthToken.kind !== 'month') return undefined
  // "১৭ আগস্ট" / "17-Aug" first, then "Aug 17".
  const dayIndex = [dayAt(tokens, mi, -1), dayAt(tokens, mi, 1)].find((i) => i !== -1) ?? -1
  const day = tokens[dayIndex]
  if (day === undefined || day.kind !== 'num') return undefined
  const isYear = (t: Token): boolean => t.kind === 'num' && t.digits === 4
  const after = tokens.findIndex((t, i) => i > Math.max(mi, dayIndex) && isYear(t))
  const before = tokens.findLastIndex((t, i) => i < Math.min(mi, dayIndex) && isYear(t))
  const yearIndex = after !== -1 ? after : before
  const yearToken = tokens[yearIndex]
  const year = yearToken?.kind === 'num' ? yearToken.value : undefined
  return { value: checkDate({ year, month: monthToken.month, day: day.value }), dayIndex, yearIndex }
}

// Index of a 1-2 digit day next to the month (one '-', '/', '.' or ',' may sit between), else -1.
function dayAt(tokens: readonly Token[], mi: number, step: 1 | -1): number {
  let i = mi + step
  const between = tokens[i]
  if (between?.kind === 'punct' && '-/.,'.includes(between.text)) i += step
  const t = tokens[i]
  if (t?.kind === 'num' && t.digits <= 2 && !t.hourMark) return i
  return -1
}

function checkDate(date: CalendarDate): CalendarDate | 'invalid' {
  const { year, month, day } = date
  if (year !== undefined && (year < 1000 || year > 9999)) return 'invalid'
  if (month < 1 || month > 12 || day < 1) return 'invalid'
  // Without a year only 29 February is uncertain; accept it until a year is borrowed.
  if (day > daysInMonth(year ?? 2000, month)) return 'invalid'
  return date
}

function readTime(tokens: readonly Token[], dayIndex: number): ClockTime | 'invalid' | undefined {
  const next = (i: number): Token | undefined => tokens.slice(i + 1).find((t) => t.kind !== 'punct')
  const ti = tokens.findIndex(
    (t, i) =>
      t.kind === 'time' ||
      (t.kind === 'num' && t.hourMark) ||
      // "11 AM" with no minutes
      (t.kind === 'num' && i !== dayIndex && t.digits <= 2 && next(i)?.kind === 'meridiem'),
  )
  const at = tokens[ti]
  if (at === undefined) return undefined
  let hour: number
  let minute = 0
  let second = 0
  if (at.kind === 'time') {
    hour = at.hour
    minute = at.minute
    second = at.second
  } else if (at.kind === 'num') {
    hour = at.value
    // ১০টা ৩০ মিনিটে
    const m = tokens[ti + 1]
    if (m?.kind === 'num' && tokens[ti + 2]?.kind === 'minuteWord') minute = m.value
  } else {
    return undefined
  }

  const before = tokens[ti - 1]
  if (before?.kind === 'modifier' && at.kind === 'num') {
    if (before.minutes > 0) minute += before.minutes
    else {
      // পৌনে ১টা = 12:45 on the 12-hour dial
      hour = hour <= 1 ? 12 : hour - 1
      minute += 60 + before.minutes
    }
  }

  const meridiem = tokens.slice(ti + 1).find((t) => t.kind === 'meridiem')
  const period = [tokens[ti - 1], tokens[ti - 2], tokens[ti - 3], tokens[ti + 1]].find((t) => t?.kind === 'period')
  let hour24: number | null
  if (meridiem?.kind === 'meridiem') hour24 = from12Hour(hour, meridiem.pm)
  else if (period?.kind === 'period') hour24 = hourForPeriod(hour, period.period)
  else hour24 = hour
  if (hour24 === null || hour24 < 0 || hour24 > 23 || minute > 59 || second > 59) return 'invalid'
  return { hour: hour24, minute, second }
}

// 12:xx AM = 00:xx, 12:xx PM = 12:xx; "0:30 AM" and "13:00 PM" are tolerated as 24-hour slips.
function from12Hour(hour: number, pm: boolean): number | null {
  if (hour >= 1 && hour <= 12) return (hour % 12) + (pm ? 12 : 0)
  if (hour === 0 && !pm) return 0
  if (hour > 12 && hour < 24 && pm) return hour
  return null
}

function isDate(d: Reading['date']): d is CalendarDate {
  return d !== undefined && d !== 'invalid'
}

function toInstant(reading: Reading, timeZone: string): number | null {
  const { date, time } = reading
  if (!isDate(date) || date.year === undefined || time === 'invalid') return null
  if (checkDate(date) === 'invalid') return null // 29 February of a borrowed non-leap year
  const clock = time ?? { hour: 0, minute: 0, second: 0 }
  return localToInstant({ year: date.year, month: date.month, day: date.day, ...clock }, timeZone)
}

function nextDay(date: Reading['date']): Reading['date'] {
  if (!isDate(date) || date.year === undefined) return date
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + DAY_MS)
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}
