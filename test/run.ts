// `npm test`: lint, type-check, then every unit and integration test with node:test, against
// the broker in KAFKA_BROKERS or a local one this script starts (and stops) itself.
import { spawn, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { Kafka, logLevel } from 'kafkajs'
import { repoRoot, start, stop } from '../deploy/local/broker.ts'
import { bengaliFont, chromium, ensureSystem, promtool } from '../deploy/local/system.ts'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'no-lint': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '2' },
  },
})

function findTests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'bench' || name === 'artifacts' || name.startsWith('.')) continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) findTests(p, out)
    else if (name.endsWith('.test.ts')) out.push(relative(repoRoot, p))
  }
  return out
}

function step(name: string, cmd: string, args: string[]): void {
  const t0 = Date.now()
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit' })
  if (r.status !== 0) {
    console.error(`newswire test: ${name} failed`)
    process.exit(r.status ?? 1)
  }
  console.log(`newswire test: ${name} ok (${((Date.now() - t0) / 1000).toFixed(1)}s)`)
}

/**
 * Each run creates about a hundred topics; left behind on a long-lived broker they pile up
 * until it takes a minute to start. Only this run's prefix is touched: another run may share
 * the cluster.
 */
async function deleteTestTopics(brokers: string[], prefix: string): Promise<void> {
  const admin = new Kafka({ clientId: 'newswire-test-cleanup', brokers, logLevel: logLevel.NOTHING }).admin()
  try {
    await admin.connect()
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix))
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 })
    console.log(`newswire test: deleted this run's ${topics.length} test topics`)
  } catch (err) {
    console.warn(`newswire test: could not delete this run's test topics (${prefix}*): ${err instanceof Error ? err.message : err}`)
  } finally {
    await admin.disconnect().catch(() => {})
  }
}

async function main(): Promise<number> {
  const files =
    positionals.length > 0 ? positionals : [...findTests(join(repoRoot, 'services')), ...findTests(join(repoRoot, 'test'))].sort()
  if (!values['no-lint'] && positionals.length === 0) {
    step('lint (biome)', 'npx', ['--no-install', 'biome', 'check', '.'])
    step('typecheck (tsc)', 'npx', ['--no-install', 'tsc', '-p', 'tsconfig.json', '--noEmit'])
  }
  // System tools some tests drive for real: Chromium with a Bengali font, promtool
  ensureSystem([chromium, bengaliFont, promtool])
  let startedBroker = false
  if (!process.env.KAFKA_BROKERS) {
    const r = await start(1)
    process.env.KAFKA_BROKERS = r.brokers.join(',')
    startedBroker = r.started
  }
  const run = randomUUID().slice(0, 8)
  console.log(`newswire test: ${files.length} test files against Kafka at ${process.env.KAFKA_BROKERS}`)
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=development',
        '--import',
        'tsx',
        '--test',
        '--test-reporter=spec',
        `--test-concurrency=${values.concurrency}`,
        '--test-timeout=300000',
        // A file's process ends when its tests are done: kafkajs can keep a reconnect timer alive
        // after a test stopped its own broker (the outage test hung here). Tests still stop
        // everything they started in their after hooks.
        '--test-force-exit',
        ...files,
      ],
      {
        cwd: repoRoot,
        stdio: 'inherit',
        env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', NEWSWIRE_TEST_RUN: run },
      },
    )
    const forward = (sig: NodeJS.Signals) => child.kill(sig)
    process.on('SIGINT', forward)
    process.on('SIGTERM', forward)
    child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)))
  })
  await deleteTestTopics(process.env.KAFKA_BROKERS.split(','), `t-${run}-`)
  if (startedBroker) await stop(1)
  return code
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  },
)
