// `npm start [-- --logs]`: the whole stack on its local defaults. Refuses at once, saying by
// what, when its ports are taken. Starts the local broker unless KAFKA_BROKERS is set, then
// ingest and fan-out as child processes (their JSON logs go to .cache/logs/, or to this
// terminal with --logs), loads demo articles, prints the URLs and the development credentials,
// and on Ctrl-C / SIGTERM stops what it started: exit 0 when every service stopped cleanly.
// FANOUT_WORKERS=N (or `auto`, one per core) runs N fan-outs behind the one fan-out port
// (services/fanout/src/cluster.ts).
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { DEV_INGEST_KEY, DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { signNewsroomToken } from '@newswire/fanout'
import { describeBusy, findBusy, suggestFree } from './busy-ports.ts'
import type { PortPlan, ServiceName } from './busy-ports.ts'
import { demoArticles } from './demo.ts'
import { clusterSpec } from './broker.ts'
import { leaseBroker } from './lease.ts'
import type { BrokerLease } from './lease.ts'
import { cacheDir, repoRoot } from './paths.ts'

const { values } = parseArgs({ options: { logs: { type: 'boolean', default: false } } })
const env = { ...process.env }
const plans: PortPlan[] = [
  { service: 'ingest', variable: 'INGEST_PORT', port: Number(env.INGEST_PORT ?? 8081) },
  { service: 'fanout', variable: 'FANOUT_PORT', port: Number(env.FANOUT_PORT ?? 8082) },
]
const [ingestPort, fanoutPort] = plans.map((p) => p.port) as [number, number]
const ingestUrl = `http://127.0.0.1:${ingestPort}`
const fanoutUrl = `http://127.0.0.1:${fanoutPort}`

interface Service {
  name: ServiceName
  child: ChildProcess
  /** Where its stdout and stderr go; null with --logs (this terminal). */
  log: string | null
  exited: Promise<number | null>
}

const services: Service[] = []
let lease: BrokerLease | null = null
let stopping = false

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

function startService(name: ServiceName, main: string, logDir: string | null): Service {
  const log = logDir === null ? null : join(logDir, `${name}.log`)
  const fd = log === null ? null : openSync(log, 'w')
  const out = fd ?? 'inherit'
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', main], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', out, out],
  })
  if (fd !== null) closeSync(fd)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  void exited.then((code) => {
    if (stopping) return
    console.error(`newswire: ${name} exited (${code ?? child.signalCode}); stopping the stack`)
    if (log !== null) console.error(`last lines of ${log}:\n${tail(log, 20)}`)
    void shutdown(1)
  })
  const service = { name, child, log, exited }
  services.push(service)
  return service
}

async function waitReady(url: string, name: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs
  for (;;) {
    try {
      const res = await fetch(`${url}/readyz`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${name} not ready at ${url}/readyz after ${timeoutMs / 1000}s`)
    await sleep(250)
  }
}

async function post(path: string, body: string, contentType: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${ingestUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${DEV_INGEST_KEY}` },
    body,
  })
  return { status: res.status, text: await res.text() }
}

async function loadDemo(): Promise<number> {
  if (env.INGEST_API_KEYS) return 0 // custom keys: we do not know one to use
  let n = 0
  const dir = join(repoRoot, 'test', 'fixtures', 'articles')
  let files: string[] = []
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.txt'))
  } catch {
    // no shared fixtures next to this checkout: the built-in demo articles still load
  }
  for (const f of files) {
    const r = await post(
      `/v1/import/scraped?id=demo-${f.replace(/\.txt$/, '')}&urgency=2`,
      readFileSync(join(dir, f), 'utf8'),
      'text/plain',
    )
    if (r.status < 300) n++
    else console.error(`newswire: demo import of ${f} failed: ${r.status} ${r.text}`)
  }
  for (const a of demoArticles(Date.now())) {
    const r = await post('/v1/articles', JSON.stringify(a), 'application/json')
    if (r.status < 300) n++
    else console.error(`newswire: demo article ${a.id} failed: ${r.status} ${r.text}`)
  }
  return n
}

/** Stops the services, then the broker if we started it; exits 1 when asked to or when a service did not stop cleanly. */
async function shutdown(code: number): Promise<void> {
  if (stopping) return
  stopping = true
  console.error(`newswire: stopping (ingest and fan-out drain${lease?.started ? ', then the local broker stops' : ''})`)
  for (const s of services) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM')
  const codes = await Promise.all(services.map((s) => s.exited))
  const unclean = services.filter((_, i) => codes[i] !== 0)
  for (const s of unclean) console.error(`newswire: ${s.name} did not stop cleanly${s.log ? ` (log: ${s.log})` : ''}`)
  await lease?.release()
  console.error(unclean.length > 0 ? 'newswire: stopped, not cleanly' : 'newswire: stopped')
  process.exit(code !== 0 || unclean.length > 0 ? 1 : 0)
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0))
  process.on('SIGTERM', () => void shutdown(0))
  for (const p of plans) {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
      throw new Error(`newswire: ${p.variable} must be a port number (1-65535)`)
  }
  const busy = await findBusy(plans)
  if (busy.length > 0) {
    console.error(describeBusy(busy, plans, await suggestFree(plans)))
    process.exit(1)
  }
  lease = await leaseBroker(env, { spec: clusterSpec(1, 'steady') })
  env.KAFKA_BROKERS = lease.brokers.join(',')
  const logDir = values.logs ? null : join(cacheDir(env), 'logs')
  if (logDir !== null) mkdirSync(logDir, { recursive: true })
  const ingest = startService('ingest', 'services/ingest/src/main.ts', logDir)
  const fanout = startService('fanout', 'services/fanout/src/cluster.ts', logDir)
  await Promise.all([waitReady(ingestUrl, 'ingest'), waitReady(fanoutUrl, 'fanout')])
  const loaded = await loadDemo()
  const token = await signNewsroomToken(env.NEWSROOM_JWT_SECRET ?? DEV_NEWSROOM_SECRET, {
    ttlSeconds: 12 * 3600,
    audience: env.NEWSROOM_JWT_AUDIENCE ?? 'newswire',
    scope: 'newsroom',
    sub: 'dev-editor',
  })
  const usingDevKey = !env.INGEST_API_KEYS
  const shown = (file: string) => (relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file))
  const logs = logDir === null ? 'on this terminal (--logs)' : [ingest, fanout].map((s) => shown(s.log ?? '')).join('  ')
  console.log(`
Newswire is running (Ctrl-C stops everything this command started)

  Kafka            ${env.KAFKA_BROKERS}${lease.started ? ' (local broker started by npm start)' : ''}
  Ingest API       ${ingestUrl}/v1/articles        OpenAPI: ${ingestUrl}/openapi.json
  Stream           ws://127.0.0.1:${fanoutPort}/v1/stream   SSE: ${fanoutUrl}/v1/sse?channels=breaking${env.FANOUT_WORKERS ? `   (FANOUT_WORKERS=${env.FANOUT_WORKERS})` : ''}
  Newsroom         ${fanoutUrl}/dashboard   (paste the newsroom token below into its form)
  Public ticker    ${fanoutUrl}/ticker?category=international&language=bn   (embed: ${fanoutUrl}/ticker.js)
  Metrics          ${ingestUrl}/metrics  ${fanoutUrl}/metrics
  Logs             ${logs}
  Demo articles    ${loaded} loaded

Development credentials (refused when NODE_ENV=production):
  ingest API key   ${usingDevKey ? DEV_INGEST_KEY : '(INGEST_API_KEYS is set)'}
  newsroom secret  ${env.NEWSROOM_JWT_SECRET ? '(NEWSROOM_JWT_SECRET is set)' : DEV_NEWSROOM_SECRET}
  newsroom token   ${token}

Try:
  curl -s -X POST ${ingestUrl}/v1/articles -H 'authorization: Bearer ${DEV_INGEST_KEY}' \\
    -H 'content-type: application/json' \\
    -d '{"id":"hello-1","language":"en","headline":"Hello, Newswire","body":["First paragraph."],"urgency":1}'
`)
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  await shutdown(1)
})
