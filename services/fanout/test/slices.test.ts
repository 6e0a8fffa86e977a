// inSlices: every item applied once, in order; a pause (after a checkpoint) whenever a slice's
// time is spent and items remain; none for a run that fits in one slice.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { inSlices } from '../src/slices.ts'

test('items in order, a checkpoint before every pause, pauses only when a slice is spent and items remain', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.nat(6), { maxLength: 200 }), fc.integer({ min: 1, max: 20 }), async (costs, sliceMs) => {
      let clock = 0
      const log: string[] = []
      let sinceStart = 0
      await inSlices(
        costs.map((cost, i) => ({ cost, i })),
        ({ cost, i }) => {
          clock += cost
          sinceStart += cost
          log.push(`a${i}`)
        },
        () => log.push('c'),
        {
          sliceMs,
          now: () => clock,
          pause: async () => {
            // a pause comes only after more than a slice of work, and never after the last item
            assert.ok(sinceStart > sliceMs, `paused after ${sinceStart} ms of a ${sliceMs} ms slice`)
            assert.notEqual(log.at(-2), `a${costs.length - 1}`)
            log.push('p')
            sinceStart = 0
          },
        },
      )
      assert.deepEqual(
        log.filter((e) => e.startsWith('a')),
        costs.map((_, i) => `a${i}`),
      )
      // every pause follows a checkpoint, and a run never goes more than one item past its slice
      for (let k = 0; k < log.length; k++) if (log[k] === 'p') assert.equal(log[k - 1], 'c')
      let run = 0
      for (let k = 0; k < log.length; k++) {
        const e = log[k] as string
        if (e === 'p') run = 0
        else if (e.startsWith('a')) {
          assert.ok(run <= sliceMs, `kept going after ${run} ms of a ${sliceMs} ms slice`)
          run += costs[Number(e.slice(1))] as number
        }
      }
    }),
    { numRuns: 300 },
  )
})

test('a run that fits in one slice never pauses', async () => {
  let pauses = 0
  await inSlices(
    [1, 2, 3],
    () => {},
    () => {},
    {
      sliceMs: 10,
      now: () => 0,
      pause: async () => {
        pauses++
      },
    },
  )
  assert.equal(pauses, 0)
})
