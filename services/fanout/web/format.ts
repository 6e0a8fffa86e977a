// Numbers and times in the article's language: Intl with 'bn-BD' gives Bengali digits and month
// names; times show in the article's time zone (Bengali articles default to Asia/Dhaka).

/** BCP 47 locale for an article language tag (`bn` → `bn-BD`). */
export function localeFor(language: string | undefined | null): string {
  if (!language) return 'en-GB'
  if (language === 'bn' || language.startsWith('bn-')) return 'bn-BD'
  if (language === 'en') return 'en-GB'
  return language
}

export function timeZoneFor(language: string | undefined | null, timeZone: string | undefined | null): string | undefined {
  if (timeZone) return timeZone
  if (language === 'bn' || language?.startsWith('bn-')) return 'Asia/Dhaka'
  return undefined
}

const formats = new Map<string, Intl.DateTimeFormat>()

function dateFormat(locale: string, timeZone: string | undefined, withDate: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone ?? ''}|${withDate}`
  let f = formats.get(key)
  if (!f) {
    const options: Intl.DateTimeFormatOptions = withDate
      ? { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }
      : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }
    try {
      f = new Intl.DateTimeFormat(locale, options)
    } catch {
      // unknown locale or time zone from the feed: fall back rather than break the page
      f = new Intl.DateTimeFormat('en-GB', { ...options, timeZone: undefined })
    }
    formats.set(key, f)
  }
  return f
}

/** Epoch milliseconds from what the stream carries (ISO instants, or numbers). */
export function toMs(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && v !== '') {
    const ms = Date.parse(v)
    return Number.isNaN(ms) ? null : ms
  }
  return null
}

/** A time (with the date when it is not today) in the article's language and time zone. */
export function formatTime(ms: number, language: string | undefined | null, timeZone: string | undefined | null, now = Date.now()): string {
  const locale = localeFor(language)
  const tz = timeZoneFor(language, timeZone)
  const withDate = Math.abs(now - ms) > 20 * 3600_000
  return dateFormat(locale, tz, withDate).format(ms)
}

export function formatNumber(n: number, language?: string | null): string {
  return new Intl.NumberFormat(localeFor(language)).format(n)
}
