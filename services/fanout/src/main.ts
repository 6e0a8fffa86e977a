// Composition root of the fan-out service: config, logger, signals.
import cluster from 'node:cluster'
import { createLogger, installShutdown } from '@newswire/shared'
import { loadFanoutConfig } from './config.ts'
import { startFanout } from './app.ts'
import type { FanoutInstance } from './app.ts'
import { portSharingHere } from './workers.ts'
import type { ReadyMessage } from './workers.ts'

async function main(): Promise<void> {
  const config = loadFanoutConfig()
  const log = createLogger('fanout', config.logLevel)
  const fatal = (err: unknown) => {
    log.fatal({ err }, 'Kafka consumer crashed for good; exiting so the supervisor restarts us')
    process.exit(1)
  }
  const ownSocket = cluster.isWorker && portSharingHere(config.port) === 'own'
  // installed before the start: as a container's PID 1, node ignores a signal it has no handler for,
  // so a SIGTERM while it catches up would wait for the grace period's SIGKILL; it serves nothing yet
  let instance: FanoutInstance | null = null
  installShutdown(log, config.shutdownTimeoutMs, () => {
    const started = instance
    return started ? [{ name: 'fanout', run: () => started.close() }] : []
  })
  instance = await startFanout(config, log, fatal, { ownSocket })
  // one of FANOUT_WORKERS (cluster.ts): the primary says when every worker is
  if (cluster.isWorker) process.send?.({ type: 'newswire-fanout-ready', url: instance.url } satisfies ReadyMessage)
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
