// FANOUT_WORKERS (cluster.ts, the entry point that reads it): how many fan-out processes run
// behind one port, and what a worker tells the primary. No side effects, unlike cluster.ts.
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

/** A worker tells the primary it is ready (main.ts), so the primary can say the whole service is. */
export interface ReadyMessage {
  type: 'newswire-fanout-ready'
  url: string
}
