// The two load shapes every generator uses: closed loop (N concurrent loops, each starts its next
// op when the last one finishes) and open loop (ops start on a fixed schedule whatever happens,
// latency measured from the scheduled start, so a slow server cannot hide its queueing).
import type { CpuSample, LoadResult } from './protocol.ts'
import { Histogram } from './stats.ts'

export interface LoadSpec {
  /** Closed loop: concurrent loops. Ignored in open loop. */
  concurrency: number
  /** Open loop: ops per second; 0 or absent = closed loop. */
  rate?: number
  warmupMs: number
  durationMs: number
  /** Hard cap on measured ops. */
  maxOps: number
  /** Open loop: ops outstanding at once before new ones are dropped (counted). */
  maxOutstanding?: number
  /** Longest time to wait for in-flight ops after the window closes. */
  drainMs?: number
}

export interface OpOutcome {
  records: number
  /** Non-empty when the op failed (or partly failed): a short kind for the tally. */
  error?: string
}

/** `op(worker, seq)` runs one op; `worker` is the loop index (closed loop) or -1 (open loop). */
export type Op = (worker: number, seq: number) => Promise<OpOutcome>

export async function runLoad(spec: LoadSpec, op: Op): Promise<LoadResult> {
  const hist = new Histogram()
  const errorKinds: Record<string, number> = {}
  let ops = 0
  let records = 0
  let errors = 0
  let dropped = 0
  let seq = 0
  const t0 = performance.now()
  const warmEnd = t0 + spec.warmupMs
  const end = warmEnd + spec.durationMs
  let cpuStart: NodeJS.CpuUsage = process.cpuUsage()
  let lastFinish = warmEnd
  const cpuTimer = setTimeout(() => {
    cpuStart = process.cpuUsage()
  }, spec.warmupMs)

  const account = (scheduled: number, started: number, outcome: OpOutcome | null, err: unknown) => {
    const finished = performance.now()
    if (started < warmEnd) return
    lastFinish = Math.max(lastFinish, finished)
    ops++
    hist.record((finished - scheduled) * 1000)
    if (outcome) records += outcome.records
    const kind = outcome?.error ?? (err === undefined ? undefined : err instanceof Error ? err.message.slice(0, 80) : String(err))
    if (kind !== undefined) {
      errors++
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1
    }
  }

  const measuredCap = () => ops >= spec.maxOps

  if (!spec.rate) {
    const loop = async (w: number) => {
      for (;;) {
        const start = performance.now()
        if (start >= end || measuredCap()) return
        const s = seq++
        try {
          account(start, start, await op(w, s), undefined)
        } catch (err) {
          account(start, start, null, err ?? 'error')
        }
      }
    }
    await Promise.all(Array.from({ length: spec.concurrency }, (_, w) => loop(w)))
  } else {
    const interval = 1000 / spec.rate
    const total = Math.min(
      Math.floor(((spec.warmupMs + spec.durationMs) / 1000) * spec.rate),
      spec.maxOps + Math.ceil((spec.warmupMs / 1000) * spec.rate),
    )
    const maxOutstanding = spec.maxOutstanding ?? 1000
    const inflight = new Set<Promise<void>>()
    let k = 0
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now()
        while (k < total && t0 + k * interval <= now) {
          const scheduled = t0 + k * interval
          k++
          if (inflight.size >= maxOutstanding) {
            if (scheduled >= warmEnd) dropped++
            continue
          }
          const s = seq++
          const p: Promise<void> = op(-1, s).then(
            (o) => account(scheduled, scheduled, o, undefined),
            (err: unknown) => account(scheduled, scheduled, null, err ?? 'error'),
          )
          inflight.add(p)
          void p.finally(() => inflight.delete(p))
        }
        if (k >= total || now >= end) {
          clearInterval(timer)
          resolve()
        }
      }
      const timer = setInterval(tick, 1)
      tick()
    })
    const drain = Promise.all(inflight)
    await Promise.race([drain, new Promise((r) => setTimeout(r, spec.drainMs ?? 30_000).unref())])
    if (inflight.size > 0) {
      errors += inflight.size
      errorKinds['not finished at drain deadline'] = inflight.size
    }
  }
  clearTimeout(cpuTimer)
  const d = process.cpuUsage(cpuStart)
  const cpu: CpuSample = { user: d.user, system: d.system }
  return { ops, records, errors, errorKinds, elapsedMs: lastFinish - warmEnd, latency: hist.toJSON(), cpu, dropped }
}
