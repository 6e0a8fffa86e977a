// Several bursts measured as one: CPU, deliveries and time add up, per-delivery figures weigh by
// deliveries, latency percentiles come from the merged histograms and stalls are the worst run's.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PhaseFigures } from './broadcast-figures.ts'
import { mergePhases } from './broadcast-figures.ts'
import { Histogram, summarize } from './stats.ts'

function run(deliveries: number, cpuUs: number, seconds: number, latenciesUs: number[], loopMaxMs: number): PhaseFigures {
  const latency = new Histogram()
  for (const us of latenciesUs) latency.record(us)
  return {
    deliveries,
    expected: deliveries,
    deliveredPerSec: deliveries / seconds,
    lat: summarize(latency),
    latency,
    serverCpuUs: cpuUs,
    cpuPerDeliveryUs: cpuUs / deliveries,
    writesPerDelivery: 1000 / deliveries,
    bytesPerDelivery: 2000,
    clientCpuPct: 100,
    clientCpuPerDeliveryUs: (100 * 1e4 * seconds) / deliveries,
    machineCpuPct: 150,
    loop: { maxMs: loopMaxMs, p99Ms: loopMaxMs, meanMs: 10 },
    gc: { count: 1, totalMs: 2, maxMs: 2, majorMaxMs: 0 },
    duplicates: 0,
    complete: true,
    seconds,
  }
}

test('bursts merged: sums, figures per delivery over all of them (not a mean of ratios), the longest stall', () => {
  const a = run(200_000, 80_000, 0.4, [100_000, 200_000], 40)
  const b = run(600_000, 480_000, 0.6, [300_000, 400_000], 90)
  const m = mergePhases([a, b])
  assert.equal(m.deliveries, 800_000)
  assert.equal(m.serverCpuUs, 560_000)
  // 0.7, where a mean of the two runs' ratios (0.4 and 0.8) would say 0.6
  assert.equal(m.cpuPerDeliveryUs, 0.7)
  assert.equal(m.seconds, 1)
  assert.equal(m.deliveredPerSec, 800_000)
  assert.equal(m.writesPerDelivery, 2000 / 800_000)
  assert.equal(m.loop.maxMs, 90)
  assert.equal(m.gc.count, 2)
  assert.equal(m.latency.count, 4)
  assert.equal(m.lat.maxMs, summarize(m.latency).maxMs)
  assert.ok(m.lat.maxMs >= 399 && m.lat.maxMs <= 401, `max ${m.lat.maxMs}`)
  assert.equal(m.complete, true)
  assert.equal(mergePhases([a, { ...b, complete: false }]).complete, false)
})

test('one burst is itself, and none is an error', () => {
  const a = run(1000, 500, 0.1, [1000], 5)
  assert.equal(mergePhases([a]), a)
  assert.throws(() => mergePhases([]), /no runs/)
})
