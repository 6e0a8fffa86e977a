// The machine a run measured on, and machine-wide CPU from /proc/stat (Linux; zeros elsewhere).
import { readFileSync } from 'node:fs'
import os from 'node:os'

export interface MachineInfo {
  date: string
  cores: number
  cpuModel: string
  memoryGiB: number
  node: string
  platform: string
}

export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  }
}

export interface ProcStat {
  busy: number
  total: number
  /** Time the hypervisor ran other guests while this one wanted the CPU (counted in busy). */
  steal: number
}

/** Aggregate jiffies from /proc/stat; the difference of two samples gives machine CPU use. */
export function procStat(): ProcStat {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
    const f = line.trim().split(/\s+/).slice(1).map(Number)
    const total = f.reduce((a, b) => a + b, 0)
    const idle = (f[3] ?? 0) + (f[4] ?? 0)
    return { busy: total - idle, total, steal: f[7] ?? 0 }
  } catch {
    return { busy: 0, total: 0, steal: 0 }
  }
}

/** Machine CPU between two samples, in percent of one core (200 = both of 2 cores busy). */
export function machineCpuPercent(a: ProcStat, b: ProcStat): number {
  return percentOfCore(a, b, b.busy - a.busy)
}

/** CPU stolen by the hypervisor between two samples, in percent of one core: part of "other" CPU no process here used. */
export function stealPercent(a: ProcStat, b: ProcStat): number {
  return percentOfCore(a, b, b.steal - a.steal)
}

function percentOfCore(a: ProcStat, b: ProcStat, jiffies: number): number {
  const total = b.total - a.total
  if (total <= 0) return Number.NaN
  return (jiffies / total) * 100 * os.availableParallelism()
}

/** utime+stime of any process by pid, microseconds (for processes that cannot answer IPC). */
export function pidCpuMicros(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(f[11]) + Number(f[12])
    return (ticks / 100) * 1e6 // USER_HZ is 100 on Linux
  } catch {
    return null
  }
}
