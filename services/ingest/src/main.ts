// Composition root of the ingest service: config, logger, signals.
import { createLogger, installShutdown } from '@newswire/shared'
import { loadIngestConfig } from './config.ts'
import { startIngest } from './server.ts'

async function main(): Promise<void> {
  const config = loadIngestConfig()
  const log = createLogger('ingest', config.logLevel)
  const fatal = (err: unknown) => {
    log.fatal({ err }, 'Kafka consumer crashed for good; exiting so the supervisor restarts us')
    process.exit(1)
  }
  const instance = await startIngest(config, log, fatal)
  installShutdown(log, config.shutdownTimeoutMs, () => [{ name: 'ingest', run: () => instance.close() }])
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
