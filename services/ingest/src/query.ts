// Query parameters of the import route, read as strictly as a JSON body: one value each, numbers
// in JSON's syntax and read exactly. Before, `?id=a&id=b` (an array to express) was ignored and
// the page got a derived id, so a re-import missed the article it named; `?urgency=0x1`,
// `?urgency=%201` and `?urgency=1.0000000000000001` were read by Number() as a flash.
import type { FieldError } from '@newswire/shared'
import { inexactWhole } from './json-numbers.ts'

const jsonNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/

/** Reads named parameters of a parsed query; `errors` gathers what it refuses, all at once. */
export class QueryReader {
  readonly errors: FieldError[] = []
  readonly #query: Record<string, unknown>

  constructor(query: Record<string, unknown>) {
    this.#query = query
  }

  /** The parameter's one value; given more than once, it means whatever its reader picks: refused. */
  text(name: string): string | undefined {
    const v = this.#query[name]
    if (v === undefined || typeof v === 'string') return v
    this.errors.push({ field: name, code: 'duplicate_parameter', message: `'${name}' is given more than once in the query` })
    return undefined
  }

  /** A number as a JSON body writes it (`3`, `3.0`, `3e0`), read exactly. */
  number(name: string): number | undefined {
    const raw = this.text(name)
    if (raw === undefined) return undefined
    if (!jsonNumber.test(raw)) {
      this.errors.push({ field: name, code: 'invalid_type', message: 'must be a number written in decimal digits' })
      return undefined
    }
    const read = inexactWhole(raw)
    if (read !== null) {
      this.errors.push({ field: name, code: 'inexact_number', message: `is read as ${read}, not as the number written` })
      return undefined
    }
    return Number(raw)
  }
}
