// CPU of a process tree from /proc (Linux): Chromium is several processes (browser, renderer,
// network service, GPU), and a reader's cost lands in all of them, so the browser-batch scenario
// adds up utime+stime of every process under the one it launched, by role.
import { readdirSync, readFileSync } from 'node:fs'

export interface ProcEntry {
  pid: number
  ppid: number
  comm: string
  /** utime+stime, microseconds (USER_HZ ticks of 10 ms) */
  cpuUs: number
}

/** One /proc/<pid>/stat line; comm may hold spaces and parentheses, so fields count from the last ')'. */
export function parseStat(text: string): ProcEntry | null {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) return null
  const f = text.slice(close + 2).split(' ')
  // after comm: state(0) ppid(1) ... utime(11) stime(12)
  const pid = Number(text.slice(0, open).trim())
  const ppid = Number(f[1])
  const ticks = Number(f[11]) + Number(f[12])
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isFinite(ticks)) return null
  return { pid, ppid, comm: text.slice(open + 1, close), cpuUs: (ticks / 100) * 1e6 }
}

/** Every pid under `root` (not `root` itself), breadth first. */
export function descendants(procs: readonly ProcEntry[], root: number): number[] {
  const children = new Map<number, number[]>()
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid])
  const out: number[] = []
  const queue = [...(children.get(root) ?? [])]
  while (queue.length > 0) {
    const pid = queue.shift() as number
    out.push(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  return out
}

export type ChromiumRole = 'browser' | 'renderer' | 'network' | 'gpu' | 'other'

/** A Chromium process's role from its command line (`--type=…`, and the utility's sub-type). */
export function chromiumRole(cmdline: string): ChromiumRole {
  const type = /--type=([\w-]+)/.exec(cmdline)?.[1]
  if (type === undefined) return 'browser'
  if (type === 'renderer') return 'renderer'
  if (type === 'gpu-process') return 'gpu'
  if (type === 'utility' && /--utility-sub-type=network\./.test(cmdline)) return 'network'
  return 'other'
}

function readProcs(): ProcEntry[] {
  const out: ProcEntry[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const e = parseStat(readFileSync(`/proc/${name}/stat`, 'utf8'))
      if (e) out.push(e)
    } catch {
      // gone since readdir
    }
  }
  return out
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return ''
  }
}

export type RoleCpu = Record<ChromiumRole, number>

export const noCpu = (): RoleCpu => ({ browser: 0, renderer: 0, network: 0, gpu: 0, other: 0 })

/**
 * CPU so far of the Chromium processes under `parent` (this harness: playwright-core spawns the
 * browser itself), by role, microseconds. The wrapper shell script (/usr/bin/chromium) counts as
 * browser. Processes that exited took their CPU with them; Chromium's stay for the browser's life.
 */
export function chromiumCpu(parent: number = process.pid): RoleCpu {
  const out = noCpu()
  for (const p of chromiumProcs(parent)) out[chromiumRole(cmdlineOf(p.pid))] += p.cpuUs
  return out
}

function chromiumProcs(parent: number): ProcEntry[] {
  const procs = readProcs()
  const byPid = new Map(procs.map((p) => [p.pid, p]))
  const roots = procs.filter((p) => p.ppid === parent && /chrom/i.test(p.comm))
  return roots.flatMap((root) => [root.pid, ...descendants(procs, root.pid)].flatMap((pid) => byPid.get(pid) ?? []))
}

export const totalCpu = (c: RoleCpu): number => c.browser + c.renderer + c.network + c.gpu + c.other

export function cpuDelta(a: RoleCpu, b: RoleCpu): RoleCpu {
  return {
    browser: b.browser - a.browser,
    renderer: b.renderer - a.renderer,
    network: b.network - a.network,
    gpu: b.gpu - a.gpu,
    other: b.other - a.other,
  }
}

/** A Chromium thread's run time so far (/proc/<pid>/task/<tid>/schedstat), ns; main: its process's first thread. */
export interface ThreadTime {
  role: ChromiumRole
  main: boolean
  ns: number
}

/** The run time field of a schedstat line (run, wait, slices), ns: what stat rounds to 10 ms ticks. */
export function parseSchedstat(text: string): number | null {
  const ns = Number(text.split(' ')[0])
  return text.trim() === '' || !Number.isFinite(ns) ? null : ns
}

/**
 * Every thread of every Chromium process under `parent`, by thread id: CPU to the nanosecond where
 * the processes' stat has 10 ms ticks (a 1-connection burst is 10-20 such ticks a process).
 */
export function chromiumThreads(parent: number = process.pid): Map<number, ThreadTime> {
  const out = new Map<number, ThreadTime>()
  for (const p of chromiumProcs(parent)) {
    const role = chromiumRole(cmdlineOf(p.pid))
    let tids: string[] = []
    try {
      tids = readdirSync(`/proc/${p.pid}/task`)
    } catch {
      continue // gone since the walk
    }
    for (const tid of tids) {
      try {
        const ns = parseSchedstat(readFileSync(`/proc/${p.pid}/task/${tid}/schedstat`, 'utf8'))
        if (ns !== null) out.set(Number(tid), { role, main: Number(tid) === p.pid, ns })
      } catch {
        // ended since readdir
      }
    }
  }
  return out
}

/**
 * CPU between two snapshots, by role, µs, and the renderers' main threads' part of it (under a
 * CPU throttle that thread spins while held back). A thread that started in between counts from 0;
 * one that ended in between is left out, with what it ran in between.
 */
export function threadDelta(a: Map<number, ThreadTime>, b: Map<number, ThreadTime>): { cpu: RoleCpu; rendererMainUs: number } {
  const cpu = noCpu()
  let rendererMainUs = 0
  for (const [tid, t] of b) {
    const us = (t.ns - (a.get(tid)?.ns ?? 0)) / 1000
    cpu[t.role] += us
    if (t.main && t.role === 'renderer') rendererMainUs += us
  }
  return { cpu, rendererMainUs }
}
