// The targets of fanout-broadcast: judged per round from the figures, and over rounds by the median.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PhaseFigures, ServerFigures, ServerKind } from './broadcast-figures.ts'
import { medianTargets, met, targetsOf } from './broadcast-targets.ts'
import type { Target } from './broadcast-targets.ts'
import { Histogram, summarize } from './stats.ts'

function phase(deliveredPerSec: number, cpuPerDeliveryUs: number, p99Us: number, extra: Partial<PhaseFigures> = {}): PhaseFigures {
  const latency = new Histogram()
  latency.record(p99Us)
  return {
    deliveries: 1000,
    expected: 1000,
    deliveredPerSec,
    lat: summarize(latency),
    latency,
    serverCpuUs: cpuPerDeliveryUs * 1000,
    cpuPerDeliveryUs,
    writesPerDelivery: 1,
    bytesPerDelivery: 2000,
    clientCpuPct: 100,
    clientCpuPerDeliveryUs: 3,
    machineCpuPct: 150,
    loop: { maxMs: 20, p99Ms: 10, meanMs: 5 },
    gc: { count: 1, totalMs: 2, maxMs: 2, majorMaxMs: 0 },
    duplicates: 0,
    complete: true,
    seconds: 1,
    ...extra,
  }
}

function server(name: string, o: { steady: PhaseFigures; burst: PhaseFigures; connectSeconds?: number }): ServerFigures {
  return {
    name,
    connectSeconds: o.connectSeconds ?? 2,
    connectFailed: 0,
    rssPerConnKiB: 8,
    heapPerConnKiB: 4,
    connectCpuUsPerConn: 150,
    reconnectSeconds: 1,
    reconnectCpuUsPerConn: 100,
    connectLoop: { maxMs: 30, p99Ms: 20, meanMs: 5 },
    connectGc: { count: 1, totalMs: 2, maxMs: 2, majorMaxMs: 0 },
    steady: o.steady,
    burst: o.burst,
  }
}

const key = (t: Target) => `${t.labels.phase} ${t.metric}`

function judge(fanoutBurstCpu: number, complete = true): Target[] {
  const figures = new Map<ServerKind, ServerFigures>([
    [
      'fanout',
      server('fanout', {
        steady: phase(50_000, 12, 40_000, { complete }),
        burst: phase(450_000, fanoutBurstCpu, 500_000),
        connectSeconds: 3,
      }),
    ],
    ['preframed', server('preframed', { steady: phase(50_000, 10, 30_000), burst: phase(500_000, 1, 450_000) })],
  ])
  return targetsOf(10_000, 5, figures)
}

test('one round: each target of the servers that ran, with its value and verdict', () => {
  const ts = judge(1.4)
  const byKey = new Map(ts.map((t) => [key(t), t]))
  assert.deepEqual(
    [...byKey.keys()],
    [
      'burst delivered/s_ratio',
      'steady delivered/s_ratio',
      'steady server_cpu_us/delivery_ratio',
      'burst server_cpu_us/delivery_ratio',
      'idle connect_s_ratio',
      'steady p99_ms_minus_baseline',
      'all loop_max_ms',
      'idle rss_kib/conn',
    ],
  )
  const verdict = (k: string) => {
    const t = byKey.get(k)
    assert.ok(t, k)
    return [Number(t.value.toFixed(3)), met(t)]
  }
  assert.deepEqual(verdict('burst delivered/s_ratio'), [0.9, true])
  assert.deepEqual(verdict('steady server_cpu_us/delivery_ratio'), [1.2, true])
  assert.deepEqual(verdict('burst server_cpu_us/delivery_ratio'), [1.4, true])
  assert.deepEqual(verdict('idle connect_s_ratio'), [1.5, false])
  assert.equal(byKey.get('idle connect_s_ratio')?.detail, '(2.00 s)')
  assert.equal(byKey.get('steady p99_ms_minus_baseline')?.limit, 10)
  assert.equal(met(byKey.get('all loop_max_ms') as Target), true)
  // the limit itself meets a target, from either side
  for (const t of ts) assert.equal(met({ ...t, value: t.limit }), true, key(t))
  // no baseline, no ratio targets; no fan-out, nothing to judge
  assert.deepEqual(
    targetsOf(1000, 50, new Map([['preframed', server('preframed', { steady: phase(1, 1, 1), burst: phase(1, 1, 1) })]])),
    [],
  )
})

test('a round in which some client missed an event delivered nothing, whatever its rate', () => {
  const steady = (ts: Target[]) => ts.find((t) => key(t) === 'steady delivered/s_ratio')
  assert.equal(steady(judge(1.4))?.value, 1)
  assert.equal(steady(judge(1.4, false))?.value, 0)
  assert.equal(met(steady(judge(1.4, false)) as Target), false)
})

test('over rounds: the median of each target, labelled with its rounds, without one round reference', () => {
  const rounds = [judge(1.4), judge(1.2), judge(2.9)]
  const m = medianTargets(rounds)
  assert.deepEqual(m.map(key), rounds[0]?.map(key))
  const burstCpu = (ts: Target[]) => ts.find((t) => key(t) === 'burst server_cpu_us/delivery_ratio') as Target
  // 1.2, 1.4, 2.9: one bad round does not decide it; their mean (1.83) would have
  assert.equal(burstCpu(m).value, 1.4)
  assert.equal(burstCpu(m).labels.rounds, 3)
  assert.equal(met(burstCpu(m)), true)
  assert.equal(met(burstCpu(medianTargets([judge(1.6), judge(1.2), judge(2.9)]))), false)
  assert.equal(m.find((t) => key(t) === 'idle connect_s_ratio')?.detail, undefined)
  // an even number of rounds: the middle two, averaged
  assert.equal(Number(burstCpu(medianTargets([judge(1.2), judge(1.6)])).value.toFixed(6)), 1.4)
  // a target only some rounds judged is the median of those
  const partial = medianTargets([judge(1.2), judge(1.6).filter((t) => t.metric !== 'rss_kib/conn')])
  assert.equal(partial.find((t) => t.metric === 'rss_kib/conn')?.labels.rounds, 1)
  assert.deepEqual(medianTargets([]), [])
})
