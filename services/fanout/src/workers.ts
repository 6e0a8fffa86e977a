// FANOUT_WORKERS (cluster.ts, the entry point that reads it): how many fan-out processes run
// behind one port, and what a worker tells the primary. No side effects, unlike cluster.ts.
import os from 'node:os'
import { EnvReader } from '@newswire/shared'

/** FANOUT_WORKERS: a count, or `auto` for one per core. */
export function workerCount(env: NodeJS.ProcessEnv, cores: number): number {
  const raw = env.FANOUT_WORKERS?.trim()
  if (raw === 'auto') return Math.max(1, cores)
  const r = new EnvReader(env)
  const n = r.int('FANOUT_WORKERS', 1, 1, 256)
  r.done()
  return n
}

/**
 * How FANOUT_WORKERS share the port. `primary`: the primary holds the listening socket and hands
 * each connection to a worker over IPC (Node's round-robin), which cost two workers 2.7 x one
 * worker's CPU per connection at 10,000 connects (docs/benchmarks.md). `own`: every worker binds
 * the port itself with SO_REUSEPORT and the kernel spreads connections by their addresses; Node
 * has the option from 22.12 and 23.1, on Linux. A port of 0 would give each worker its own port.
 */
export type PortSharing = 'primary' | 'own'

export function portSharing(workers: number, port: number, platform: string, nodeVersion: string): PortSharing {
  if (workers < 2 || port === 0 || platform !== 'linux') return 'primary'
  const [major = 0, minor = 0] = nodeVersion.replace(/^v/, '').split('.').map(Number)
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12) ? 'own' : 'primary'
}

/** portSharing for this process's FANOUT_WORKERS, cores, platform and Node: the primary and its workers decide alike. */
export function portSharingHere(port: number, env: NodeJS.ProcessEnv = process.env): PortSharing {
  return portSharing(workerCount(env, os.availableParallelism()), port, process.platform, process.version)
}

/** A worker tells the primary it is ready (main.ts), so the primary can say the whole service is. */
export interface ReadyMessage {
  type: 'newswire-fanout-ready'
  url: string
}
