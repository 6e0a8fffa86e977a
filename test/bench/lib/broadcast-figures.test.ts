// Several bursts measured as one: CPU, deliveries and time add up, per-delivery figures weigh by
// deliveries, latency percentiles come from the merged histograms and stalls are the worst run's;
// and what publish prints of a run.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PhaseFigures, ServerFigures, ServerKind } from './broadcast-figures.ts'
import { mergePhases, publish } from './broadcast-figures.ts'
import { Report } from './report.ts'
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

test("every fan-out's connect figures are printed, fanout-deflate's too", () => {
  const lines: string[] = []
  const report = new Report('fanout-broadcast', (l) => lines.push(l))
  const phase = run(1000, 500, 0.1, [1000], 5)
  const server = (name: string, connectSeconds: number): ServerFigures => ({
    name,
    connectSeconds,
    connectFailed: 0,
    rssPerConnKiB: 6,
    heapPerConnKiB: 4,
    connectCpuUsPerConn: 180,
    reconnectSeconds: 2,
    reconnectCpuUsPerConn: 130,
    connectLoop: phase.loop,
    connectGc: phase.gc,
    steady: phase,
    burst: phase,
  })
  const figures = new Map<ServerKind, ServerFigures>([
    ['fanout-batch', server('fanout-batch', 3.4)],
    ['fanout-deflate', server('fanout-deflate', 3.6)],
    ['preframed', server('baseline-b-preframed', 3.3)],
  ])
  publish({ report }, 10_000, 5, 50, figures)
  const idle = lines.filter((l) => l.includes('phase=idle'))
  for (const [name, s] of [
    ['fanout-batch', 3.4],
    ['fanout-deflate', 3.6],
    ['baseline-b-preframed', 3.3],
  ] as const)
    assert.ok(
      idle.some((l) => l.includes(`of=${name} `) && l.includes(`connect_s=${s}`)),
      `${name}'s connect figures: ${idle.join('\n')}`,
    )
})
