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

/**
 * CPU so far of the renderers' main threads (a process's main thread is its task of the same id),
 * microseconds: under a CPU throttle that thread spins while held back, and the browser-batch
 * scenario counts it by its tasks' time instead.
 */
export function rendererMainCpu(parent: number = process.pid): number {
  let us = 0
  for (const p of chromiumProcs(parent)) {
    if (chromiumRole(cmdlineOf(p.pid)) !== 'renderer') continue
    try {
      us += parseStat(readFileSync(`/proc/${p.pid}/task/${p.pid}/stat`, 'utf8'))?.cpuUs ?? 0
    } catch {
      // gone since the walk
    }
  }
  return us
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
