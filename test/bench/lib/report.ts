// Prints one line per figure, every figure with the baseline measured in the same run and the
// ratio, plus absolute figures; keeps everything for a JSON record of the run.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../../../deploy/local/broker.ts'
import type { MachineInfo } from './machine.ts'

export type Labels = Record<string, string | number>

export interface FigureLine {
  scenario: string
  labels: Labels
  metric: string
  value: number
  baseline?: { name: string; value: number }
  ratio?: number
  target?: { text: string; met: boolean }
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  if (a >= 1000) return String(Math.round(v))
  if (a >= 100) return v.toFixed(1)
  if (a >= 1) return v.toFixed(2)
  return v.toFixed(3)
}

export function labelText(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
}

export class Report {
  readonly scenario: string
  readonly lines: FigureLine[] = []
  readonly notes: string[] = []
  readonly #print: (line: string) => void

  constructor(scenario: string, print: (line: string) => void = (l) => console.log(l)) {
    this.scenario = scenario
    this.#print = print
  }

  /** `<scenario> <labels> <metric>=<value> baseline=<b> ratio=<value/b> vs=<baseline name>` */
  ratio(labels: Labels, metric: string, value: number, baseline: { name: string; value: number }): void {
    const ratio = value / baseline.value
    this.lines.push({ scenario: this.scenario, labels, metric, value, baseline, ratio })
    this.#print(
      `${this.scenario} ${labelText(labels)} ${metric}=${fmt(value)} baseline=${fmt(baseline.value)} ratio=${fmt(ratio)} vs=${baseline.name}`,
    )
  }

  /** An absolute figure, for the record. */
  absolute(labels: Labels, figures: Record<string, number>): void {
    for (const [metric, value] of Object.entries(figures)) this.lines.push({ scenario: this.scenario, labels, metric, value })
    this.#print(
      `${this.scenario} ${labelText(labels)} ${Object.entries(figures)
        .map(([k, v]) => `${k}=${fmt(v)}`)
        .join(' ')}`,
    )
  }

  /** A target from the issue: met or missed, with the figure. */
  target(labels: Labels, metric: string, value: number, text: string, met: boolean): void {
    this.lines.push({ scenario: this.scenario, labels, metric, value, target: { text, met } })
    this.#print(`${this.scenario} ${labelText(labels)} ${metric}=${fmt(value)} target="${text}" ${met ? 'MET' : 'MISSED'}`)
  }

  /** The `--check` verdict: null when targets were evaluated and every one was met, else why the check fails. */
  checkVerdict(): string | null {
    const targets = this.lines.filter((l) => l.target !== undefined)
    if (targets.length === 0) return 'this run evaluated no target, so --check has nothing to pass'
    const missed = targets.filter((l) => l.target?.met === false)
    if (missed.length === 0) return null
    const rows = missed.map((l) => `  ${labelText(l.labels)} ${l.metric}=${fmt(l.value)} target="${l.target?.text}"`)
    return `${missed.length} of ${targets.length} targets MISSED:\n${rows.join('\n')}`
  }

  note(text: string): void {
    this.notes.push(text)
    this.#print(`# ${text}`)
  }

  /** Writes the run as JSON under .cache/bench/ (git-ignored); returns the path. */
  save(machine: MachineInfo, command: string, extra: Record<string, unknown> = {}): string {
    const dir = join(repoRoot, '.cache', 'bench')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `${this.scenario}-${machine.date.replace(/[:.]/g, '-')}.json`)
    writeFileSync(
      file,
      `${JSON.stringify({ scenario: this.scenario, command, machine, lines: this.lines, notes: this.notes, ...extra }, null, 2)}\n`,
    )
    return file
  }
}
