// priority-lanes' figures and what it prints of them: per-lane latency ratios of phase B (with
// slow clients) against phase A (fast clients only), completeness, gaps and the target lines of
// issue 9.
import type { MergedResult } from './fanout-bench.ts'
import type { Labels } from './report.ts'
import type { ScenarioContext } from './scenario.ts'
import type { LoopDelay } from './server-probe.ts'
import type { LatencySummary } from './stats.ts'

/** Fan-out counters from /metrics (summed over labels). */
export const METRICS = {
  shed: 'newswire_fanout_shed_messages_total',
  gaps: 'newswire_fanout_gaps_sent_total',
  conflated: 'newswire_fanout_conflated_messages_total',
  slowDisconnects: 'newswire_fanout_slow_client_disconnects_total',
} as const
export type Counters = Record<keyof typeof METRICS, number>

export interface Lane {
  events: number
  deliveries: number
  expected: number
  missingOpen: number
  missingClosed: number
  duplicates: number
  lat: LatencySummary
}

export interface Group {
  clients: number
  breaking: Lane
  routine: Lane
  gaps: MergedResult['gaps']
  closeCodes: Record<string, number>
  closeReasons: Record<string, number>
  unaccounted: number
  other: number
  /** s from the end of publishing until every open client had every breaking item and balanced routine books */
  drainS: number
  drained: boolean
}

export interface PhaseFigures {
  name: string
  fast: Group
  slow: Group | null
  /** over the publishing window */
  seconds: number
  /** s into the phase when the fan-out first shed (phase B) */
  shedAfterS: number | null
  serverCpuPct: number
  clientCpuPct: number
  /** the two event sources */
  sourceCpuPct: number
  /** the local broker, when it is the one at 127.0.0.1:9092 */
  brokerCpuPct: number | null
  machineCpuPct: number
  loop: LoopDelay
  counters: Counters
  publishErrors: Record<string, number>
}

export const phaseLabel = (name: string) => (name === 'A' ? 'A-fast-only' : 'B-with-slow')

export function publish(ctx: ScenarioContext, phases: PhaseFigures[], n: { nFast: number; nSlow: number }): void {
  const { report } = ctx
  const a = phases.find((p) => p.name === 'A')
  const b = phases.find((p) => p.name === 'B')
  const vs = 'phase-A-fast-only'
  if (a && b) {
    for (const lane of ['breaking', 'routine'] as const) {
      const labels: Labels = { phase: phaseLabel('B'), clients: `fast-${n.nFast}`, lane }
      report.ratio(labels, 'p50_ms', b.fast[lane].lat.p50Ms, { name: vs, value: a.fast[lane].lat.p50Ms })
      report.ratio(labels, 'p99_ms', b.fast[lane].lat.p99Ms, { name: vs, value: a.fast[lane].lat.p99Ms })
    }
    report.ratio({ phase: phaseLabel('B') }, 'server_cpu_%', b.serverCpuPct, { name: vs, value: a.serverCpuPct })
  }
  for (const p of phases) {
    for (const [who, g] of [
      ['fast', p.fast],
      ['slow', p.slow],
    ] as const) {
      if (!g) continue
      for (const lane of ['breaking', 'routine'] as const) {
        const l = g[lane]
        report.absolute(
          { phase: phaseLabel(p.name), clients: `${who}-${g.clients}`, lane },
          {
            events: l.events,
            deliveries: l.deliveries,
            expected: l.expected,
            missing_open: l.missingOpen,
            missing_closed: l.missingClosed,
            duplicates: l.duplicates,
            p50_ms: l.lat.p50Ms,
            p90_ms: l.lat.p90Ms,
            p99_ms: l.lat.p99Ms,
            max_ms: l.lat.maxMs,
          },
        )
      }
      report.absolute(
        { phase: phaseLabel(p.name), clients: `${who}-${g.clients}` },
        {
          gaps: g.gaps.messages,
          gap_shed_routine: g.gaps.shed,
          gap_conflated: g.gaps.conflated,
          closed_4008: g.closeCodes['4008'] ?? 0,
          closed_other: Object.entries(g.closeCodes).reduce((s, [k, c]) => s + (k === '4008' ? 0 : c), 0),
          unaccounted_clients: g.unaccounted,
          drain_s: g.drainS,
        },
      )
      if (Object.keys(g.closeCodes).length > 0)
        report.note(`phase ${p.name} ${who}: closed by the server ${JSON.stringify(g.closeReasons)}`)
      if (!g.drained) report.note(`phase ${p.name} ${who}: not every client had its events within the drain time`)
    }
    // machine CPU not used by any process of this run (fan-out, clients, sources, local broker)
    const other = Math.max(0, p.machineCpuPct - p.serverCpuPct - p.clientCpuPct - p.sourceCpuPct - (p.brokerCpuPct ?? 0))
    report.absolute(
      { phase: phaseLabel(p.name), of: 'fanout' },
      {
        seconds: p.seconds,
        ...(p.shedAfterS === null ? {} : { first_shed_after_s: p.shedAfterS }),
        'server_cpu_%': p.serverCpuPct,
        'clients_cpu_%': p.clientCpuPct,
        'sources_cpu_%': p.sourceCpuPct,
        ...(p.brokerCpuPct === null ? {} : { 'broker_cpu_%': p.brokerCpuPct }),
        'machine_cpu_%': p.machineCpuPct,
        'other_cpu_%': other,
        loop_max_ms: p.loop.maxMs,
        metric_shed: p.counters.shed,
        metric_gaps: p.counters.gaps,
        metric_conflated: p.counters.conflated,
        metric_slow_disconnects: p.counters.slowDisconnects,
      },
    )
    if (other > 25) report.note(`phase ${p.name}: processes outside this run used about ${Math.round(other)} % CPU: figures are noisy`)
  }
  if (!a || !b) {
    report.note('phase B did not run (no slow clients): no targets')
    return
  }
  const slow = b.slow
  const t = { phase: phaseLabel('B') }
  report.target(
    { ...t, clients: 'fast', lane: 'breaking' },
    'p99_ms',
    b.fast.breaking.lat.p99Ms,
    'breaking p99 <= 25 ms at the fast clients with slow clients present',
    b.fast.breaking.lat.p99Ms <= 25,
  )
  const d = b.fast.breaking.lat.p99Ms - a.fast.breaking.lat.p99Ms
  report.target(
    { ...t, clients: 'fast', lane: 'breaking' },
    'p99_ms_minus_phase_A',
    d,
    `breaking p99 within 10 ms of phase A (${a.fast.breaking.lat.p99Ms.toFixed(1)} ms)`,
    d <= 10,
  )
  const breakingMissing = a.fast.breaking.missingOpen + b.fast.breaking.missingOpen + (slow?.breaking.missingOpen ?? 0)
  report.target(
    { phase: 'A+B', clients: 'all-connected', lane: 'breaking' },
    'missing',
    breakingMissing,
    'no breaking item missing at any client that stayed connected (never shed)',
    breakingMissing === 0,
  )
  const dups = phases.reduce(
    (s, p) =>
      s + p.fast.breaking.duplicates + p.fast.routine.duplicates + (p.slow ? p.slow.breaking.duplicates + p.slow.routine.duplicates : 0),
    0,
  )
  report.target({ phase: 'A+B', clients: 'all', lane: 'both' }, 'duplicates', dups, 'no duplicate delivery', dups === 0)
  const fastMissing = a.fast.routine.missingOpen + b.fast.routine.missingOpen + a.fast.breaking.missingOpen + b.fast.breaking.missingOpen
  report.target(
    { phase: 'A+B', clients: 'fast', lane: 'both' },
    'missing',
    fastMissing,
    'fast clients get every event (nothing shed for them)',
    fastMissing === 0 && b.fast.gaps.messages === 0,
  )
  if (slow) {
    report.target(
      { ...t, clients: 'slow', lane: 'routine' },
      'gap_shed_routine',
      slow.gaps.shed,
      'routine updates shed at the slow clients (> 0: the scenario exercised shedding)',
      slow.gaps.shed > 0,
    )
    report.target(
      { ...t, clients: 'slow', lane: 'routine' },
      'unaccounted_clients',
      slow.unaccounted,
      'every routine update not received is counted in a gap (nothing lost silently)',
      slow.unaccounted === 0,
    )
  }
}
