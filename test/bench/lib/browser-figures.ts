// The browser-batch scenario's figures: one line per round and phase, then per phase the batch
// rounds against the plain ones (CPU added up over the rounds of a mode, divided by their
// deliveries), and the target on bursts.
import type { RendererTime } from './browser-reader.ts'
import type { RoleCpu } from './proc-tree.ts'
import type { Labels, Report } from './report.ts'

export const modes = ['plain', 'batch'] as const
export type Mode = (typeof modes)[number]

export const BURST_TARGET = 'browser client CPU per delivery in bursts, batch/plain <= 0.5'

export interface BrowserPhase {
  round: number
  mode: Mode
  phase: 'steady' | 'burst'
  connections: number
  events: number
  expected: number
  /** tracked events received, first copy per connection */
  deliveries: number
  duplicates: number
  complete: boolean
  /** MessageEvents and protocol messages in the phase (probes and snapshots excluded: none arrive then) */
  frames: number
  messages: number
  types: Record<string, number>
  seconds: number
  /** every Chromium process, by role, µs */
  cpu: RoleCpu
  cpuUs: number
  /** the page renderer's main thread (DevTools Performance.getMetrics), µs */
  renderer: RendererTime
  serverCpuUs: number
  /** Chromium's CPU per second with the round's connections open and no events, µs/s */
  idleUsPerS: number
}

/** A mode's phases added up: figures per delivery over all its rounds. */
export interface ModeTotals {
  rounds: number
  deliveries: number
  expected: number
  cpuUsPerDelivery: number
  rendererProcUsPerDelivery: number
  networkUsPerDelivery: number
  taskUsPerDelivery: number
  scriptUsPerDelivery: number
  framesPerDelivery: number
  serverCpuUsPerDelivery: number
}

export function totals(phases: readonly BrowserPhase[]): ModeTotals {
  const sum = (f: (p: BrowserPhase) => number) => phases.reduce((a, p) => a + f(p), 0)
  const d = Math.max(
    1,
    sum((p) => p.deliveries),
  )
  return {
    rounds: phases.length,
    deliveries: sum((p) => p.deliveries),
    expected: sum((p) => p.expected),
    cpuUsPerDelivery: sum((p) => p.cpuUs) / d,
    rendererProcUsPerDelivery: sum((p) => p.cpu.renderer) / d,
    networkUsPerDelivery: sum((p) => p.cpu.network) / d,
    taskUsPerDelivery: sum((p) => p.renderer.taskUs) / d,
    scriptUsPerDelivery: sum((p) => p.renderer.scriptUs) / d,
    framesPerDelivery: sum((p) => p.frames) / d,
    serverCpuUsPerDelivery: sum((p) => p.serverCpuUs) / d,
  }
}

/** `base`: the run's labels (connections, driver), on every line. */
export function publishBrowserFigures(report: Report, base: Labels, phases: readonly BrowserPhase[]): void {
  for (const p of phases) {
    const d = Math.max(1, p.deliveries)
    report.absolute(
      { ...base, round: p.round, mode: p.mode, phase: p.phase },
      {
        deliveries: p.deliveries,
        expected: p.expected,
        duplicates: p.duplicates,
        frames_per_delivery: p.frames / d,
        chromium_cpu_us_per_delivery: p.cpuUs / d,
        browser_us: p.cpu.browser / d,
        renderer_us: p.cpu.renderer / d,
        network_us: p.cpu.network / d,
        gpu_us: p.cpu.gpu / d,
        other_us: p.cpu.other / d,
        renderer_task_us_per_delivery: p.renderer.taskUs / d,
        renderer_script_us_per_delivery: p.renderer.scriptUs / d,
        server_cpu_us_per_delivery: p.serverCpuUs / d,
        seconds: p.seconds,
        idle_chromium_us_per_s: p.idleUsPerS,
      },
    )
    if (!p.complete) report.note(`round ${p.round} (${p.mode}) ${p.phase}: incomplete, ${p.deliveries} of ${p.expected} deliveries`)
  }
  for (const phase of ['steady', 'burst'] as const) {
    const of = (mode: Mode) => phases.filter((p) => p.phase === phase && p.mode === mode)
    const plain = totals(of('plain'))
    const batch = totals(of('batch'))
    if (plain.rounds === 0 || batch.rounds === 0) {
      report.note(`${phase}: no ratio without both a plain and a batch round`)
      continue
    }
    const labels = { ...base, phase }
    const vs = (metric: string, b: number, p: number) => report.ratio(labels, metric, b, { name: 'plain', value: p })
    vs('chromium_cpu_us_per_delivery', batch.cpuUsPerDelivery, plain.cpuUsPerDelivery)
    vs('renderer_proc_us_per_delivery', batch.rendererProcUsPerDelivery, plain.rendererProcUsPerDelivery)
    vs('network_proc_us_per_delivery', batch.networkUsPerDelivery, plain.networkUsPerDelivery)
    vs('renderer_task_us_per_delivery', batch.taskUsPerDelivery, plain.taskUsPerDelivery)
    vs('renderer_script_us_per_delivery', batch.scriptUsPerDelivery, plain.scriptUsPerDelivery)
    vs('frames_per_delivery', batch.framesPerDelivery, plain.framesPerDelivery)
    vs('server_cpu_us_per_delivery', batch.serverCpuUsPerDelivery, plain.serverCpuUsPerDelivery)
    if (phase !== 'burst') continue
    const split = perFrameSplit(plain, batch)
    if (split)
      report.absolute(
        { ...labels, model: 'cost = frames x per_frame + deliveries x per_message' },
        { per_frame_us: split.perFrameUs, per_message_us: split.perMessageUs, ratio_at_one_frame_per_burst: split.floor },
      )
    const ratio = batch.cpuUsPerDelivery / plain.cpuUsPerDelivery
    const complete = phases.filter((p) => p.phase === 'burst').every((p) => p.complete)
    if (!complete) report.note('burst: a round was incomplete, so the target counts as missed')
    report.target(labels, 'cpu_ratio', ratio, BURST_TARGET, complete && ratio <= 0.5)
  }
}

/**
 * Chromium's cost split into a part per frame and a part per message, from two modes' figures
 * (a straight line through two points: frames per delivery against CPU per delivery), and the
 * batch/plain ratio it predicts were every message of a burst in one frame. Null when the modes'
 * frames per delivery are too close to tell the parts apart.
 */
export function perFrameSplit(plain: ModeTotals, batch: ModeTotals): { perFrameUs: number; perMessageUs: number; floor: number } | null {
  const df = plain.framesPerDelivery - batch.framesPerDelivery
  if (df < 0.2) return null
  const perFrameUs = (plain.cpuUsPerDelivery - batch.cpuUsPerDelivery) / df
  const perMessageUs = plain.cpuUsPerDelivery - perFrameUs * plain.framesPerDelivery
  return { perFrameUs, perMessageUs, floor: perMessageUs / plain.cpuUsPerDelivery }
}
