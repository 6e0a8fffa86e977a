// One SIGTERM/SIGINT handler per process: runs the steps in order, exits 0 when they finish (1 if a step failed),
// exits 1 if they overrun the deadline (an unref'd timer, so it never keeps the process alive).
import type { Logger } from './log.ts'

export interface ShutdownStep {
  name: string
  run: () => Promise<void> | void
}

export function installShutdown(log: Logger, deadlineMs: number, steps: () => ShutdownStep[]): () => Promise<void> {
  let running: Promise<void> | null = null
  const shutdown = (signal: string): Promise<void> => {
    if (running) return running
    log.info({ signal, deadlineMs }, 'shutting down')
    const timer = setTimeout(() => {
      log.error({ deadlineMs }, 'shutdown deadline exceeded, exiting')
      process.exit(1)
    }, deadlineMs)
    timer.unref()
    running = (async () => {
      let failed = false
      for (const step of steps()) {
        const t0 = Date.now()
        try {
          await step.run()
          log.info({ step: step.name, ms: Date.now() - t0 }, 'shutdown step done')
        } catch (err) {
          failed = true
          log.error({ step: step.name, err }, 'shutdown step failed')
        }
      }
      clearTimeout(timer)
      log.info('shutdown complete')
      // Exit explicitly: a library's stray timer must not keep a terminated service alive
      process.exit(failed ? 1 : 0)
    })()
    return running
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
  return () => shutdown('manual')
}
