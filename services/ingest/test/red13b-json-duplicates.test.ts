// red13b: duplicateMembers finds exactly the members named again in the same object, against a
// reference that builds the JSON text from a tree whose duplicates it knows: names with quotes,
// backslashes and Bengali, spelled plain or \u-escaped; strings full of braces, commas and quotes;
// arrays of objects; random whitespace.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { duplicateMembers } from '../src/json-duplicates.ts'
import { pathOf } from '../src/json-shape.ts'

type Tree = { obj: [string, Tree][] } | { arr: Tree[] } | { leaf: string | number | boolean | null }

const name = fc.constantFrom('pubStatus', 'a', 'a"b', 'a\\', 'বিভাগ', '', '__proto__', 'x,y}')
const leaf = fc.oneof(fc.constantFrom('{"a":1}', '\\"', '"', ',', '}', ']', 'প্রকাশ'), fc.integer(), fc.boolean(), fc.constant(null))
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf.map((v) => ({ leaf: v })),
    fc.array(fc.tuple(name, tie('tree')), { maxLength: 4 }).map((obj) => ({ obj })),
    fc.array(tie('tree'), { maxLength: 3 }).map((arr) => ({ arr })),
  ),
}))

const escaped = (s: string) => `"${[...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`

function write(t: Tree, spell: () => boolean, space: () => string): string {
  if ('leaf' in t) return JSON.stringify(t.leaf)
  if ('arr' in t) return `[${t.arr.map((x) => space() + write(x, spell, space)).join(',')}${space()}]`
  const members = t.obj.map(
    ([n, v]) => `${space()}${spell() ? escaped(n) : JSON.stringify(n)}${space()}:${space()}${write(v, spell, space)}`,
  )
  return `{${members.join(',')}${space()}}`
}

function expected(t: Tree, path: (string | number)[] = [], out: string[] = []): string[] {
  if ('arr' in t) for (const [i, x] of t.arr.entries()) expected(x, [...path, i], out)
  if ('obj' in t) {
    const seen = new Set<string>()
    for (const [n, v] of t.obj) {
      if (seen.has(n)) out.push(pathOf([...path, n]))
      seen.add(n)
      expected(v, [...path, n], out)
    }
  }
  return out
}

test('property: duplicateMembers names every member given twice in one object, and nothing else', () => {
  fc.assert(
    fc.property(
      tree,
      fc.array(fc.boolean(), { minLength: 1 }),
      fc.array(fc.constantFrom('', ' ', '\n', '\t '), { minLength: 1 }),
      (t, spells, spaces) => {
        let i = 0
        let j = 0
        const text = write(
          t,
          () => spells[i++ % spells.length] as boolean,
          () => spaces[j++ % spaces.length] as string,
        )
        JSON.parse(text)
        assert.deepEqual(
          duplicateMembers(text)
            .map((e) => e.field)
            .sort(),
          expected(t).sort(),
          text,
        )
      },
    ),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 2000) },
  )
})
