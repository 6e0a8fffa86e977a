// A claim's name as a person reads it: what a limit claim's name looks like when an issuer's claim
// mapper wrote it with a trailing space, in full-width letters (an IME in full-width mode), with a
// Cyrillic or Greek letter that looks Latin, an accent, or a zero-width character. Read by its
// exact name only, such a limit was ignored and the token read without it (red23d attack run).
// Pure: no I/O.

/** Letters of other scripts drawn like Latin ones (Unicode's confusables, the few that matter here). */
const LOOKS_LATIN: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ԁ: 'd',
  ӏ: 'l',
  ɡ: 'g',
  ı: 'i',
  ո: 'n',
  ս: 'u',
  օ: 'o',
  ց: 'g',
  α: 'a',
  β: 'b',
  ε: 'e',
  ζ: 'z',
  η: 'n',
  ι: 'i',
  κ: 'k',
  μ: 'u',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
}

/** What renders as nothing or as a gap: whitespace, controls, format characters, variation selectors. */
const UNSEEN = /[\s\p{C}\p{Default_Ignorable_Code_Point}]/gu

/**
 * The ASCII a claim's name reads as: compatibility forms folded (NFKD: full-width, ligatures),
 * marks dropped, unseen characters dropped, lower case, look-alike letters taken as the Latin ones.
 */
export function foldClaimName(name: string): string {
  const s = name.normalize('NFKD').replace(/\p{M}/gu, '').replace(UNSEEN, '').toLowerCase()
  let out = ''
  for (const ch of s) out += LOOKS_LATIN[ch] ?? ch
  return out
}

/** A name fit for a close frame's reason (≤ 123 bytes): printable ASCII, others as '?'. */
export function shownClaimName(name: string): string {
  return name.slice(0, 40).replace(/[^\x21-\x7e]/g, '?') || '?'
}
