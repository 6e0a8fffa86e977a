// The browser-batch scenario's figures: one line per round and phase, then per phase the batch
// rounds against the plain ones (CPU added up over the rounds of a mode, divided by their
// deliveries), and the target on bursts.
import type { RendererTime } from './browser-reader.ts'
import type { RoleCpu } from './proc-tree.ts'
import type { Labels, Report } from './report.ts'

/**
 * plain: one message per frame; batch: `?batch=1`; deflate: `?batch=1&deflate=1`, compressed
 * batches (the fan-out's FANOUT_BATCH_DEFLATE: a group's batches compressed once per write).
 */
export const modes = ['plain', 'batch', 'deflate'] as const
export type Mode = (typeof modes)[number]

export const BURST_TARGET = 'browser client CPU per delivery in bursts, batch/plain <= 0.5'
/** The same line asked of compressed batches (what the SDK asks for in a browser). */
export const DEFLATE_LINE = 'compressed batches: browser client CPU per delivery in bursts, deflate/plain <= 0.5'

/** The --rounds list: modes in order, at least one. */
export function parseRounds(text: string): Mode[] {
  const rounds = text
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '')
  if (rounds.length === 0) throw new Error('bench: --rounds names no round')
  for (const r of rounds)
    if (!(modes as readonly string[]).includes(r)) throw new Error(`bench: unknown round '${r}' (${modes.join(', ')})`)
  return rounds as Mode[]
}

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
  /** the renderers' main threads from /proc (part of cpu.renderer), µs */
  rendererMainUs: number
  serverCpuUs: number
  /** bytes the fan-out passed to write syscalls (/proc io wchar): the WebSocket frames, on the wire */
  serverBytes: number
  /** Chromium's CPU per second with the round's connections open and no events, µs/s */
  idleUsPerS: number
}

/** A mode's phases added up: figures per delivery over all its rounds. */
export interface ModeTotals {
  rounds: number
  deliveries: number
  expected: number
  cpuUsPerDelivery: number
  busyUsPerDelivery: number
  rendererProcUsPerDelivery: number
  networkUsPerDelivery: number
  taskUsPerDelivery: number
  scriptUsPerDelivery: number
  framesPerDelivery: number
  serverCpuUsPerDelivery: number
  serverBytesPerDelivery: number
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
    busyUsPerDelivery: sum(busyUs) / d,
    rendererProcUsPerDelivery: sum((p) => p.cpu.renderer) / d,
    networkUsPerDelivery: sum((p) => p.cpu.network) / d,
    taskUsPerDelivery: sum((p) => p.renderer.taskUs) / d,
    scriptUsPerDelivery: sum((p) => p.renderer.scriptUs) / d,
    framesPerDelivery: sum((p) => p.frames) / d,
    serverCpuUsPerDelivery: sum((p) => p.serverCpuUs) / d,
    serverBytesPerDelivery: sum((p) => p.serverBytes) / d,
  }
}

/**
 * Chromium's CPU with the renderer main thread counted by its tasks' time (thread ticks) instead of
 * /proc: under Emulation.setCPUThrottlingRate Chromium's throttler busy-waits on that thread while
 * it is held back, even when idle (about 650 ms a second at 4 on this host), so /proc counts wall
 * time there; its tasks' time is the throttled thread's busy time (about 4 × the work at 4).
 */
export const busyUs = (p: BrowserPhase): number => p.cpuUs - p.rendererMainUs + p.renderer.taskUs

/**
 * `base`: the run's labels (connections, driver), on every line. `throttled`: the page's CPU was
 * throttled, so the targets are drawn on busyUs (busy_ratio), not on /proc's CPU (cpu_ratio).
 */
export function publishBrowserFigures(
  report: Report,
  base: Labels,
  phases: readonly BrowserPhase[],
  opts: { throttled?: boolean } = {},
): void {
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
        chromium_busy_us_per_delivery: busyUs(p) / d,
        browser_us: p.cpu.browser / d,
        renderer_us: p.cpu.renderer / d,
        network_us: p.cpu.network / d,
        gpu_us: p.cpu.gpu / d,
        other_us: p.cpu.other / d,
        renderer_task_us_per_delivery: p.renderer.taskUs / d,
        renderer_script_us_per_delivery: p.renderer.scriptUs / d,
        server_cpu_us_per_delivery: p.serverCpuUs / d,
        server_bytes_per_delivery: p.serverBytes / d,
        seconds: p.seconds,
        idle_chromium_us_per_s: p.idleUsPerS,
      },
    )
    if (!p.complete) report.note(`round ${p.round} (${p.mode}) ${p.phase}: incomplete, ${p.deliveries} of ${p.expected} deliveries`)
  }
  for (const phase of ['steady', 'burst'] as const) {
    const of = (mode: Mode) => totals(phases.filter((p) => p.phase === phase && p.mode === mode))
    const plain = of('plain')
    const others = (['batch', 'deflate'] as const).map((mode) => ({ mode, t: of(mode) })).filter((o) => o.t.rounds > 0)
    if (plain.rounds === 0 || others.length === 0) {
      report.note(`${phase}: no ratio without a plain round and a batch or deflate one`)
      continue
    }
    const complete = phases.filter((p) => p.phase === 'burst').every((p) => p.complete)
    if (phase === 'burst' && !complete) report.note('burst: a round was incomplete, so the target counts as missed')
    for (const { mode, t } of others) {
      const labels = { ...base, phase, mode }
      const vs = (metric: string, b: number, p: number) => report.ratio(labels, metric, b, { name: 'plain', value: p })
      vs('chromium_cpu_us_per_delivery', t.cpuUsPerDelivery, plain.cpuUsPerDelivery)
      vs('chromium_busy_us_per_delivery', t.busyUsPerDelivery, plain.busyUsPerDelivery)
      vs('renderer_proc_us_per_delivery', t.rendererProcUsPerDelivery, plain.rendererProcUsPerDelivery)
      vs('network_proc_us_per_delivery', t.networkUsPerDelivery, plain.networkUsPerDelivery)
      vs('renderer_task_us_per_delivery', t.taskUsPerDelivery, plain.taskUsPerDelivery)
      vs('renderer_script_us_per_delivery', t.scriptUsPerDelivery, plain.scriptUsPerDelivery)
      vs('frames_per_delivery', t.framesPerDelivery, plain.framesPerDelivery)
      vs('server_cpu_us_per_delivery', t.serverCpuUsPerDelivery, plain.serverCpuUsPerDelivery)
      vs('server_bytes_per_delivery', t.serverBytesPerDelivery, plain.serverBytesPerDelivery)
      if (phase !== 'burst') continue
      const ratio = opts.throttled ? t.busyUsPerDelivery / plain.busyUsPerDelivery : t.cpuUsPerDelivery / plain.cpuUsPerDelivery
      const metric = opts.throttled ? 'busy_ratio' : 'cpu_ratio'
      if (mode === 'deflate') {
        report.target(labels, metric, ratio, DEFLATE_LINE, complete && ratio <= 0.5)
        continue
      }
      const split = perFrameSplit(plain, t)
      if (split)
        report.absolute(
          { ...labels, model: 'cost = frames x per_frame + deliveries x per_message' },
          { per_frame_us: split.perFrameUs, per_message_us: split.perMessageUs, ratio_at_one_frame_per_burst: split.floor },
        )
      report.target(labels, metric, ratio, BURST_TARGET, complete && ratio <= 0.5)
    }
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
