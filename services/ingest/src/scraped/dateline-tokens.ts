import { classifyWord } from './dateline-words.ts'
import type { WordClass } from './dateline-words.ts'
import { keyedSet, matchKey } from './text.ts'

/** One lexical unit of a dateline. Words carry their WordClass. */
export type Token =
  | { kind: 'num'; value: number; digits: number; hourMark: boolean }
  | { kind: 'time'; hour: number; minute: number; second: number }
  | { kind: 'date'; year: number; month: number; day: number }
  | { kind: 'bar' }
  | { kind: 'punct'; text: string }
  | WordClass

const TOKEN = new RegExp(
  [
    String.raw`(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)`, // 1-3: ISO date
    String.raw`(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\d)`, // 4-6: day/month/year, the Bangladeshi order
    String.raw`(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?!\d)`, // 7-9: clock time
    String.raw`(\d+)([\p{L}\p{M}]*)`, // 10-11: number with a glued suffix (১০টা, 17th, 11am)
    String.raw`([\p{L}\p{M}]+(?:\.[\p{L}\p{M}]+)*\.?)`, // 12: word, dotted abbreviations kept whole
    '([|｜¦│])', // 13: segment bar
    String.raw`(\S)`, // 14: other punctuation
  ].join('|'),
  'gu',
)

// "এ. এম." / "a. m." with a space would otherwise split into two words.
const SPACED_MERIDIEM = /(^|[^\p{L}\p{M}])(এ|পি|a|p)\.\s+(এম|m)(?=\.|[^\p{L}\p{M}]|$)/gu

// ১০টা = ten o'clock; the suffix marks the number as an hour.
const hourSuffixes = keyedSet(['টা', 'টায়', 'টার', 'টে'])
// ১৭ই, ২১শে, ১লা, ২রা, ৪ঠা, 17th …: ordinal days.
const ordinalSuffixes = keyedSet(['ই', 'শে', 'লা', 'রা', 'ঠা', 'st', 'nd', 'rd', 'th'])

/** Splits a dateline into tokens; digits may be Bengali or ASCII, text is matched on NFC keys. */
export function tokenizeDateline(line: string): Token[] {
  const key = matchKey(line).replace(SPACED_MERIDIEM, '$1$2$3')
  const tokens: Token[] = []
  for (const m of key.matchAll(TOKEN)) {
    if (m[1] !== undefined) {
      tokens.push({ kind: 'date', year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) })
    } else if (m[4] !== undefined) {
      tokens.push({ kind: 'date', year: Number(m[6]), month: Number(m[5]), day: Number(m[4]) })
    } else if (m[7] !== undefined) {
      tokens.push({ kind: 'time', hour: Number(m[7]), minute: Number(m[8]), second: Number(m[9] ?? 0) })
    } else if (m[10] !== undefined) {
      const suffix = m[11] ?? ''
      const hourMark = hourSuffixes.has(suffix)
      tokens.push({ kind: 'num', value: Number(m[10]), digits: m[10].length, hourMark })
      // Anything else glued on (11am, ২০২৪ইং, ১৪৩১বঙ্গাব্দ) is read as its own word.
      if (suffix !== '' && !hourMark && !ordinalSuffixes.has(suffix)) tokens.push(classifyWord(suffix))
    } else if (m[12] !== undefined) {
      tokens.push(classifyWord(m[12]))
    } else if (m[13] !== undefined) {
      tokens.push({ kind: 'bar' })
    } else {
      tokens.push({ kind: 'punct', text: m[14] ?? '' })
    }
  }
  return tokens
}
