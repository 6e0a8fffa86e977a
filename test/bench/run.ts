// `npm run bench -- <scenario> [options]`: runs one scenario from test/bench/scenarios/<name>.ts.
// Every figure is printed as a ratio against a baseline measured in the same run, plus absolute
// figures; the run is also saved as JSON under .cache/bench/. Kafka: KAFKA_BROKERS, or this
// checkout's local broker, started for the run and stopped after it (as npm test does).
// --check exits 1 when a target line is MISSED, so a quiet machine's CI job can gate on it.
//   npm run bench -- --help                  scenarios and common options
//   npm run bench -- ingest --help           a scenario's options
//   npm run bench -- profile FILE.cpuprofile top self-time functions of a CPU profile
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { clusterSpec, waitReady } from '../../deploy/local/broker.ts'
import { leaseBroker } from '../../deploy/local/lease.ts'
import type { BrokerLease } from '../../deploy/local/lease.ts'
import { killAll } from './lib/children.ts'
import { formatSummary, summarizeProfile } from './lib/cpuprofile.ts'
import { machineInfo } from './lib/machine.ts'
import { Report } from './lib/report.ts'
import type { OptionValues, Scenario } from './lib/scenario.ts'

const scenariosDir = fileURLToPath(new URL('./scenarios/', import.meta.url))

const common = {
  help: { type: 'boolean', short: 'h', default: false },
  quick: { type: 'boolean', default: false },
  check: { type: 'boolean', default: false },
  'max-seconds': { type: 'string' },
} as const

function scenarioNames(): string[] {
  return readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort()
}

async function load(name: string): Promise<Scenario> {
  if (!/^[a-z0-9-]+$/.test(name) || !existsSync(`${scenariosDir}${name}.ts`)) {
    throw new Error(`unknown scenario '${name}'; scenarios: ${scenarioNames().join(', ')}`)
  }
  const mod = (await import(`./scenarios/${name}.ts`)) as { default: Scenario }
  return mod.default
}

async function usage(): Promise<string> {
  const rows: string[] = []
  for (const n of scenarioNames()) rows.push(`  ${n.padEnd(18)} ${(await load(n)).summary}`)
  return `usage: npm run bench -- <scenario> [options]
       npm run bench -- profile FILE.cpuprofile [--top N]

scenarios:
${rows.join('\n')}

common options:
  --quick             smoke run: tiny durations, finishes in < 30 s; figures are not for publishing
  --check             exit 1 when any target line is MISSED (or the run evaluated none)
  --max-seconds S     hard deadline for the whole run; children are killed and the run fails after it
  -h, --help          this text, or a scenario's options with: npm run bench -- <scenario> --help

Environment: KAFKA_BROKERS; unset, this checkout's local broker is started for the run and
stopped after it (kept running when it already was). KAFKA_SSL* and KAFKA_SASL_* as for the
services (deploy/README.md), for a cluster that asks for TLS or a login.
Load generators run as child processes on loopback; every run is bounded in time and requests.`
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2)
  const name = argv[0]
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(await usage())
    return name === undefined ? 2 : 0
  }
  if (name === 'profile') {
    const { values, positionals } = parseArgs({ args: argv.slice(1), allowPositionals: true, options: { top: { type: 'string' } } })
    if (positionals.length === 0) throw new Error('usage: npm run bench -- profile FILE.cpuprofile [--top N]')
    for (const f of positionals) console.log(`${f}\n${formatSummary(summarizeProfile(f, Number(values.top ?? 25)))}\n`)
    return 0
  }
  if (!/^[a-z0-9-]+$/.test(name) || !existsSync(`${scenariosDir}${name}.ts`)) {
    console.error(`bench: unknown scenario '${name}'\n\n${await usage()}`)
    return 2
  }
  const scenario = await load(name)
  const { values } = parseArgs({ args: argv.slice(1), options: { ...common, ...scenario.options }, strict: true })
  const opts = values as OptionValues
  if (opts.help) {
    console.log(`usage: npm run bench -- ${scenario.name} [options]\n${scenario.summary}\n\n${scenario.help}`)
    return 0
  }
  const maxSeconds = opts['max-seconds'] !== undefined ? Number(opts['max-seconds']) : scenario.maxSeconds(opts)
  if (!Number.isFinite(maxSeconds) || maxSeconds <= 0) throw new Error('--max-seconds must be a positive number')
  opts['max-seconds'] = String(maxSeconds)

  const lease = await brokers()
  const finish = async (code: number): Promise<never> => {
    killAll('SIGKILL')
    await lease.release().catch((err: unknown) => console.error(`bench: could not stop the local broker: ${String(err)}`))
    process.exit(code)
  }
  const abort = new AbortController()
  const deadline = setTimeout(() => {
    console.error(`bench: ${scenario.name} ran past --max-seconds ${maxSeconds}; killing its processes`)
    abort.abort()
    void finish(2)
  }, maxSeconds * 1000)
  deadline.unref()
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.error(`bench: ${sig}, stopping`)
      abort.abort()
      killAll('SIGTERM')
      setTimeout(() => void finish(130), 3000).unref()
    })
  }

  const machine = machineInfo()
  const command = `npm run bench -- ${argv.join(' ')}`
  const report = new Report(scenario.name)
  report.note(`${command}`)
  report.note(
    `${machine.date} | ${machine.cores} cores (${machine.cpuModel}) | ${machine.memoryGiB} GiB | node ${machine.node} | ${machine.platform} | load avg ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  )
  if (lease.started) {
    report.note(
      `Kafka: this checkout's local broker at ${lease.brokers.join(',')}, started for this run: its JIT compiles during the first ` +
        `minute or two of load, which slows the first phases; for latency figures, start it first (npm run kafka -- start) and warm it with a run`,
    )
  }
  const t0 = Date.now()
  let code: number
  try {
    code = await scenario.run({
      values: opts,
      report,
      machine,
      command,
      brokers: lease.brokers,
      runId: `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`,
      signal: abort.signal,
    })
  } catch (err) {
    console.error(describe(err))
    return finish(1)
  }
  const file = report.save(machine, command, { seconds: (Date.now() - t0) / 1000 })
  report.note(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s; saved ${file}`)
  clearTimeout(deadline)
  if (opts.check && code === 0) {
    const verdict = report.checkVerdict()
    if (verdict !== null) {
      console.error(`bench: --check: ${verdict}`)
      code = 1
    } else console.log('bench: --check: every target MET')
  }
  return finish(code)
}

/** KAFKA_BROKERS, checked to answer; else the local broker (deploy/local/lease.ts). */
async function brokers(): Promise<BrokerLease> {
  // Tuned as production's: a broker started for the run is still compiling for its first minute
  // or two of load (docs/benchmarks.md, "Single POSTs on a quiet machine")
  const lease = await leaseBroker(process.env, { spec: clusterSpec(1, 'steady') })
  if (!lease.started) {
    try {
      await waitReady(lease.brokers, 1, 15_000)
    } catch {
      throw new Error(
        `bench: Kafka at ${lease.brokers.join(',')} does not answer (KAFKA_BROKERS); start it, or unset KAFKA_BROKERS to use a local one`,
      )
    }
  }
  return lease
}

/** Our own refusals (bench:, newswire:) are one line for a person; anything else keeps its stack. */
function describe(err: unknown): string {
  if (err instanceof Error && /^(bench|newswire): /.test(err.message)) return err.message
  return `bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`
}

main().then(
  (code) => {
    killAll('SIGKILL')
    process.exit(code)
  },
  (err: unknown) => {
    console.error(describe(err))
    killAll('SIGKILL')
    process.exit(1)
  },
)
