// JSON numbers JSON.parse does not read as they were written. A JSON number is a decimal literal;
// JSON.parse reads it as the nearest double, so `4503599627370496.5` arrives as 2^52,
// `5.9999999999999999` as 6 and `9007199254740993` as 2^53: whole numbers, which an integer
// check then takes, though the client sent another value (a revision decided as another one).
// Ingest's numbers are all whole (versions, urgency), so a literal read as a whole number it
// does not write, or as one past 2^53 - 1 (where every read is in doubt), is refused; a whole
// number spelled `3.0` or `1e1` is read exactly and kept.

/**
 * Index just past the number literal at `start` in `text` (valid JSON), negated when the literal
 * may be misread and inexactWhole must look at it. Counted without allocating: 1 MB of `1.0e0,`
 * took about 39 ms more to scan with every literal checked, 3-5 ms more with this test first.
 *
 * A literal of at most 15 digits before its exponent is N × 10^k, N < 10^15. With k ≥ 0 and
 * N × 10^k < 10^15 (< 2^53) it is a whole number read exactly. With k < 0 it is a whole number
 * below 10^15 (exact), or at least 10^k from the nearest one, while doubles near it lie less than
 * 10^k / 2 apart (52-bit mantissa), until they stop being normal: so it is not read as one
 * unless k < -300. Anything else is checked.
 */
export function numberEnd(text: string, start: number): number {
  let digits = 0
  let fraction = 0
  let exp = 0
  let expSign = 1
  let part = 0 // 0: whole part, 1: fraction, 2: exponent
  let i = start
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0x30 && c <= 0x39) {
      if (part === 2) exp = Math.min(exp * 10 + (c - 0x30), 1e6)
      else {
        digits++
        if (part === 1) fraction++
      }
    } else if (c === 0x2e /* . */) part = 1
    else if (c === 0x65 || c === 0x45 /* e E */) part = 2
    else if (c === 0x2d /* - */) {
      if (part === 2) expSign = -1
    } else if (c !== 0x2b /* + */) break
  }
  const k = expSign * exp - fraction
  return digits > 15 || digits + k > 15 || k < -300 ? -i : i
}

/** Whether a JSON number literal writes a whole number (`3.000`, `30e-1`, `0.3e1`, `0e-9`). */
function writesWhole(literal: string): boolean {
  const m = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal)
  if (m === null) return false
  const digits = `${m[1]}${m[2] ?? ''}`
  // digits after the decimal point once the exponent has moved it; trailing zeros among them are none
  let places = (m[2]?.length ?? 0) - Number(m[3] ?? 0)
  let end = digits.length
  while (places > 0 && end > 0 && digits.charCodeAt(end - 1) === 0x30) {
    end--
    places--
  }
  return places <= 0 || end === 0
}

/**
 * The whole number JSON.parse reads `literal` (a valid JSON number) as, when it cannot stand for
 * what was written: the literal is no whole number, or the number is beyond ±(2^53 − 1), where
 * doubles no longer tell neighbouring integers apart (`9007199254740993` is read as 2^53). Null
 * when it is read exactly, or as no whole number (an integer field refuses that itself).
 */
export function inexactWhole(literal: string): number | null {
  const value = Number(literal)
  if (!Number.isInteger(value)) return null
  if (!Number.isSafeInteger(value)) return value
  // a whole literal is read exactly up to 2^53 - 1: it is representable
  const plain = literal.indexOf('.') === -1 && literal.indexOf('e') === -1 && literal.indexOf('E') === -1
  return plain || writesWhole(literal) ? null : value
}
