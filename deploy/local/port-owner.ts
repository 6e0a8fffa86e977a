// Who listens on a local TCP port: the process (from /proc/net/tcp{,6} and each process's open
// sockets), its parent and their working directory, so a refusal can say where that is.
// Linux only; null elsewhere or when the process is not ours to look at.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs'

export interface PortOwner {
  pid: number
  /** The command line, space-separated. */
  command: string
  cwd: string | null
  parent: { pid: number; command: string } | null
}

/** The socket inodes listening on `port` in a /proc/net/tcp table (state 0A = LISTEN). */
export function listeningInodes(table: string, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  const out: string[] = []
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f.length > 9 && f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A') out.push(f[9] as string)
  }
  return out
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

function commandOf(pid: number): string {
  return (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ')
}

export function portOwner(port: number): PortOwner | null {
  const inodes = new Set([...listeningInodes(read('/proc/net/tcp') ?? '', port), ...listeningInodes(read('/proc/net/tcp6') ?? '', port)])
  if (inodes.size === 0) return null
  let pids: string[] = []
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return null
  }
  for (const p of pids) {
    let fds: string[] = []
    try {
      fds = readdirSync(`/proc/${p}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      let link = ''
      try {
        link = readlinkSync(`/proc/${p}/fd/${fd}`)
      } catch {
        continue
      }
      const m = /^socket:\[(\d+)\]$/.exec(link)
      if (m === null || !inodes.has(m[1] as string)) continue
      const pid = Number(p)
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(read(`/proc/${pid}/status`) ?? '')?.[1] ?? 0)
      let cwd: string | null = null
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`)
      } catch {
        // not ours to look at
      }
      return { pid, command: commandOf(pid), cwd, parent: ppid > 1 ? { pid: ppid, command: commandOf(ppid) } : null }
    }
  }
  return null
}
