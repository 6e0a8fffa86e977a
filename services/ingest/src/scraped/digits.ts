// Bengali digits ০-৯ are U+09E6..U+09EF, contiguous like ASCII 0-9.
const BENGALI_ZERO = 0x09e6
const ASCII_ZERO = 0x30

/** Replaces Bengali digits ০-৯ with ASCII 0-9; every other character is kept. */
export function bengaliToAsciiDigits(s: string): string {
  return s.replace(/[\u09e6-\u09ef]/g, (d) => String.fromCharCode(d.charCodeAt(0) - BENGALI_ZERO + ASCII_ZERO))
}

/** Replaces ASCII 0-9 with Bengali digits ০-৯; every other character is kept. */
export function asciiToBengaliDigits(s: string): string {
  return s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) - ASCII_ZERO + BENGALI_ZERO))
}
