import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { SmallMap } from '../src/small-map.ts'

type Op = { op: 'set'; key: string; value: number } | { op: 'delete'; key: string } | { op: 'clear' }

const key = fc.constantFrom('s1', 's2', 's3', 'b')
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
)

test('SmallMap answers like a Map (size, get, has, delete, entries and values in insertion order) after any sequence of changes', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const map = new Map<string, number>()
      const small = new SmallMap<number>()
      for (const o of ops) {
        if (o.op === 'set') {
          map.set(o.key, o.value)
          assert.equal(small.set(o.key, o.value), small)
        } else if (o.op === 'delete') assert.equal(small.delete(o.key), map.delete(o.key))
        else {
          map.clear()
          small.clear()
        }
        assert.equal(small.size, map.size)
        for (const k of ['s1', 's2', 's3', 'b', 'x']) {
          assert.equal(small.get(k), map.get(k))
          assert.equal(small.has(k), map.has(k))
        }
        assert.deepEqual([...small], [...map])
        assert.deepEqual([...small.values()], [...map.values()])
      }
    }),
  )
})
