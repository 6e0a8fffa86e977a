// IPC ops every server under test answers (the fan-out and the baseline servers alike): its
// CPU, its memory after a full GC, and the event-loop delay seen by monitorEventLoopDelay
// (a 10 ms timer; `maxMs` is the longest stall since the last reset). A fan-out run with
// FANOUT_WORKERS > 1 makes this process the cluster's primary: CPU, write syscalls and RSS then
// add up the workers' (from /proc); heap and event-loop delay stay the primary's own.
import cluster from 'node:cluster'
import { readFileSync } from 'node:fs'
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { pidCpuMicros } from './machine.ts'

const eld = monitorEventLoopDelay({ resolution: 10 })
eld.enable()

/** Garbage-collection pauses since the last reset (what part of a loop stall they explain). */
export interface GcPauses {
  count: number
  totalMs: number
  maxMs: number
  /** Longest mark-compact (major) pause. */
  majorMaxMs: number
}
let gcs: GcPauses = { count: 0, totalMs: 0, maxMs: 0, majorMaxMs: 0 }
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcs.count++
    gcs.totalMs += e.duration
    gcs.maxMs = Math.max(gcs.maxMs, e.duration)
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gcs.majorMaxMs = Math.max(gcs.majorMaxMs, e.duration)
  }
}).observe({ entryTypes: ['gc'] })

export interface LoopDelay {
  maxMs: number
  p99Ms: number
  meanMs: number
}

export interface ServerMemory {
  rss: number
  heapUsed: number
  gc: boolean
}

const gc = (globalThis as { gc?: () => void }).gc

/** Write-type syscalls (write, writev, sendmsg…) and bytes passed to them, from /proc/self/io (Linux; zeros elsewhere). */
export interface ServerIo {
  syscw: number
  wchar: number
}

/** Cluster workers of this process (fan-out with FANOUT_WORKERS > 1). */
const workerPids = (): number[] =>
  Object.values(cluster.workers ?? {}).flatMap((w) => (w?.process.pid === undefined ? [] : [w.process.pid]))

function ioOf(pid: number | 'self'): ServerIo {
  try {
    const t = readFileSync(`/proc/${pid}/io`, 'utf8')
    return { syscw: Number(/syscw: (\d+)/.exec(t)?.[1] ?? 0), wchar: Number(/wchar: (\d+)/.exec(t)?.[1] ?? 0) }
  } catch {
    return { syscw: 0, wchar: 0 }
  }
}

function io(): ServerIo {
  const total = ioOf('self')
  for (const pid of workerPids()) {
    const w = ioOf(pid)
    total.syscw += w.syscw
    total.wchar += w.wchar
  }
  return total
}

function rssOf(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024
  } catch {
    return 0
  }
}

export const serverOps = {
  io,
  cpu() {
    const own = process.cpuUsage()
    // /proc gives user+system together: counted as user
    for (const pid of workerPids()) own.user += pidCpuMicros(pid) ?? 0
    return own
  },
  memory(): ServerMemory {
    gc?.()
    gc?.()
    const m = process.memoryUsage()
    let rss = m.rss
    for (const pid of workerPids()) rss += rssOf(pid)
    return { rss, heapUsed: m.heapUsed, gc: gc !== undefined }
  },
  gc(spec: { reset?: boolean }): GcPauses {
    const r = gcs
    if (spec?.reset) gcs = { count: 0, totalMs: 0, maxMs: 0, majorMaxMs: 0 }
    return r
  },
  loopDelay(spec: { reset?: boolean }): LoopDelay {
    const r = { maxMs: eld.max / 1e6, p99Ms: eld.percentile(99) / 1e6, meanMs: eld.mean / 1e6 }
    if (spec?.reset) eld.reset()
    return r
  },
}
