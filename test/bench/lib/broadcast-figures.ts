// fanout-broadcast's figures and what it prints of them: ratios against the baselines and the
// peer (Centrifugo), absolute lines and notes on noise (the targets: broadcast-targets.ts).
import type { ScenarioContext } from './scenario.ts'
import type { Labels } from './report.ts'
import type { GcPauses, LoopDelay } from './server-probe.ts'
import { Histogram, summarize } from './stats.ts'

export type ServerKind = 'fanout' | 'fanout-batch' | 'fanout-deflate' | 'preframed' | 'ws-send' | 'centrifugo'
export const kinds: readonly ServerKind[] = ['fanout', 'fanout-batch', 'fanout-deflate', 'preframed', 'ws-send', 'centrifugo']

export interface PhaseFigures {
  deliveries: number
  expected: number
  deliveredPerSec: number
  lat: ReturnType<typeof summarize>
  /** What `lat` summarizes (merging phases merges these). */
  latency: Histogram
  serverCpuUs: number
  cpuPerDeliveryUs: number
  /** write syscalls and bytes written by the server per delivery (/proc/<pid>/io) */
  writesPerDelivery: number
  bytesPerDelivery: number
  clientCpuPct: number
  /** client processes' CPU per delivery */
  clientCpuPerDeliveryUs: number
  machineCpuPct: number
  loop: LoopDelay
  gc: GcPauses
  duplicates: number
  complete: boolean
  seconds: number
}

export interface ServerFigures {
  name: string
  connectSeconds: number
  connectFailed: number
  rssPerConnKiB: number
  heapPerConnKiB: number
  /** Server CPU per connection while connecting (handshake, subscribe, first write): the cost, apart from how fast the clients are. */
  connectCpuUsPerConn: number
  /** The same clients connecting again after they all left: the server's code is warm. */
  reconnectSeconds: number
  reconnectCpuUsPerConn: number
  connectLoop: LoopDelay
  connectGc: GcPauses
  steady: PhaseFigures
  burst: PhaseFigures
}

/**
 * Several runs of one phase as one: counts, CPU and time add up and per-delivery figures are
 * weighted by deliveries, so a short burst measured three times weighs like one three times as long.
 * Stalls are the longest of any run.
 */
export function mergePhases(runs: readonly PhaseFigures[]): PhaseFigures {
  const first = runs[0]
  if (first === undefined) throw new Error('mergePhases: no runs')
  if (runs.length === 1) return first
  const sum = (f: (p: PhaseFigures) => number) => runs.reduce((a, p) => a + f(p), 0)
  const max = (f: (p: PhaseFigures) => number) => Math.max(...runs.map(f))
  const deliveries = sum((p) => p.deliveries)
  const seconds = sum((p) => p.seconds)
  const perDelivery = (f: (p: PhaseFigures) => number) => sum((p) => f(p) * p.deliveries) / Math.max(1, deliveries)
  const perSecond = (f: (p: PhaseFigures) => number) => sum((p) => f(p) * p.seconds) / Math.max(seconds, 1e-9)
  const latency = new Histogram()
  for (const p of runs) latency.merge(p.latency)
  const serverCpuUs = sum((p) => p.serverCpuUs)
  return {
    deliveries,
    expected: sum((p) => p.expected),
    deliveredPerSec: deliveries / Math.max(seconds, 1e-9),
    lat: summarize(latency),
    latency,
    serverCpuUs,
    cpuPerDeliveryUs: serverCpuUs / Math.max(1, deliveries),
    writesPerDelivery: perDelivery((p) => p.writesPerDelivery),
    bytesPerDelivery: perDelivery((p) => p.bytesPerDelivery),
    clientCpuPct: perSecond((p) => p.clientCpuPct),
    clientCpuPerDeliveryUs: perDelivery((p) => p.clientCpuPerDeliveryUs),
    machineCpuPct: perSecond((p) => p.machineCpuPct),
    loop: { maxMs: max((p) => p.loop.maxMs), p99Ms: max((p) => p.loop.p99Ms), meanMs: perSecond((p) => p.loop.meanMs) },
    gc: {
      count: sum((p) => p.gc.count),
      totalMs: sum((p) => p.gc.totalMs),
      maxMs: max((p) => p.gc.maxMs),
      majorMaxMs: max((p) => p.gc.majorMaxMs),
    },
    duplicates: sum((p) => p.duplicates),
    complete: runs.every((p) => p.complete),
    seconds,
  }
}

/** Machine CPU not used by the server or the clients (the broker and the event source are in it too), % of one core. */
function otherCpu(p: PhaseFigures): number {
  return Math.max(0, p.machineCpuPct - (p.serverCpuUs / 1e6 / Math.max(p.seconds, 1e-3)) * 100 - p.clientCpuPct)
}

/** Prints one round's figures; `extra` labels every line (`round` with --rounds). The targets are broadcast-targets.ts'. */
export function publish(
  ctx: Pick<ScenarioContext, 'report'>,
  n: number,
  rate: number,
  burst: number,
  figures: ReadonlyMap<ServerKind, ServerFigures>,
  extra: Labels = {},
): void {
  const { report } = ctx
  const f = figures.get('fanout')
  const fb = figures.get('fanout-batch')
  const fz = figures.get('fanout-deflate')
  const b = figures.get('preframed')
  const a = figures.get('ws-send')
  const c = figures.get('centrifugo')
  // the peer is compared like a baseline, and on what its clients spend too
  const baselines = [b, a, c].filter((x): x is ServerFigures => x !== undefined)
  for (const [phaseName, pick] of [
    ['steady', (x: ServerFigures) => x.steady],
    ['burst', (x: ServerFigures) => x.burst],
  ] as const) {
    const labels: Labels = { clients: n, phase: phaseName, ...(phaseName === 'steady' ? { 'rate/s': rate } : { events: burst }), ...extra }
    if (f && fb) {
      // the same server, clients asking for batches: what the reader saves, and what it costs the server
      const vs = { name: 'fanout' }
      report.ratio(labels, 'clients_cpu_us/delivery', pick(fb).clientCpuPerDeliveryUs, { ...vs, value: pick(f).clientCpuPerDeliveryUs })
      report.ratio(labels, 'server_cpu_us/delivery', pick(fb).cpuPerDeliveryUs, { ...vs, value: pick(f).cpuPerDeliveryUs })
      report.ratio(labels, 'p50_ms', pick(fb).lat.p50Ms, { ...vs, value: pick(f).lat.p50Ms })
      report.ratio(labels, 'p99_ms', pick(fb).lat.p99Ms, { ...vs, value: pick(f).lat.p99Ms })
    }
    if (fz) {
      // compressed batches (FANOUT_BATCH_DEFLATE): a group's batches compressed once per write
      for (const base of [fb, b]) {
        if (!base) continue
        const vs = { name: base.name }
        report.ratio(labels, 'server_cpu_us/delivery', pick(fz).cpuPerDeliveryUs, { ...vs, value: pick(base).cpuPerDeliveryUs })
        report.ratio(labels, 'clients_cpu_us/delivery', pick(fz).clientCpuPerDeliveryUs, {
          ...vs,
          value: pick(base).clientCpuPerDeliveryUs,
        })
        report.ratio(labels, 'p99_ms', pick(fz).lat.p99Ms, { ...vs, value: pick(base).lat.p99Ms })
      }
    }
    if (f) {
      for (const base of baselines) {
        const vs = base.name
        report.ratio(labels, 'delivered/s', pick(f).deliveredPerSec, { name: vs, value: pick(base).deliveredPerSec })
        report.ratio(labels, 'server_cpu_us/delivery', pick(f).cpuPerDeliveryUs, { name: vs, value: pick(base).cpuPerDeliveryUs })
        report.ratio(labels, 'p50_ms', pick(f).lat.p50Ms, { name: vs, value: pick(base).lat.p50Ms })
        report.ratio(labels, 'p99_ms', pick(f).lat.p99Ms, { name: vs, value: pick(base).lat.p99Ms })
        if (base !== c) report.ratio(labels, 'loop_max_ms', pick(f).loop.maxMs, { name: vs, value: pick(base).loop.maxMs })
      }
      if (c)
        report.ratio(labels, 'clients_cpu_us/delivery', pick(f).clientCpuPerDeliveryUs, {
          name: c.name,
          value: pick(c).clientCpuPerDeliveryUs,
        })
    }
    for (const x of [f, fb, fz, ...baselines]) {
      if (!x) continue
      const p = pick(x)
      report.absolute(
        { ...labels, of: x.name },
        {
          'delivered/s': p.deliveredPerSec,
          deliveries: p.deliveries,
          expected: p.expected,
          duplicates: p.duplicates,
          seconds: p.seconds,
          p50_ms: p.lat.p50Ms,
          p99_ms: p.lat.p99Ms,
          max_ms: p.lat.maxMs,
          'server_cpu_us/delivery': p.cpuPerDeliveryUs,
          'server_writes/delivery': p.writesPerDelivery,
          'server_bytes/delivery': p.bytesPerDelivery,
          'server_cpu_%': (p.serverCpuUs / 1e6 / Math.max(p.seconds, 1e-3)) * 100,
          'clients_cpu_%': p.clientCpuPct,
          'clients_cpu_us/delivery': p.clientCpuPerDeliveryUs,
          'machine_cpu_%': p.machineCpuPct,
          'other_cpu_%': otherCpu(p),
          loop_max_ms: p.loop.maxMs,
          loop_p99_ms: p.loop.p99Ms,
          gc_max_ms: p.gc.maxMs,
          gc_total_ms: p.gc.totalMs,
        },
      )
      if (otherCpu(p) > 25)
        report.note(
          `${x.name} n=${n} ${phaseName}: processes outside this run used about ${Math.round(otherCpu(p))} % CPU: figures are noisy`,
        )
      if (!p.complete) report.note(`${x.name} n=${n} ${phaseName}: not every client had every event at the deadline`)
    }
  }
  const idle: Labels = { clients: n, phase: 'idle', ...extra }
  if (f && b) {
    report.ratio(idle, 'rss_kib/conn', f.rssPerConnKiB, { name: b.name, value: b.rssPerConnKiB })
    report.ratio(idle, 'reconnect_s', f.reconnectSeconds, { name: b.name, value: b.reconnectSeconds })
  }
  if (f && c) {
    report.ratio(idle, 'rss_kib/conn', f.rssPerConnKiB, { name: c.name, value: c.rssPerConnKiB })
    report.ratio(idle, 'connect_s', f.connectSeconds, { name: c.name, value: c.connectSeconds })
  }
  for (const x of [f, fb, fz, ...baselines]) {
    if (!x) continue
    report.absolute(
      { ...idle, of: x.name },
      {
        'rss_kib/conn': x.rssPerConnKiB,
        'heap_kib/conn': x.heapPerConnKiB,
        connect_s: x.connectSeconds,
        'connect_cpu_us/conn': x.connectCpuUsPerConn,
        reconnect_s: x.reconnectSeconds,
        'reconnect_cpu_us/conn': x.reconnectCpuUsPerConn,
        connect_failed: x.connectFailed,
        connect_loop_max_ms: x.connectLoop.maxMs,
        connect_gc_max_ms: x.connectGc.maxMs,
        connect_gc_major_max_ms: x.connectGc.majorMaxMs,
        connect_gc_total_ms: x.connectGc.totalMs,
      },
    )
  }
}
