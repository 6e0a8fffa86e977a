// ISO 8601 instants as sources send them, read strictly: a zone is required, and impossible
// calendar values (2024-02-30, T24:00, minute 60) are refused instead of being rolled over into
// another day the way Date.parse does.
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0
}

/** Epoch milliseconds of a valid ISO 8601 date-time with a zone, else null. */
export function parseInstant(s: string): number | null {
  const m = ISO_INSTANT.exec(s)
  if (m === null) return null
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)))
  if (year === undefined || month === undefined || day === undefined) return null
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59) return null
  if ((offsetHours ?? 0) > 23 || (offsetMinutes ?? 0) > 59) return null
  const t = Date.parse(s)
  return Number.isFinite(t) ? t : null
}
