// Text normalization applied to every string that enters the system: invisible control
// characters removed, Unicode NFC (so the same Bengali word always has the same code points) and
// whitespace cleanup. ZWJ/ZWNJ are kept: they change how Bengali renders (র‍্যাব vs র্যাব).

// C0 and C1 controls other than whitespace (NUL, BEL, ESC, ...), DEL, and the bidi embedding,
// override and isolate controls (U+202A-U+202E, U+2066-U+2069), which can reorder or hide what a
// reader sees. They carry no meaning in a headline or a paragraph.
const INVISIBLE_CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u202a-\u202e\u2066-\u2069]/g
const INVISIBLE_CONTROL = new RegExp(INVISIBLE_CONTROLS.source)
// Line breaks (NEL U+0085 included), tabs and other spaces
const WHITESPACE = /[\s\u0085\u00a0\u2028\u2029\ufeff]+/gu

/** True when `s` holds a character cleanText removes. */
export function hasInvisibleControl(s: string): boolean {
  return INVISIBLE_CONTROL.test(s)
}

// Whitespace other than a lone space: only then has WHITESPACE anything to change
const UNEVEN_SPACING = /[^\S ]|\u0085| {2}/

/** Controls removed, NFC, line breaks and tabs to spaces, runs of spaces collapsed, trimmed. */
export function cleanText(s: string): string {
  // Removed before NFC: a control between a letter and its mark must not keep them apart
  const t = s.replace(INVISIBLE_CONTROLS, '').normalize('NFC')
  // Most text has single spaces only, which the replace would copy one by one (a third of this
  // function's time on a Bengali paragraph); the test is several times cheaper
  return (UNEVEN_SPACING.test(t) ? t.replace(WHITESPACE, ' ') : t).trim()
}

// A letter, digit, punctuation mark or symbol: what a reader can see. Marks alone (a vowel sign
// with no letter), ZWJ/ZWNJ and other format characters render as nothing: a headline of only
// those was a blank row on the dashboard (red17c)
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u

/** True when cleaned text shows something: not empty, and not only marks or format characters. */
export function showsSomething(s: string): boolean {
  return VISIBLE.test(s)
}

/** True when the string has an unpaired UTF-16 surrogate (it cannot be encoded as UTF-8). */
export function hasLoneSurrogate(s: string): boolean {
  // isWellFormed (ES2024) is what /\p{Cs}/u tested, about six times faster
  return !s.isWellFormed()
}
