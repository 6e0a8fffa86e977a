// IPC ops every server under test answers (the fan-out and the baseline servers alike): its
// CPU, its memory after a full GC, and the event-loop delay seen by monitorEventLoopDelay
// (a 10 ms timer; `maxMs` is the longest stall since the last reset).
import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'

const eld = monitorEventLoopDelay({ resolution: 10 })
eld.enable()

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

function io(): ServerIo {
  try {
    const t = readFileSync('/proc/self/io', 'utf8')
    return { syscw: Number(/syscw: (\d+)/.exec(t)?.[1] ?? 0), wchar: Number(/wchar: (\d+)/.exec(t)?.[1] ?? 0) }
  } catch {
    return { syscw: 0, wchar: 0 }
  }
}

export const serverOps = {
  io,
  cpu: () => process.cpuUsage(),
  memory(): ServerMemory {
    gc?.()
    gc?.()
    const m = process.memoryUsage()
    return { rss: m.rss, heapUsed: m.heapUsed, gc: gc !== undefined }
  },
  loopDelay(spec: { reset?: boolean }): LoopDelay {
    const r = { maxMs: eld.max / 1e6, p99Ms: eld.percentile(99) / 1e6, meanMs: eld.mean / 1e6 }
    if (spec?.reset) eld.reset()
    return r
  },
}
