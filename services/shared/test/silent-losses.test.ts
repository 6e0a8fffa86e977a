// Holds the compiled walk of silent-losses.ts equal to the interpreted walk it replaced (copied
// below as it was in codec.ts), on events of every schema version with random damage: undeclared
// keys, lone surrogates, longs past what avsc writes right, values of the wrong kind anywhere.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import avsc from 'avsc'
import type { Type } from 'avsc'
import fc from 'fast-check'
import { loadSchemas } from '../src/codec.ts'
import { MIN_SAFE_AVRO_LONG, silentLosses } from '../src/silent-losses.ts'
import type { AddProblem, CodecProblem } from '../src/silent-losses.ts'
import { entryEvent, fullEvent } from './support/events.ts'

const schemas = loadSchemas()

// ---- The walk as it was (codec.ts before the compiled one), the reference ----

function oldDescribeValue(value: unknown): string {
  if (value === undefined) return 'nothing (missing)'
  if (value === null) return 'null'
  if (Array.isArray(value)) return `array of ${value.length}`
  if (typeof value === 'string') return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}...` : JSON.stringify(value)
  if (typeof value === 'object') return 'object'
  return `${typeof value} ${String(value)}`
}
function oldFormatPath(path: readonly string[]): string {
  let out = ''
  for (const seg of path) out += /^[0-9]+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`
  return out === '' ? '(root)' : out
}
function interpreted(type: Type, value: unknown, path: string[], add: AddProblem): void {
  if (type instanceof avsc.types.UnwrappedUnionType) {
    // ["null", X] unions: each check below guards on the value's own kind, so trying every branch is safe
    for (const branch of type.types) interpreted(branch, value, path, add)
  } else if (type instanceof avsc.types.StringType) {
    if (typeof value === 'string' && !value.isWellFormed()) {
      add({ path: oldFormatPath(path), expected: 'well-formed Unicode (no lone surrogates)', got: oldDescribeValue(value) })
    }
  } else if (type instanceof avsc.types.LongType) {
    if (typeof value === 'number' && value < MIN_SAFE_AVRO_LONG) {
      add({ path: oldFormatPath(path), expected: `long >= ${MIN_SAFE_AVRO_LONG}`, got: oldDescribeValue(value) })
    }
  } else if (value === null || typeof value !== 'object') {
    return
  } else if (type instanceof avsc.types.RecordType) {
    if (Array.isArray(value)) return
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue
      const v = (value as Record<string, unknown>)[key]
      const field = type.field(key)
      path.push(key)
      if (field) interpreted(field.type, v, path, add)
      else add({ path: oldFormatPath(path), expected: 'nothing (not a field of the schema)', got: oldDescribeValue(v) })
      path.pop()
    }
  } else if (type instanceof avsc.types.ArrayType) {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(String(i))
        interpreted(type.itemsType, value[i], path, add)
        path.pop()
      }
    }
  } else if (type instanceof avsc.types.MapType) {
    if (!Array.isArray(value)) {
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue
        path.push(key)
        interpreted(type.valuesType as Type, (value as Record<string, unknown>)[key], path, add)
        path.pop()
      }
    }
  }
}

// ---- Random damage ----

/** Every object and array inside `v` (itself included). */
function containers(v: unknown, out: object[] = []): object[] {
  if (v !== null && typeof v === 'object') {
    out.push(v)
    for (const x of Object.values(v)) containers(x, out)
  }
  return out
}

// Keys named after Object.prototype's members are left out, as keys and inside inserted values:
// avsc's field lookup (and so the old walk) finds those on the prototype and misses them as
// undeclared; the compiled walk flags them (see the test at the end). fast-check's jsonValue
// favours such keys ("toString", "constructor"), so they are filtered there too.
const ordinaryKey = (k: string) => !(k in Object.prototype)
const key = fc.oneof(
  fc.constantFrom('article', 'body', 'headline', 'entry', 'related', 'id', 'version', 'urgency', 'publishedAt', 'extra', '0', '1'),
  fc.string({ maxLength: 6 }).filter(ordinaryKey),
)
/** No object inside `v` has an own key named like a member of Object.prototype. */
function ordinaryKeys(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true
  if (Array.isArray(v)) return v.every(ordinaryKeys)
  return Object.entries(v).every(([k, x]) => ordinaryKey(k) && ordinaryKeys(x))
}
const damaged: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('\ud800', 'a\udc00b', MIN_SAFE_AVRO_LONG - 2, -(2 ** 60), null, [], {}, 'ok', 3, true),
  fc.jsonValue({ maxDepth: 2 }).filter(ordinaryKeys),
)
const damage = fc.array(fc.record({ at: fc.nat(), kind: fc.constantFrom('set', 'add', 'push'), key, value: damaged }), { maxLength: 6 })

function applyDamage(base: unknown, steps: { at: number; kind: string; key: string; value: unknown }[]): unknown {
  const root = structuredClone(base)
  for (const s of steps) {
    const all = containers(root)
    if (all.length === 0) break
    // A copy: the same [] or {} inserted twice and then filled would make a cycle
    const value = structuredClone(s.value)
    const target = all[s.at % all.length] as Record<string, unknown> | unknown[]
    if (Array.isArray(target)) {
      if (s.kind === 'push' || target.length === 0) target.push(value)
      else target[s.at % target.length] = value
    } else if (s.kind === 'set') {
      const keys = Object.keys(target)
      if (keys.length > 0) target[keys[s.at % keys.length] as string] = value
    } else target[s.key] = value
  }
  return root
}

function problems(walk: (type: Type, value: unknown, path: string[], add: AddProblem) => void, type: Type, value: unknown): CodecProblem[] {
  const found: CodecProblem[] = []
  walk(type, value, [], (p) => found.push(p))
  return found
}

test('the compiled walk finds the same problems, in the same order, as the interpreted one', () => {
  const bases: unknown[] = [fullEvent(), entryEvent(), fullEvent().article, 'text', null, 5]
  let found = 0
  fc.assert(
    fc.property(fc.constantFrom(...schemas.versions), fc.constantFrom(...bases), damage, (version, base, steps) => {
      const value = applyDamage(base, steps)
      const compiled = problems((t, v, p, a) => silentLosses(t)(v, p, a), version.type, value)
      assert.deepEqual(compiled, problems(interpreted, version.type, value))
      if (compiled.length > 0) found++
    }),
    { numRuns: 1500 },
  )
  // The damage must reach what the walk checks, or this compares two empty lists
  assert.ok(found > 300, `${found} of 1500 values had a problem`)
})

test('it finds what it is for: an undeclared field, a lone surrogate, a long avsc writes wrong', () => {
  const event = fullEvent() as unknown as { article: Record<string, unknown>; extra?: number }
  event.extra = 1
  event.article.headline = 'half an emoji \ud83c'
  event.article.publishedAt = MIN_SAFE_AVRO_LONG - 2
  const found = problems((t, v, p, a) => silentLosses(t)(v, p, a), schemas.current.type, event)
  assert.deepEqual(
    found.map((p) => p.path),
    ['article.headline', 'article.publishedAt', 'extra'],
  )
  assert.deepEqual(
    problems((t, v, p, a) => silentLosses(t)(v, p, a), schemas.current.type, fullEvent()),
    [],
  )
})

test('an undeclared field named like a member of Object.prototype is flagged (the interpreted walk missed it)', () => {
  for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
    const event = fullEvent() as unknown as { article: Record<string, unknown> }
    event.article[name] = { a: 1 }
    const found = problems((t, v, p, a) => silentLosses(t)(v, p, a), schemas.current.type, event)
    assert.deepEqual(
      found.map((p) => p.path),
      [`article.${name}`],
    )
    assert.deepEqual(problems(interpreted, schemas.current.type, event), [], 'the old walk missed it')
    // and avsc's own check lets it through too: only this walk stops it from vanishing on the wire
    assert.ok((schemas.current.type as Type).isValid(event, { noUndeclaredFields: true }))
  }
})

test('a recursive record compiles and is walked', () => {
  const tree = avsc.Type.forSchema({
    type: 'record',
    name: 'Node',
    fields: [
      { name: 'label', type: 'string' },
      { name: 'children', type: { type: 'array', items: 'Node' } },
    ],
  }) as Type
  const value = { label: 'a', children: [{ label: 'b', children: [{ label: '\udfff', children: [], x: 1 }] }] }
  const found = problems((t, v, p, a) => silentLosses(t)(v, p, a), tree, value)
  assert.deepEqual(found, problems(interpreted, tree, value))
  assert.deepEqual(
    found.map((p) => p.path),
    ['children[0].children[0].label', 'children[0].children[0].x'],
  )
})
