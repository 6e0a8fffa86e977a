// Checks on a parsed JSON value before anything walks it recursively: nesting depth (a 100k-deep
// array overflowed the stack) and lone UTF-16 surrogates (they cannot be stored as UTF-8).
import { hasLoneSurrogate } from '@newswire/shared'
import type { FieldError } from '@newswire/shared'

/** Nesting deeper than this is refused before anything walks the value. */
export const MAX_DEPTH = 64

/** `body[2]`, `related[0].url`, or `(body)` for the whole value. */
export function pathOf(path: readonly PropertyKey[]): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`
  return out === '' ? '(body)' : out
}

interface Frame {
  value: unknown
  key: PropertyKey | null
  parent: Frame | null
  depth: number
}

function framePath(frame: Frame, last?: PropertyKey): string {
  const path: PropertyKey[] = last === undefined ? [] : [last]
  for (let f: Frame | null = frame; f?.key != null; f = f.parent) path.unshift(f.key)
  return pathOf(path)
}

/**
 * Field errors for a value nested too deep or holding lone surrogates (in strings or keys).
 * Iterative, with the path built only on a hit: a recursive walk of hostile input overflowed
 * the stack and copied the path at every level.
 */
export function shapeErrors(root: unknown): FieldError[] {
  const surrogates: string[] = []
  const stack: Frame[] = [{ value: root, key: null, parent: null, depth: 0 }]
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { value, depth } = frame
    if (typeof value === 'string') {
      if (hasLoneSurrogate(value)) surrogates.push(framePath(frame))
      continue
    }
    if (value === null || typeof value !== 'object') continue
    if (depth >= MAX_DEPTH) return [{ field: framePath(frame), code: 'too_deep', message: `nested deeper than ${MAX_DEPTH} levels` }]
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], key: i, parent: frame, depth: depth + 1 })
    } else {
      const entries = Object.entries(value)
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i] as [string, unknown]
        if (hasLoneSurrogate(k)) surrogates.push(framePath(frame, k))
        stack.push({ value: v, key: k, parent: frame, depth: depth + 1 })
      }
    }
  }
  return surrogates.map((field) => ({ field, code: 'invalid_unicode', message: 'contains an unpaired UTF-16 surrogate' }))
}
