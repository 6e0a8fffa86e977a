// `npm test`: lint, type-check, then every test file. `npm test -- FILE|DIR...`: those only.
// `npm run test:unit`: the files that need no broker, browser or system tool (no tag in their
// name, see runner/files.ts), with no install step, no broker and no apt-get.
// A file's tags decide what is provided first: a broker (KAFKA_BROKERS, or the local one, started
// and stopped here), Chromium, system tools. Under CI (CI=true) a missing tool or a skipped test
// that is not a deliberate skip (runner/skips.ts) fails the run.
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { leaseBroker } from '../deploy/local/lease.ts'
import { repoRoot } from '../deploy/local/paths.ts'
import { findTestFiles, isUnit, needsOfAll } from './runner/files.ts'
import { runFiles } from './runner/node-test.ts'
import { describeSkip, isCi, undeliberate } from './runner/skips.ts'
import { provideTools } from './runner/tools.ts'
import { deleteTestTopics } from './runner/topics.ts'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    unit: { type: 'boolean', default: false },
    'no-lint': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '2' },
  },
})

/** Unit runs point Kafka clients here: nothing listens, so a file that needs a broker but is not named .kafka fails. */
const NO_BROKER = '127.0.0.1:1'

function step(name: string, cmd: string, args: string[]): void {
  const t0 = Date.now()
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit' })
  if (r.status !== 0) throw new Error(`newswire test: ${name} failed`)
  console.log(`newswire test: ${name} ok (${((Date.now() - t0) / 1000).toFixed(1)}s)`)
}

function selectFiles(): string[] {
  if (values.unit && positionals.length > 0) throw new Error('newswire test: --unit runs every unit test file; give files without it')
  for (const f of positionals) if (!existsSync(resolve(repoRoot, f))) throw new Error(`newswire test: no such file: ${f}`)
  // A directory stands for the test files under it
  if (positionals.length > 0)
    return positionals.flatMap((f) => (statSync(resolve(repoRoot, f)).isDirectory() ? findTestFiles(repoRoot, [f]) : [f]))
  const all = findTestFiles(repoRoot, ['services', 'test'])
  return values.unit ? all.filter(isUnit) : all
}

async function main(): Promise<number> {
  const ci = isCi()
  const files = selectFiles()
  const needs = needsOfAll(files)
  if (!values.unit && !values['no-lint'] && positionals.length === 0) {
    step('lint (biome)', 'npx', ['--no-install', 'biome', 'check', '.'])
    step('typecheck (tsc)', 'npx', ['--no-install', 'tsc', '-p', 'tsconfig.json', '--noEmit'])
  }
  const missing = values.unit ? [] : provideTools(needs)
  if (missing.length > 0) {
    const list = missing.map((m) => `  ${m}`).join('\n')
    if (ci) throw new Error(`newswire test: CI=true and these tools are missing, so their tests cannot run:\n${list}`)
    console.warn(`newswire test: tools missing; the tests that need them will skip:\n${list}`)
  }
  const run = randomUUID().slice(0, 8)
  process.env.NEWSWIRE_TEST_RUN = run
  process.env.LOG_LEVEL ??= 'silent'
  // Every fan-out a test starts, in process or spawned, warms its path with a few connections: the
  // default's thousand loopback connections a start cost a second each, and with test files starting
  // fan-outs side by side took ephemeral ports tests had picked for the services they spawn
  // (EADDRINUSE, stop 50's CI; reliability/support.ts now tries another port too)
  process.env.FANOUT_WARM_UP_CONNECTIONS ??= '16'
  const lease = needs.has('kafka') ? await leaseBroker() : null
  process.env.KAFKA_BROKERS = lease ? lease.brokers.join(',') : NO_BROKER
  const abort = new AbortController()
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => abort.abort())
  try {
    const where = lease ? ` against Kafka at ${lease.brokers.join(',')}` : ' (no broker)'
    console.log(`newswire test: ${files.length} test files${where} on Node ${process.versions.node}${ci ? ', CI' : ''}`)
    const outcome = await runFiles(repoRoot, files, { concurrency: Number(values.concurrency), signal: abort.signal })
    const notAllowed = undeliberate(outcome.skips)
    const slowest = [...outcome.took].sort((a, b) => b[1] - a[1]).slice(0, 15)
    const total = [...outcome.took.values()].reduce((a, b) => a + b, 0)
    console.log(`newswire test: the slowest files (their tests' own time; ${(total / 1000).toFixed(0)} s in all files):`)
    for (const [file, ms] of slowest) console.log(`  ${(ms / 1000).toFixed(1).padStart(6)} s  ${file}`)
    for (const s of outcome.skips) console.log(`newswire test: skipped ${describeSkip(s)}`)
    if (ci && notAllowed.length > 0) {
      console.error(`newswire test: CI=true allows only the deliberate skips in test/runner/skips.ts; these skipped:`)
      for (const s of notAllowed) console.error(`  ${describeSkip(s)}`)
      return 1
    }
    return outcome.failed > 0 || abort.signal.aborted ? 1 : 0
  } finally {
    if (lease) {
      await deleteTestTopics(lease.brokers, `t-${run}-`)
      await lease.release()
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  },
)
