// Entry point for one fan-out per core behind one port: FANOUT_WORKERS (default 1; `auto`: one
// per core) worker processes through Node's cluster module. Each worker is a whole fan-out
// (main.ts): its own Kafka consumer reading every partition, its own history, ledger and clients.
// The workers share the port (workers.ts portSharing): on Linux with Node >= 22.12 each binds it
// with SO_REUSEPORT and the kernel spreads the connections; otherwise the primary holds the socket
// and hands each new connection to the next worker in turn. Positions are signed with the key
// every instance shares (FANOUT_POSITION_KEY), so a client that reconnects resumes on whichever
// worker takes it. A worker that dies is replaced (its clients reconnect and resume elsewhere);
// SIGTERM stops every worker gracefully, then the primary. With one worker this is main.ts, in this process.
import cluster from 'node:cluster'
import type { Worker } from 'node:cluster'
import { createServer } from 'node:net'
import os from 'node:os'
import { createLogger } from '@newswire/shared'
import { loadFanoutConfig } from './config.ts'
import type { FanoutConfig } from './config.ts'
import { portSharingHere, workerCount } from './workers.ts'
import type { ReadyMessage } from './workers.ts'

const RESTARTS_PER_MINUTE = 10

/**
 * Sockets with SO_REUSEPORT share a port with any other that sets it: a second fan-out started on
 * the same port would take half the connections instead of failing. A socket without it is
 * refused while any socket holds the port, so the primary binds one first, then lets it go.
 */
async function portIsFree(host: string, port: number): Promise<void> {
  const probe = createServer()
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject)
    probe.listen({ host, port, exclusive: true }, () => resolve())
  })
  await new Promise<void>((resolve) => probe.close(() => resolve()))
}

async function primary(n: number, config: FanoutConfig): Promise<void> {
  const log = createLogger('fanout', config.logLevel)
  const { host, port } = config
  const sharing = portSharingHere(port)
  if (sharing === 'own') {
    try {
      await portIsFree(host, port)
    } catch (err) {
      log.fatal({ err, host, port }, 'the fan-out port is in use')
      // nothing started: leaving lets the log line out, where process.exit could cut it
      process.exitCode = 1
      return
    }
  }
  let stopping = false
  let failed = false
  let url: string | null = null
  const ready = new Set<number>()
  const restarts: number[] = []

  const fork = (): Worker => {
    const w = cluster.fork()
    w.on('message', (m: ReadyMessage) => {
      if (m?.type !== 'newswire-fanout-ready') return
      url ??= m.url
      ready.add(w.id)
      if (ready.size === n) log.info({ url, workers: n }, 'fanout cluster ready')
    })
    return w
  }
  cluster.on('exit', (w, code, signal) => {
    ready.delete(w.id)
    if (stopping) {
      if (code !== 0) failed = true
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failed ? 1 : 0)
      return
    }
    const now = Date.now()
    restarts.push(now)
    while ((restarts[0] as number) < now - 60_000) restarts.shift()
    if (restarts.length > RESTARTS_PER_MINUTE) {
      log.fatal({ code, signal }, 'fan-out workers keep dying; exiting so the supervisor restarts us')
      stop(1)
      return
    }
    log.error({ worker: w.process.pid, code, signal }, 'fan-out worker died; starting another (its clients reconnect and resume)')
    fork()
  })

  const stop = (code: number) => {
    if (stopping) return
    stopping = true
    failed = code !== 0
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM')
    // each worker has its own shutdown deadline; this one only guards against a stuck worker
    setTimeout(() => process.exit(code || 1), 60_000).unref()
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(code)
  }
  process.on('SIGTERM', () => stop(0))
  process.on('SIGINT', () => stop(0))
  for (let i = 0; i < n; i++) fork()
  log.info({ workers: n, pid: process.pid, sharing }, 'fanout cluster starting')
}

const n = workerCount(process.env, os.availableParallelism())
if (cluster.isPrimary && n > 1) {
  let config: FanoutConfig
  try {
    config = loadFanoutConfig()
  } catch (err) {
    // as main.ts: a configuration error is one line, not a stack
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  }
  await primary(n, config)
} else await import('./main.ts')
