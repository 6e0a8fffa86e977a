import { bengaliToAsciiDigits } from './digits.ts'

// Whitespace collapsed in display text. ZWJ/ZWNJ/ZWSP/U+FEFF are deliberately absent:
// they steer Bengali shaping (র\u200d্যাব vs reph) and must survive in display text.
const SPACE_RUN = /[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g
const ZERO_WIDTH = /[\u00ad\u200b-\u200d\u2060\ufeff]/g
// ta + hasant + ZWJ is the legacy spelling of khanda ta; NFC does not unify it.
const LEGACY_KHANDA_TA = /\u09a4\u09cd\u200d/g

/** Strips a BOM, turns CRLF/CR into LF and applies NFC. */
export function normalizeInput(text: string): string {
  return text
    .replace(/^\ufeff/, '')
    .replace(/\r\n?/g, '\n')
    .normalize('NFC')
}

/** Display form: NFC, whitespace runs collapsed to one space, trimmed. Zero-width chars kept. */
export function cleanDisplay(s: string): string {
  return s.normalize('NFC').replace(SPACE_RUN, ' ').trim()
}

/**
 * Matching form, never shown: NFC, khanda ta unified, zero-width chars removed, ASCII digits,
 * lower case, whitespace collapsed. Both sides of every comparison go through this.
 */
export function matchKey(s: string): string {
  const nfc = s.normalize('NFC').replace(LEGACY_KHANDA_TA, '\u09ce').replace(ZERO_WIDTH, '')
  // Removing a ZWJ can leave a composable pair behind, so normalize again.
  return bengaliToAsciiDigits(nfc.normalize('NFC')).toLowerCase().replace(SPACE_RUN, ' ').trim()
}

/** Builds a lookup map keyed by matchKey, so table spellings (U+09DF etc.) never matter. */
export function keyedMap<V>(entries: Iterable<readonly [string, V]>): Map<string, V> {
  const map = new Map<string, V>()
  for (const [name, value] of entries) map.set(matchKey(name), value)
  return map
}

export function keyedSet(names: Iterable<string>): Set<string> {
  const set = new Set<string>()
  for (const name of names) set.add(matchKey(name))
  return set
}
