// Text normalization applied to every string that enters the system: Unicode NFC (so the same
// Bengali word always has the same code points) and whitespace cleanup. ZWJ/ZWNJ are kept:
// they change how Bengali renders (র‍্যাব vs র্যাব).

/** NFC, line breaks and tabs to spaces, runs of spaces collapsed, trimmed. */
export function cleanText(s: string): string {
  return s
    .normalize('NFC')
    .replace(/[\s\u00a0\u2028\u2029\ufeff]+/gu, ' ')
    .trim()
}

/** True when the string has an unpaired UTF-16 surrogate (it cannot be encoded as UTF-8). */
export function hasLoneSurrogate(s: string): boolean {
  // In unicode mode a well-formed pair is one code point, so \p{Cs} only matches lone halves
  return /\p{Cs}/u.test(s)
}
