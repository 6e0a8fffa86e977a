// What JSON.parse reads otherwise than a person, a gateway or the client meant: members named
// twice in one object, and numbers it does not read as written (json-numbers.ts), found in one
// pass over the text. RFC 8259 leaves the meaning of a repeated member to the receiver:
// JSON.parse keeps the last, while a gateway, an audit log or a person reading the request may
// take the first, so `"pubStatus":"withheld", … "pubStatus":"usable"` read as a hold there
// released the story here (red13b attack run). Ingest refuses such a body instead of picking one.
import type { FieldError } from '@newswire/shared'
import { inexactWhole, numberEnd } from './json-numbers.ts'
import { pathOf } from './json-shape.ts'

interface Frame {
  /** Names seen in this object; null for an array */
  names: Set<string> | null
  /** Index of the current item (array) */
  index: number
  /** Name of the current member (object), null before the first */
  name: string | null
  parent: Frame | null
}

function pathTo(frame: Frame, last: string | number): string {
  const path: (string | number)[] = [last]
  for (let f: Frame | null = frame; f?.parent; f = f.parent) {
    const p = f.parent
    path.unshift(p.names === null ? p.index : (p.name as string))
  }
  return pathOf(path)
}

/** Index of the quote that ends the string whose opening quote is at `start` (the end of `text` if none). */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1)
  for (;;) {
    if (end === -1) return text.length
    let slashes = 0
    while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++
    if (slashes % 2 === 0) return end
    end = text.indexOf('"', end + 1)
  }
}

/**
 * Errors listed at most: a body is refused for its first. A 1 MiB body naming one member 174,761
 * times was answered with 17 MB of errors, and the scan stops here too.
 */
export const MAX_READING_ERRORS = 100

/**
 * A field error for each member named again in the same object (names compared as decoded, so
 * `"pub\u0053tatus"` is `pubStatus`), and for each number JSON.parse reads as a whole number the
 * literal does not write or past 2^53 - 1 (`inexact_number`), the first MAX_READING_ERRORS of
 * them. `text` must be valid JSON (JSON.parse accepted it). Iterative: no stack to overflow, and
 * a path is built only for an error.
 */
export function readingErrors(text: string): FieldError[] {
  const errors: FieldError[] = []
  let top = null as Frame | null
  let expectName = false
  for (let i = 0; i < text.length && errors.length < MAX_READING_ERRORS; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i)
      if (expectName && top?.names) {
        const raw = text.slice(i + 1, end)
        const name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw
        if (top.names.has(name)) {
          errors.push({
            field: pathTo(top, name),
            code: 'duplicate_member',
            message: `'${name}' is given more than once in the same object`,
          })
        }
        top.names.add(name)
        top.name = name
        expectName = false
      }
      i = end
    } else if (c === 0x7b /* { */) {
      top = { names: new Set(), index: 0, name: null, parent: top }
      expectName = true
    } else if (c === 0x5b /* [ */) {
      top = { names: null, index: 0, name: null, parent: top }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      top = top?.parent ?? null
    } else if (c === 0x2c /* , */ && top) {
      if (top.names) expectName = true
      else top.index++
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const ended = numberEnd(text, i)
      const end = Math.abs(ended)
      const read = ended < 0 ? inexactWhole(text.slice(i, end)) : null
      if (read !== null) {
        errors.push({
          field: top === null ? '(body)' : pathTo(top, top.names ? (top.name as string) : top.index),
          code: 'inexact_number',
          message: `is read as ${read}, not as written: a JSON number is read as a double, exact for whole numbers up to 2^53 - 1 only`,
        })
      }
      i = end - 1
    }
  }
  return errors
}
