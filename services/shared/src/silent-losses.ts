// What avsc's isValid does not catch, found by walking a value along its type:
// - undeclared fields, which the wire would drop silently (e.g. a TS field added without a
//   schema change); avsc's noUndeclaredFields only flags the first record that has one, without
//   naming the key
// - longs avsc would write wrong (below MIN_SAFE_AVRO_LONG, see codec.ts), and ill-formed strings
//   (a lone UTF-16 surrogate would turn into U+FFFD silently)
// Every event ingest writes goes through here. The walk is compiled once per type into closures:
// walking the type anew for every value (instanceof chains, field lookups by name) was 2–3 % of
// ingest's batch CPU. silent-losses.test.ts holds the compiled walk equal to that interpreted one.
import avsc from 'avsc'
import type { Type } from 'avsc'

/** One reason a value does not match a schema. */
export interface CodecProblem {
  path: string
  expected: string
  got: string
}

/** avsc 5.7.9 zig-zags negative longs in floating point, exact only down to -2^52 (mtth/avsc#455). */
export const MIN_SAFE_AVRO_LONG = -(2 ** 52)

export type AddProblem = (problem: CodecProblem) => void
/** Reports every silent loss in `value`; `path` is one stack, pushed and popped, formatted only for a problem. */
export type LossCheck = (value: unknown, path: string[], add: AddProblem) => void

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (missing)'
  if (value === null) return 'null'
  if (Array.isArray(value)) return `array of ${value.length}`
  if (typeof value === 'string') return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}...` : JSON.stringify(value)
  if (typeof value === 'object') return 'object'
  return `${typeof value} ${String(value)}`
}

export function formatPath(path: readonly string[]): string {
  let out = ''
  for (const seg of path) out += /^[0-9]+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`
  return out === '' ? '(root)' : out
}

/** A type none of whose values can lose anything (null, booleans, ints, enums, bytes...). */
const NOTHING: LossCheck = () => {}

const checkString: LossCheck = (value, path, add) => {
  if (typeof value === 'string' && !value.isWellFormed()) {
    add({ path: formatPath(path), expected: 'well-formed Unicode (no lone surrogates)', got: describeValue(value) })
  }
}

const checkLong: LossCheck = (value, path, add) => {
  if (typeof value === 'number' && value < MIN_SAFE_AVRO_LONG) {
    add({ path: formatPath(path), expected: `long >= ${MIN_SAFE_AVRO_LONG}`, got: describeValue(value) })
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

function compile(type: Type, compiled: Map<Type, LossCheck>): LossCheck {
  const known = compiled.get(type)
  if (known !== undefined) return known
  if (type instanceof avsc.types.UnwrappedUnionType) {
    // ["null", X] unions: each check guards on the value's own kind, so trying every branch is safe
    const branches = type.types.map((t) => compile(t, compiled)).filter((c) => c !== NOTHING)
    const check: LossCheck =
      branches.length === 0
        ? NOTHING
        : branches.length === 1
          ? (branches[0] as LossCheck)
          : (value, path, add) => {
              for (const branch of branches) branch(value, path, add)
            }
    compiled.set(type, check)
    return check
  }
  if (type instanceof avsc.types.StringType) return checkString
  if (type instanceof avsc.types.LongType) return checkLong
  if (type instanceof avsc.types.RecordType) {
    const fields = new Map<string, LossCheck>()
    const check: LossCheck = (value, path, add) => {
      if (!isPlainObject(value)) return
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue
        const field = fields.get(key)
        const v = value[key]
        path.push(key)
        if (field !== undefined) field(v, path, add)
        else add({ path: formatPath(path), expected: 'nothing (not a field of the schema)', got: describeValue(v) })
        path.pop()
      }
    }
    // Set before the fields: a record may contain itself
    compiled.set(type, check)
    for (const f of type.fields) fields.set(f.name, compile(f.type, compiled))
    return check
  }
  if (type instanceof avsc.types.ArrayType) {
    const items = compile(type.itemsType, compiled)
    if (items === NOTHING) return NOTHING
    const check: LossCheck = (value, path, add) => {
      if (!Array.isArray(value)) return
      for (let i = 0; i < value.length; i++) {
        path.push(String(i))
        items(value[i], path, add)
        path.pop()
      }
    }
    compiled.set(type, check)
    return check
  }
  if (type instanceof avsc.types.MapType) {
    const values = compile(type.valuesType as Type, compiled)
    if (values === NOTHING) return NOTHING
    const check: LossCheck = (value, path, add) => {
      if (!isPlainObject(value)) return
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue
        path.push(key)
        values(value[key], path, add)
        path.pop()
      }
    }
    compiled.set(type, check)
    return check
  }
  return NOTHING
}

const cache = new WeakMap<Type, LossCheck>()

/** The compiled walk of `type` (compiled on first use, then cached). */
export function silentLosses(type: Type): LossCheck {
  let check = cache.get(type)
  if (check === undefined) {
    check = compile(type, new Map())
    cache.set(type, check)
  }
  return check
}
