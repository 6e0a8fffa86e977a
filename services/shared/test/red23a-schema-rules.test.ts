// red23a attack run (2026-12-07), mixed versions: schemas/README.md's evolution rules, checked.
// The fingerprints were pinned, but a fingerprint is taken of the Parsing Canonical Form, which
// drops `default` and `aliases`: a published file could change what every reader resolves (an
// enum's default, so a symbol an older reader does not know reads as `usable` instead of a hold;
// a field's default; an alias that renames) and keep its fingerprint, and no test said so. Nor did
// one check a new version against the one before it (fields only added, with defaults; symbols only
// appended, to enums with a default). Both are checked here, for every published pair, and each
// check is shown to refuse a schema that breaks it.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'
import { loadSchemas } from '../src/codec.ts'
import { rawSchema, schemasDir } from './support/events.ts'

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
type Obj = { [k: string]: Json }
const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The schema without `doc`: everything a reader resolves by (defaults and aliases included). */
function resolving(s: Json): Json {
  if (Array.isArray(s)) return s.map(resolving)
  if (!isObj(s)) return s
  return Object.fromEntries(
    Object.entries(s)
      .filter(([k]) => k !== 'doc')
      .map(([k, v]) => [k, resolving(v)]),
  )
}

const digest = (s: Json) =>
  createHash('sha256')
    .update(JSON.stringify(resolving(s)))
    .digest('hex')
    .slice(0, 16)

// What readers of each published file resolve by (not only its fingerprint): a new version is a new file
const resolvingDigests: Record<number, string> = {
  1: 'f690b439fd28003e',
  2: '31da6c4a52641c51',
  3: '5dfa4fb991843b4f',
}

/** Named types of a schema by name (records and enums), for the comparison of one version with the next. */
function named(s: Json, into = new Map<string, Obj>()): Map<string, Obj> {
  if (Array.isArray(s)) for (const b of s) named(b, into)
  else if (isObj(s)) {
    if ((s.type === 'record' || s.type === 'enum') && typeof s.name === 'string') into.set(s.name, s)
    if (Array.isArray(s.fields)) for (const f of s.fields) if (isObj(f)) named(f.type ?? null, into)
    if (s.items !== undefined) named(s.items, into)
    if (isObj(s.type) || Array.isArray(s.type)) named(s.type, into)
  }
  return into
}

/** A type as a reader resolves it, a named type by its name (its own rules are checked by name). */
const shape = (t: Json | undefined): string =>
  JSON.stringify(t, (_k, v: Json) => (isObj(v) && typeof v.name === 'string' && (v.type === 'record' || v.type === 'enum') ? v.name : v))

/** What breaks schemas/README.md's "Evolution rules" from `older` to `newer` (empty: nothing). */
function evolutionProblems(older: Json, newer: Json): string[] {
  const problems: string[] = []
  const before = named(older)
  const after = named(newer)
  for (const [name, o] of before) {
    const n = after.get(name)
    if (n === undefined) {
      problems.push(`${name}: removed or renamed`)
      continue
    }
    if (o.type === 'enum') {
      const os = o.symbols as string[]
      const ns = n.symbols as string[]
      if (os.some((s, i) => ns[i] !== s)) problems.push(`${name}: symbols not only appended`)
      if (ns.length > os.length && typeof n.default !== 'string') problems.push(`${name}: symbols added to an enum without a default`)
      if (n.default !== o.default) problems.push(`${name}: default changed`)
      continue
    }
    const of = o.fields as Obj[]
    const nf = n.fields as Obj[]
    for (const f of of) {
      const g = nf.find((x) => x.name === f.name)
      if (g === undefined) problems.push(`${name}.${f.name}: removed or renamed`)
      else if (shape(g.type) !== shape(f.type)) problems.push(`${name}.${f.name}: retyped`)
      else if (JSON.stringify(g.default) !== JSON.stringify(f.default)) problems.push(`${name}.${f.name}: default changed`)
    }
    for (const g of nf)
      if (!of.some((f) => f.name === g.name) && !('default' in g)) problems.push(`${name}.${g.name}: added without a default`)
  }
  for (const [name, n] of after) if (Array.isArray(n.aliases) && n.aliases.length > 0) problems.push(`${name}: aliases`)
  return problems
}

/** The defaults that keep an older reader closed to what it cannot read (README "Evolution rules"). */
function defaultProblems(s: Json): string[] {
  const types = named(s)
  const problems: string[] = []
  if (types.get('EventType')?.default !== 'UNKNOWN') problems.push('EventType: an unknown type must read as UNKNOWN (skipped)')
  const pub = types.get('PubStatus')?.default
  if (pub === undefined || pub === 'usable') problems.push('PubStatus: an unknown status must read as a hold, never usable')
  for (const [name, t] of types) if (t.type === 'enum' && typeof t.default !== 'string') problems.push(`${name}: enum without a default`)
  return problems
}

const versions = loadSchemas(schemasDir).versions.map((v) => v.version)
const raw = (v: number) => rawSchema(v) as Json

describe('schema evolution rules (schemas/README.md)', () => {
  test('a published file never changes what its readers resolve by, doc aside', () => {
    for (const v of versions)
      assert.equal(digest(raw(v)), resolvingDigests[v], `article-event.v${v}.avsc changed (a new version is a new file)`)
  })

  test('each version keeps the rules against the one before it, and the defaults keep older readers closed', () => {
    for (const [i, v] of versions.entries()) {
      assert.deepEqual(defaultProblems(raw(v)), [], `v${v}`)
      if (i > 0) assert.deepEqual(evolutionProblems(raw(versions[i - 1] as number), raw(v)), [], `v${versions[i - 1]} → v${v}`)
    }
  })

  test('the checks refuse what breaks a rule', () => {
    const current = raw(versions.at(-1) as number)
    const edit = (f: (s: Obj) => void): Json => {
      const s = structuredClone(current) as Obj
      f(s)
      return s
    }
    const field = (s: Obj, name: string) => (s.fields as Obj[]).find((x) => x.name === name) as Obj
    const article = (s: Obj) => field(s, 'article').type as Obj
    const pubStatus = (s: Obj) => field(article(s), 'pubStatus').type as Obj
    const eventType = (s: Obj) => field(s, 'type').type as Obj
    const cases: [string, Json, RegExp][] = [
      ['an enum default to usable', edit((s) => (pubStatus(s).default = 'usable')), /PubStatus: default changed/],
      ['a symbol in the middle', edit((s) => (eventType(s).symbols as string[]).splice(1, 0, 'ERASED')), /not only appended/],
      [
        'a field without a default',
        edit((s) => (article(s).fields as Obj[]).push({ name: 'x', type: 'string' })),
        /added without a default/,
      ],
      ['a field removed', edit((s) => (article(s).fields as Obj[]).splice(2, 1)), /url: removed/],
      ['a field retyped', edit((s) => (field(article(s), 'urgency').type = 'long')), /urgency: retyped/],
      ['a field default changed', edit((s) => (field(article(s), 'urgency').default = 1)), /urgency: default changed/],
      ['an alias', edit((s) => (article(s).aliases = ['Story'])), /aliases/],
    ]
    for (const [what, bad, expected] of cases) {
      assert.match(evolutionProblems(current, bad).join('; '), expected, what)
      assert.notEqual(digest(bad), digest(current), what)
    }
    assert.match(defaultProblems(edit((s) => (pubStatus(s).default = 'usable'))).join('; '), /never usable/)
    assert.match(defaultProblems(edit((s) => (eventType(s).default = 'UPDATED'))).join('; '), /UNKNOWN/)
  })
})
