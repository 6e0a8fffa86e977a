import { ScrapedParseError } from './errors.ts'

export const DEFAULT_TIME_ZONE = 'Asia/Dhaka'

export interface LocalDateTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

const DAY_MS = 86_400_000
// Formatters are costly to build and immutable, so one per zone is memoised.
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** Canonical IANA name for `timeZone`; throws NEWSWIRE_ERR_SCRAPED_TIME_ZONE if Intl rejects it. */
export function resolveTimeZone(timeZone: string): string {
  try {
    return formatter(timeZone).resolvedOptions().timeZone
  } catch {
    throw new ScrapedParseError('NEWSWIRE_ERR_SCRAPED_TIME_ZONE', `unknown time zone: ${timeZone}`)
  }
}

/** Offset of `timeZone` from UTC at `instant`, in ms (Asia/Dhaka: +6 h, +7 h in late 2009). */
export function zoneOffset(instant: number, timeZone: string): number {
  const fields: Record<string, number> = {}
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value)
  }
  const wall = Date.UTC(
    fields.year ?? 1970,
    (fields.month ?? 1) - 1,
    fields.day ?? 1,
    (fields.hour ?? 0) % 24,
    fields.minute ?? 0,
    fields.second ?? 0,
  )
  return wall - (instant - (((instant % 1000) + 1000) % 1000))
}

/**
 * UTC instant of a wall-clock time in `timeZone`, through the IANA rules (no fixed offset).
 * Like Temporal's 'compatible': a repeated time takes the earlier instant, a skipped
 * time (DST gap) is moved forward by the gap.
 */
export function localToInstant(local: LocalDateTime, timeZone: string): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second)
  const before = wall - zoneOffset(wall - DAY_MS, timeZone)
  const after = wall - zoneOffset(wall + DAY_MS, timeZone)
  const fits = [before, after].filter((t) => t + zoneOffset(t, timeZone) === wall)
  return fits.length > 0 ? Math.min(...fits) : before
}
