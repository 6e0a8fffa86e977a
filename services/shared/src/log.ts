// JSON lines on stdout (pino). Components take a child logger; errors go under `err`.
import { pino } from 'pino'
import type { Logger } from 'pino'

export type { Logger }

export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  })
}
