import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { applyMergePatch } from '../src/merge-patch.ts'

test('RFC 7396 appendix A: every example', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ]
  for (const [target, patch, result] of cases) {
    assert.deepEqual(applyMergePatch(target, patch), result, `${JSON.stringify(target)} + ${JSON.stringify(patch)}`)
  }
})

test('a __proto__ member is an own field of the result, never a prototype', () => {
  const patch = JSON.parse('{"__proto__": {"polluted": true}, "headline": "x"}') as unknown
  const out = applyMergePatch({ a: 1 }, patch) as Record<string, unknown>
  assert.equal(Object.getPrototypeOf(out), Object.prototype)
  assert.ok(Object.hasOwn(out, '__proto__'))
  assert.deepEqual(Object.keys(out).sort(), ['__proto__', 'a', 'headline'])
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
})

test('properties: neither input changes; patching with the result of a diff-free patch is idempotent', () => {
  const json = fc.jsonValue({ maxDepth: 3 })
  fc.assert(
    fc.property(json, json, (target, patch) => {
      const before = JSON.stringify([target, patch])
      const once = applyMergePatch(target, patch)
      assert.equal(JSON.stringify([target, patch]), before)
      // applying the same patch twice changes nothing more (RFC 7396 patches are idempotent)
      assert.deepEqual(applyMergePatch(once, patch), once)
    }),
    { numRuns: 500 },
  )
})
