// `npm run bench -- <scenario> [options]`: runs one scenario from test/bench/scenarios/<name>.ts.
// Every figure is printed as a ratio against a baseline measured in the same run, plus absolute
// figures; the run is also saved as JSON under .cache/bench/.
//   npm run bench -- --help                  scenarios and common options
//   npm run bench -- ingest --help           a scenario's options
//   npm run bench -- profile FILE.cpuprofile top self-time functions of a CPU profile
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { killAll } from './lib/children.ts'
import { formatSummary, summarizeProfile } from './lib/cpuprofile.ts'
import { machineInfo } from './lib/machine.ts'
import { Report } from './lib/report.ts'
import type { OptionValues, Scenario } from './lib/scenario.ts'

const scenariosDir = fileURLToPath(new URL('./scenarios/', import.meta.url))

const common = {
  help: { type: 'boolean', short: 'h', default: false },
  quick: { type: 'boolean', default: false },
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
  --max-seconds S     hard deadline for the whole run; children are killed and the run fails after it
  -h, --help          this text, or a scenario's options with: npm run bench -- <scenario> --help

Environment: KAFKA_BROKERS (default 127.0.0.1:9092; start one with npm run kafka -- start).
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

  const abort = new AbortController()
  const deadline = setTimeout(() => {
    console.error(`bench: ${scenario.name} ran past --max-seconds ${maxSeconds}; killing its processes`)
    abort.abort()
    killAll('SIGKILL')
    process.exit(2)
  }, maxSeconds * 1000)
  deadline.unref()
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.error(`bench: ${sig}, stopping`)
      abort.abort()
      killAll('SIGTERM')
      setTimeout(() => {
        killAll('SIGKILL')
        process.exit(130)
      }, 3000).unref()
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
  const t0 = Date.now()
  const code = await scenario.run({
    values: opts,
    report,
    machine,
    command,
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    runId: `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`,
    signal: abort.signal,
  })
  const file = report.save(machine, command, { seconds: (Date.now() - t0) / 1000 })
  report.note(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s; saved ${file}`)
  clearTimeout(deadline)
  return code
}

main().then(
  (code) => {
    killAll('SIGKILL')
    process.exit(code)
  },
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    killAll('SIGKILL')
    process.exit(1)
  },
)
