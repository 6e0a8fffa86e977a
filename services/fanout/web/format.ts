// Numbers and times in the article's language: Intl with 'bn-BD' gives Bengali digits, month
// names and "৫ মিনিট আগে". The zone is the caller's choice: one per dashboard (the desk's), the
// article's own on the ticker. Unknown locales or zones from the feed fall back instead of throwing.

/** BCP 47 locale for an article language tag (`bn` → `bn-BD`). */
export function localeFor(language: string | undefined | null): string {
  if (!language || language === 'en') return 'en-GB'
  if (language === 'bn' || language.startsWith('bn-')) return 'bn-BD'
  return language
}

/** The zone a public reader of an article expects: the article's, `bn` in Dhaka, else the reader's own. */
export function articleTimeZone(language: string | undefined | null, timeZone: string | undefined | null): string | undefined {
  if (timeZone) return timeZone
  if (language === 'bn' || language?.startsWith('bn-')) return 'Asia/Dhaka'
  return undefined
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

const cache = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat | Intl.NumberFormat>()

function cached<T extends Intl.DateTimeFormat | Intl.RelativeTimeFormat | Intl.NumberFormat>(key: string, make: (locale: string) => T): T {
  let f = cache.get(key) as T | undefined
  if (!f) {
    const locale = key.slice(0, key.indexOf('|'))
    try {
      f = make(locale)
    } catch {
      f = make('en-GB')
    }
    cache.set(key, f)
  }
  return f
}

function dateTimeFormat(locale: string, timeZone: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return cached(`${locale}|${timeZone ?? ''}|${JSON.stringify(options)}`, (l) => {
    try {
      return new Intl.DateTimeFormat(l, { ...options, timeZone })
    } catch {
      return new Intl.DateTimeFormat(l, options) // unknown zone: the browser's
    }
  })
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

export interface ClockOptions {
  language?: string | null
  timeZone?: string
  /** Seconds too (embargo times). */
  seconds?: boolean
  /** The date is added when `ms` is not on the same day as `now` in that zone. */
  now: number
}

/** A wall-clock time (24 h) in the given zone and the article's language, with the date when it is not today. */
export function formatClock(ms: number, o: ClockOptions): string {
  const locale = localeFor(o.language)
  const day = dateTimeFormat('en-CA', o.timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' })
  const withDate = day.format(ms) !== day.format(o.now)
  const options: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
  if (o.seconds) options.second = '2-digit'
  if (withDate) Object.assign(options, { day: 'numeric', month: 'short', year: 'numeric' })
  return dateTimeFormat(locale, o.timeZone, options).format(ms)
}

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
]

/**
 * "3 min ago", "in 25 min", "now", in the article's language (`bn`: "৩ মিনিট আগে"). The past
 * rounds down and the future up, so a countdown never claims more time than is left: an embargo
 * 20 s away is "in 1 min", never "now".
 */
export function formatRelative(ms: number, now: number, language?: string | null): string {
  const locale = localeFor(language)
  const rtf = cached(`${locale}|rtf`, (l) => new Intl.RelativeTimeFormat(l, { numeric: 'auto', style: 'short' }))
  const d = ms - now
  if (d > 0 && d < 60_000) return rtf.format(1, 'minute')
  for (const [unit, size] of units) if (Math.abs(d) >= size) return rtf.format(d > 0 ? Math.ceil(d / size) : Math.trunc(d / size), unit)
  return rtf.format(0, 'second')
}

/** The zone's name and its offset at `at`: "Asia/Dhaka (GMT+6)". */
export function zoneLabel(zone: string, at: number): string {
  if (/^(Etc\/)?(UTC|GMT)$/.test(zone)) return zone
  const parts = dateTimeFormat('en-GB', zone, { timeZoneName: 'shortOffset' }).formatToParts(at)
  const offset = parts.find((p) => p.type === 'timeZoneName')?.value
  return offset && offset !== zone ? `${zone} (${offset})` : zone
}

export function formatNumber(n: number, language?: string | null): string {
  const locale = localeFor(language)
  return cached(`${locale}|n`, (l) => new Intl.NumberFormat(l)).format(n)
}

/**
 * `s` if it fits in `max` UTF-16 code units, else its start up to a space and an ellipsis: a cut at
 * a space never falls inside a grapheme cluster (a Bengali conjunct such as ক্ষ, a letter with its
 * vowel signs, an emoji with its modifiers), where half of one reads as another letter, a visible
 * hasant or U+FFFD. Text with no space to cut at stays whole (the page's CSS clips it).
 */
export function cutText(s: string, max: number): string {
  if (s.length <= max) return s
  const at = s.slice(0, max).search(/\s+\S*$/)
  return at > 0 ? `${s.slice(0, at)}…` : s
}
