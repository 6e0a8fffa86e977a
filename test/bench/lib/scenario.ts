// What a scenario module (test/bench/scenarios/<name>.ts) exports as default. run.ts finds
// scenarios by file name, so adding one is adding a file.
import type { ParseArgsConfig } from 'node:util'
import type { MachineInfo } from './machine.ts'
import type { Report } from './report.ts'

export type OptionValues = Record<string, string | boolean | undefined>

export interface ScenarioContext {
  values: OptionValues
  report: Report
  machine: MachineInfo
  /** The command line as typed, for the record. */
  command: string
  brokers: string[]
  /** Unique per run: prefix topics and ids with it. */
  runId: string
  /** Set when the harness is out of time or interrupted; long loops should check it. */
  signal: AbortSignal
}

export interface Scenario {
  name: string
  /** One line for the scenario list. */
  summary: string
  /** Options beyond the common ones (--quick, --max-seconds, --help). */
  options: NonNullable<ParseArgsConfig['options']>
  /** Lines describing the options, for --help. */
  help: string
  /** Default overall deadline, seconds (the harness kills everything after it). */
  maxSeconds(values: OptionValues): number
  /** Resolves to the exit code. */
  run(ctx: ScenarioContext): Promise<number>
}

export function num(values: OptionValues, name: string, fallback: number): number {
  const v = values[name]
  if (v === undefined || typeof v === 'boolean') return fallback
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got '${v}'`)
  return n
}

export function list(values: OptionValues, name: string, fallback: string): string[] {
  const v = values[name]
  return (typeof v === 'string' ? v : fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}
