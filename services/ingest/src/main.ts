// Composition root of the ingest service: config, logger, signals.
import { createLogger, installShutdown } from '@newswire/shared'
import { loadIngestConfig } from './config.ts'
import { startIngest } from './server.ts'
import type { IngestInstance } from './server.ts'

async function main(): Promise<void> {
  const config = loadIngestConfig()
  const log = createLogger('ingest', config.logLevel)
  const fatal = (err: unknown) => {
    log.fatal({ err }, 'Kafka consumer crashed for good; exiting so the supervisor restarts us')
    process.exit(1)
  }
  // installed before the start: as a container's PID 1, node ignores a signal it has no handler for,
  // so a SIGTERM while it connects would wait for the grace period's SIGKILL; it has taken nothing yet
  let instance: IngestInstance | null = null
  installShutdown(log, config.shutdownTimeoutMs, () => {
    const started = instance
    return started ? [{ name: 'ingest', run: () => started.close() }] : []
  })
  instance = await startIngest(config, log, fatal)
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
