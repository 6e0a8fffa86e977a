// ISO 8601 instants as sources send them, read strictly: a zone is required, and impossible
// calendar values (2024-02-30, T24:00, minute 60) are refused instead of being rolled over into
// another day the way Date.parse does. An instant is kept only if it reads back as written
// (years 0001–9999 in UTC): a time past the end of year 9999 once its offset is applied was
// stored, then written back as +010000-…, and every PATCH of its article refused that field. Year
// 0000 reads back, but Python's datetime starts at year 1: the fastavro consumer schemas/README.md
// shows could not decode the article's events, its kill included (red13b attack run).
const FIRST = Date.parse('0001-01-01T00:00:00.000Z')
const LAST = Date.parse('9999-12-31T23:59:59.999Z')
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  return month === 2 && leap ? 29 : (DAYS[month - 1] ?? 0)
}

/** Epoch milliseconds of a valid ISO 8601 date-time with a zone, else null. */
export function parseInstant(s: string): number | null {
  const m = ISO_INSTANT.exec(s)
  if (m === null) return null
  const n = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]))
  const year = n(1)
  const month = n(2)
  const day = n(3)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null
  if (n(4) > 23 || n(5) > 59 || n(6) > 59) return null
  if (n(7) > 23 || n(8) > 59) return null
  const t = Date.parse(s)
  return Number.isFinite(t) && t >= FIRST && t <= LAST ? t : null
}

const FRACTION = /\.(\d+)/

/**
 * Epoch milliseconds of an embargo: the instant, or the first millisecond after it when it falls
 * between two (Date.parse drops the digits past the third, and a story under embargo until
 * 12:00:00.0009Z was released at 12:00:00.000Z: red16c attack run). Null as parseInstant, and
 * for the last millisecond of year 9999 rounded past it.
 */
export function parseEmbargo(s: string): number | null {
  const t = parseInstant(s)
  if (t === null || !/[1-9]/.test(FRACTION.exec(s)?.[1]?.slice(3) ?? '')) return t
  return t < LAST ? t + 1 : null
}
