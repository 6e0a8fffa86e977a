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
  const procs = readProcs()
  const byPid = new Map(procs.map((p) => [p.pid, p]))
  const roots = procs.filter((p) => p.ppid === parent && /chrom/i.test(p.comm))
  const out = noCpu()
  for (const root of roots) {
    for (const pid of [root.pid, ...descendants(procs, root.pid)]) {
      const p = byPid.get(pid)
      if (p) out[chromiumRole(cmdlineOf(pid))] += p.cpuUs
    }
  }
  return out
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
