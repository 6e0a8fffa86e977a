// The harness's verdicts: --check's exit decision and the open-files refusal.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fdShortfall } from './fanout-bench.ts'
import { Report } from './report.ts'

const quiet = () => {}

test('--check passes only when targets were evaluated and every one was met', () => {
  const none = new Report('s', quiet)
  none.ratio({ clients: 10 }, 'deliveries/s', 90, { name: 'b', value: 100 })
  assert.match(none.checkVerdict() ?? '', /evaluated no target/)

  const met = new Report('s', quiet)
  met.target({ clients: 1000 }, 'p99_ms', 20, 'p99 <= 25 ms', true)
  assert.equal(met.checkVerdict(), null)

  const missed = new Report('s', quiet)
  missed.target({ clients: 1000 }, 'p99_ms', 20, 'p99 <= 25 ms', true)
  missed.target({ clients: 10000, phase: 'burst' }, 'ratio', 0.812, 'deliveries/s >= 0.9 x b', false)
  assert.equal(missed.checkVerdict(), '1 of 2 targets MISSED:\n  clients=10000 phase=burst ratio=0.812 target="deliveries/s >= 0.9 x b"')
})

test('50,000 clients on a 20,000 open-file limit are refused with the ulimit -n to use', () => {
  const why = fdShortfall(20_000, 12_500, 50_000)
  assert.equal(
    why,
    'open file limit is 20000, but a process here needs about 50200 descriptors: raise it first (ulimit -n 100400), or use fewer clients',
  )
  assert.equal(fdShortfall(20_000, 2_500, 10_000), null)
  assert.equal(fdShortfall(Number.POSITIVE_INFINITY, 1e6, 1e6), null)
})
