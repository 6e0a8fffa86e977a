// Composition root of the fan-out service: config, logger, signals.
import cluster from 'node:cluster'
import { createLogger, installShutdown } from '@newswire/shared'
import { loadFanoutConfig } from './config.ts'
import { startFanout } from './app.ts'
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
  const instance = await startFanout(config, log, fatal, { ownSocket })
  installShutdown(log, config.shutdownTimeoutMs, () => [{ name: 'fanout', run: () => instance.close() }])
  // one of FANOUT_WORKERS (cluster.ts): the primary says when every worker is
  if (cluster.isWorker) process.send?.({ type: 'newswire-fanout-ready', url: instance.url } satisfies ReadyMessage)
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
